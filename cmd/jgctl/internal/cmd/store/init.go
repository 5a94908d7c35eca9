package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/spf13/cobra"
)

// InitOptions are the inputs of `store init`.
type InitOptions struct {
	F *cmdutil.Factory
}

// initResult is the JSON schema of `store init`.
type initResult struct {
	Path          string `json:"path"`
	SchemaVersion int    `json:"schema_version"`
	Created       bool   `json:"created"`
}

// NewCmdInit builds `store init`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdInit(f *cmdutil.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{F: f}
	return &cobra.Command{
		Use:   "init",
		Short: "创建空的数据存储 / create an empty store at --store",
		Long: "Create an empty store at --store (JGCTL_STORE, or the default path) and print its path and schema version.\n" +
			"A store that already exists is left as it is. Commands that only read never create a store.\n" +
			"On a PostgreSQL database (a postgres:// URL) it applies the schema, as store migrate does.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInit(cmd.Context(), opts)
		},
	}
}

func runInit(ctx context.Context, opts *InitOptions) error {
	f := opts.F
	path, created := f.Config.Store, false
	if app.IsDatabase(path) {
		// A database is created by its administrator; init applies the schema.
		if err := local(f, "store init"); err != nil {
			return err
		}
		from, _, err := app.Migrate(ctx, path, false)
		if err != nil {
			return err
		}
		created = from == 0
	} else {
		_, err := os.Stat(path)
		created = errors.Is(err, fs.ErrNotExist)
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	r, err := verify(f, "store init", cmdutil.Create)
	if err != nil {
		return err
	}
	if created {
		f.Say("已创建数据存储。", "Store created.")
	} else {
		f.Say("数据存储已存在，未作改动。", "The store already exists; left as it is.")
	}
	res := initResult{Path: path, SchemaVersion: r.SchemaVersion, Created: created}
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("路径", "PATH"), cmdutil.Num("结构版本", "SCHEMA")},
		Rows: [][]string{{res.Path, strconv.Itoa(res.SchemaVersion)}},
		JSON: res,
	})
}
