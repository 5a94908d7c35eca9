package violations

import (
	"context"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// HandleOptions are the inputs of `violations handle`.
type HandleOptions struct {
	F       *cmdutil.Factory
	Request api.HandleRequest
}

// NewCmdHandle builds `violations handle`; runF, if not nil, runs instead
// of the command's own run function (tests).
func NewCmdHandle(f *cmdutil.Factory, runF func(*HandleOptions) error) *cobra.Command {
	opts := &HandleOptions{F: f}
	cmd := &cobra.Command{
		Use:   "handle RECORD_NO",
		Short: "网上处理电子监控记录，生成待缴款决定书 / handle a camera record online",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Request.RecordNo = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runHandle(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Request.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	return cmd
}

func runHandle(ctx context.Context, opts *HandleOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	res, err := c.Violations.Handle(ctx, opts.Request)
	if err != nil {
		return err
	}
	f.Say("已受理，请在 %s 前缴款，逾期未缴将撤销本次处理。", "Accepted. Pay by %s or this handling lapses.", cmdutil.FmtTime(res.PendingUntil))
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("记录编号", "RECORD NO"), cmdutil.Col("决定书编号", "DECISION NO"), cmdutil.Col("缴款单号", "ORDER ID"), cmdutil.Num("罚款", "FINE"),
			cmdutil.Num("记分", "POINTS"), cmdutil.Num("应缴", "AMOUNT DUE"), cmdutil.Col("缴款截止", "PAY BY")},
		Rows: [][]string{{res.RecordNo, res.DecisionNo, res.OrderID, res.Fine.String(), strconv.Itoa(res.Points), res.AmountDue.String(), cmdutil.FmtTime(res.PendingUntil)}},
		JSON: res,
	})
}
