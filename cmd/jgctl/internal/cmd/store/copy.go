package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/storecopy"
	"github.com/jgctl/jgctl/pkg/rules"
	pstore "github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"github.com/spf13/cobra"
)

// CopyOptions are the inputs of `store copy`.
type CopyOptions struct {
	F        *cmdutil.Factory
	From, To string
}

// NewCmdCopy builds `store copy`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdCopy(f *cmdutil.Factory, runF func(*CopyOptions) error) *cobra.Command {
	opts := &CopyOptions{F: f}
	cmd := &cobra.Command{
		Use:   "copy --from SRC --to DST",
		Short: "把整个数据存储复制到另一个空存储 / copy every record of a store into an empty one",
		Long: "Copy every record of the store at --from into the empty store at --to, between a bbolt file and a\n" +
			"PostgreSQL database either way (a pilot that goes to production, an offline extract) or between two of a\n" +
			"kind. Each is a file path or a postgres:// URL (or key=value DSN). --from is only read; stop every\n" +
			"writer (jgctl serve) first. A bbolt --to is created; a database --to must have its schema applied first\n" +
			"(jgctl store migrate --store DST) and hold no record (else STORE_NOT_EMPTY, exit 5). Records keep their\n" +
			"numbers (binding and order IDs, audit and outbox sequence numbers), and new numbers issued in --to\n" +
			"follow the copied ones. At the end the records of each kind in --to are counted against those read\n" +
			"and both stores are checked as by store check: any difference is exit 1, listing it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCopy(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "the store to copy: a bbolt file or a postgres:// URL")
	cmd.Flags().StringVar(&opts.To, "to", "", "the empty store to copy into: a bbolt file (created) or a migrated database")
	return cmd
}

func runCopy(ctx context.Context, opts *CopyOptions) error {
	f := opts.F
	if err := local(f, "store copy"); err != nil {
		return err
	}
	switch {
	case opts.From == "":
		return cmdutil.Usage(rules.ErrUsage, "--from", "--from is required: the store to copy")
	case opts.To == "":
		return cmdutil.Usage(rules.ErrUsage, "--to", "--to is required: the empty store to copy into")
	case opts.From == opts.To:
		return cmdutil.Usage(rules.ErrUsage, "--to", "--to names the same store as --from")
	}
	src, err := openStore(opts.From, bolt.Options{ReadOnly: true, LockTimeout: f.Config.LockTimeout})
	if err != nil {
		return err
	}
	defer src.Close()
	_, statErr := os.Stat(opts.To)
	created := !app.IsDatabase(opts.To) && errors.Is(statErr, fs.ErrNotExist)
	dst, err := openStore(opts.To, bolt.Options{Create: true, LockTimeout: f.Config.LockTimeout})
	if err != nil {
		return err
	}
	res, err := storecopy.Copy(ctx, src, dst, 0)
	dst.Close()
	if err != nil && res == nil && created {
		// Nothing checked was copied: leave no half-written file behind.
		os.Remove(opts.To)
	}
	if res == nil {
		return err
	}
	rows := make([][]string, 0, len(res.Counts))
	for _, c := range res.Counts {
		rows = append(rows, []string{c.Kind, strconv.Itoa(c.Source), strconv.Itoa(c.Destination)})
	}
	if perr := f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("类别", "KIND"), cmdutil.Num("源", "SOURCE"), cmdutil.Num("目标", "DESTINATION")},
		Rows: rows,
		JSON: res,
	}); perr != nil {
		return perr
	}
	if err == nil {
		f.Say("已复制，计数一致。", "Copied; the counts agree.")
	}
	return err
}

// openStore opens the store at location: a read-only source or a
// destination created if it is a missing file.
func openStore(location string, o bolt.Options) (pstore.Store, error) {
	_, st, err := app.Open(location, app.Config{Store: o})
	return st, err
}
