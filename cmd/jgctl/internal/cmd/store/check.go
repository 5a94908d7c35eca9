package store

import (
	"context"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// CheckOptions are the inputs of `store check`.
type CheckOptions struct {
	F *cmdutil.Factory
}

// NewCmdCheck builds `store check`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdCheck(f *cmdutil.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{F: f}
	return &cobra.Command{
		Use:   "check",
		Short: "检查存储文件与索引的一致性 / check the store file and that its indexes agree with its records",
		Long:  "Runs bbolt's page check and compares every index with the records. Exit 0 when consistent, 1 when a problem is found.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCheck(cmd.Context(), opts)
		},
	}
}

func runCheck(_ context.Context, opts *CheckOptions) error {
	f := opts.F
	r, err := verify(f, "store check", cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	status := "ok"
	if len(r.Problems) > 0 {
		status = "problems"
	}
	if err := f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("状态", "STATUS"), cmdutil.Num("记录", "RECORDS"), cmdutil.Num("决定书", "DECISIONS"), cmdutil.Num("缴款", "PAYMENTS"),
			cmdutil.Num("号牌索引", "PLATE INDEX"), cmdutil.Num("索引段", "RUNS"), cmdutil.Num("状态索引", "STATUS INDEX")},
		Rows: [][]string{{status, strconv.Itoa(r.Records), strconv.Itoa(r.Decisions), strconv.Itoa(r.Payments),
			strconv.Itoa(r.PlateIndex), strconv.Itoa(r.PlateRuns), strconv.Itoa(r.StatusIndex)}},
		JSON: r,
	}); err != nil {
		return err
	}
	if len(r.Problems) > 0 {
		for _, p := range r.Problems {
			f.SayErr(p)
		}
		return &cmdutil.SilentError{Code: cmdutil.ExitError}
	}
	return nil
}
