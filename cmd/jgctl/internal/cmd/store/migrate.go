package store

import (
	"context"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/spf13/cobra"
)

// MigrateOptions are the inputs of `store migrate`.
type MigrateOptions struct {
	F *cmdutil.Factory
}

// migrateResult is the JSON schema of `store migrate`.
type migrateResult struct {
	From int64 `json:"from_version"`
	To   int64 `json:"to_version"`
}

// NewCmdMigrate builds `store migrate`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdMigrate(f *cmdutil.Factory, runF func(*MigrateOptions) error) *cobra.Command {
	opts := &MigrateOptions{F: f}
	return &cobra.Command{
		Use:   "migrate",
		Short: "把数据存储的结构升级到本版本 / bring the store's schema to this jgctl's version",
		Long: "Apply the schema migrations embedded in this jgctl to the store at --store. On a PostgreSQL database,\n" +
			"run it once per release before starting the new `jgctl serve` replicas: a replica refuses a schema older\n" +
			"or newer than its own (exit 6). A bbolt file migrates itself when a command opens it to write; here it\n" +
			"is opened once for that. Running it again changes nothing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runMigrate(cmd.Context(), opts)
		},
	}
}

func runMigrate(ctx context.Context, opts *MigrateOptions) error {
	f := opts.F
	if err := local(f, "store migrate"); err != nil {
		return err
	}
	from, to, err := app.Migrate(ctx, f.Config.Store, false)
	if err != nil {
		return err
	}
	if from == to {
		f.Say("结构已是版本 %d，无需升级。", "The schema is at version %d already; nothing to do.", to)
	} else {
		f.Say("结构已从版本 %d 升级到 %d。", "The schema went from version %d to %d.", from, to)
	}
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Num("原版本", "FROM"), cmdutil.Num("现版本", "TO")},
		Rows: [][]string{{strconv.FormatInt(from, 10), strconv.FormatInt(to, 10)}},
		JSON: migrateResult{From: from, To: to},
	})
}
