// Package importcmd is `jgctl import`: import licences, vehicles or
// violations from a file.
package importcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// ImportOptions are the inputs of `import`.
type ImportOptions struct {
	F    *cmdutil.Factory
	Kind api.ImportKind
	// File is the path to read, "-" for standard input.
	File      string
	Format    string
	Encoding  string
	ChunkSize int
}

// NewCmdImport builds `import`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "import {licences|vehicles|violations} FILE",
		Short: "导入驾驶证、机动车或违法记录（工作人员）/ import licences, vehicles or violations from CSV or JSONL (staff)",
		Long: "Import a CSV (with a header line) or JSON Lines file; FILE '-' reads standard input.\n" +
			"Every row is validated; rejected rows are reported on stderr with line number, field and reason,\n" +
			"and the rest are imported in chunks, each one transaction. Re-importing violations skips record numbers\n" +
			"already stored; licences and vehicles are updated in place. Exit 0 when every row was accepted, 5 when\n" +
			"some were rejected, 2 when the file itself is unusable (missing columns, broken quoting; chunks\n" +
			"committed before the damage stay, and a re-run skips them).\n" +
			"Columns: see docs/import-formats.md.",
		Args:      cobra.ExactArgs(2),
		ValidArgs: []string{"licences", "vehicles", "violations"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind, opts.File = api.ImportKind(args[0]), args[1]
			switch opts.Kind {
			case api.ImportLicences, api.ImportVehicles, api.ImportViolations:
			default:
				return cmdutil.Usage(rules.ErrUsage, "kind", "import kind %q: want licences, vehicles or violations", args[0])
			}
			if err := cmdutil.CheckPositive(cmd, "chunk-size", opts.ChunkSize); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runImport(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "", "csv or jsonl (default: detect from the first byte)")
	cmd.Flags().IntVar(&opts.ChunkSize, "chunk-size", 0, "rows per transaction (default 8192, at most 100000)")
	cmd.Flags().StringVar(&opts.Encoding, "encoding", "", "text encoding of the file: utf-8 (default) or gbk (read as GB18030)")
	cmd.RegisterFlagCompletionFunc("encoding", cmdutil.FixedCompletion("utf-8", "gbk"))
	return cmd
}

func runImport(ctx context.Context, opts *ImportOptions) error {
	f := opts.F
	var in io.Reader = f.IO.In
	if opts.File != "-" {
		fh, err := os.Open(opts.File)
		if err != nil {
			return openError(opts.File, err)
		}
		defer fh.Close()
		in = fh
	}
	c, err := f.Client(cmdutil.Create)
	if err != nil {
		return err
	}
	lang := f.Config.Lang
	res, err := c.Imports.Import(ctx, api.ImportRequest{Kind: opts.Kind, Format: api.ImportFormat(opts.Format), Encoding: opts.Encoding, ChunkSize: opts.ChunkSize}, in, func(r api.Reject) {
		field := ""
		if r.Field != "" {
			field = r.Field + ": "
		}
		reason := r.Reason
		if lang == "zh" && r.ReasonZH != "" {
			reason = r.ReasonZH
		}
		fmt.Fprintf(f.IO.Err, "%s: %s%s [%s]\n", fmt.Sprintf(cmdutil.T(lang, "第 %d 行", "line %d"), r.Line), field, reason, r.Code)
	})
	if res != nil {
		if perr := f.Print(cmdutil.Listing{
			Cols: []cmdutil.Column{cmdutil.Col("类型", "KIND"), cmdutil.Num("行数", "ROWS"), cmdutil.Num("新增", "INSERTED"), cmdutil.Num("更新", "UPDATED"),
				cmdutil.Num("重复", "DUPLICATES"), cmdutil.Num("拒绝", "REJECTED")},
			Rows: [][]string{{string(res.Kind), strconv.Itoa(res.Rows), strconv.Itoa(res.Inserted), strconv.Itoa(res.Updated),
				strconv.Itoa(res.Duplicates), strconv.Itoa(res.Rejected)}},
			JSON: res,
		}); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		if ctx.Err() != nil && res != nil {
			return rules.Interrupted(res.Inserted + res.Updated)
		}
		return err
	}
	if res.Rejected > 0 {
		return &cmdutil.SilentError{Code: cmdutil.ExitDenied}
	}
	return nil
}

// openError says why FILE cannot be read, in the user's terms.
func openError(path string, err error) error {
	why := "cannot open it"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = "no such file"
	case errors.Is(err, fs.ErrPermission):
		why = "permission denied"
	}
	return cmdutil.Usage(rules.ErrUsage, "FILE", "%s: %s", path, why)
}
