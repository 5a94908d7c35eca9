// Package sweep is `jgctl sweep`: the batch job.
package sweep

import (
	"context"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// SweepOptions are the inputs of `sweep`.
type SweepOptions struct {
	F *cmdutil.Factory
}

// NewCmdSweep builds `sweep`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdSweep(f *cmdutil.Factory, runF func(*SweepOptions) error) *cobra.Command {
	opts := &SweepOptions{F: f}
	return &cobra.Command{
		Use:   "sweep",
		Short: "批处理：归并缴款、撤销超时未缴款的网上处理（工作人员）/ batch job: fold payments into records, expire unpaid online handlings (staff)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runSweep(cmd.Context(), opts)
		},
	}
}

func runSweep(ctx context.Context, opts *SweepOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	res, err := c.Jobs.Sweep(ctx)
	if err != nil {
		return err
	}
	f.Say("已归并 %d 笔缴款，撤销 %d 条超时处理。", "%d payments folded into their records, %d expired handlings returned to unhandled.", res.Folded, res.Expired)
	if f.Config.Output == "table" {
		return nil
	}
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Num("归并", "FOLDED"), cmdutil.Num("撤销", "EXPIRED")},
		Rows: [][]string{{strconv.Itoa(res.Folded), strconv.Itoa(res.Expired)}},
		JSON: res,
	})
}
