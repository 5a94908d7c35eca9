package payments

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// ReconcileOptions are the inputs of `payments reconcile`.
type ReconcileOptions struct {
	F       *cmdutil.Factory
	Request api.ReconcileRequest
}

// NewCmdReconcile builds `payments reconcile`; runF, if not nil, runs
// instead of the command's own run function (tests).
func NewCmdReconcile(f *cmdutil.Factory, runF func(*ReconcileOptions) error) *cobra.Command {
	opts := &ReconcileOptions{F: f}
	return &cobra.Command{
		Use:   "reconcile ORDER_ID",
		Short: "向支付网关查询订单并补记银行已扣款的缴款 / ask the gateway about an order and record a payment the bank took",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Request.OrderID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runReconcile(cmd.Context(), opts)
		},
	}
}

func runReconcile(ctx context.Context, opts *ReconcileOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	res, err := c.Payments.Reconcile(ctx, opts.Request)
	if err != nil {
		return err
	}
	switch {
	case res.Applied:
		f.Say("银行已扣款，缴款已补记。", "The bank took the money; the payment is recorded now.")
	case res.Payment != nil:
		f.Say("该缴款已记录，无需处理。", "The payment was already recorded; nothing to do.")
	case !res.GatewayPaid:
		f.Say("网关未扣款。", "The gateway took no money for this order.")
	}
	payment := ""
	if res.Payment != nil {
		payment = res.Payment.ID
	}
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("订单", "ORDER"), cmdutil.Col("决定书编号", "DECISION NO"), cmdutil.Col("网关已扣款", "GATEWAY PAID"),
			cmdutil.Col("本次补记", "APPLIED"), cmdutil.Col("缴款编号", "PAYMENT ID")},
		Rows: [][]string{{res.OrderID, res.DecisionNo, cmdutil.YesNo(res.GatewayPaid), cmdutil.YesNo(res.Applied), payment}},
		JSON: res,
	})
}
