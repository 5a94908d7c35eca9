// Package pay is `jgctl pay`: pay a fine.
package pay

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/spf13/cobra"
)

// PayOptions are the inputs of `pay`.
type PayOptions struct {
	F       *cmdutil.Factory
	Request api.PayRequest
}

// NewCmdPay builds `pay`; runF, if not nil, runs instead of the command's
// own run function (tests).
func NewCmdPay(f *cmdutil.Factory, runF func(*PayOptions) error) *cobra.Command {
	opts := &PayOptions{F: f}
	cmd := &cobra.Command{
		Use:   "pay (--decision NO | --record RECORD_NO) [--idempotency-key K]",
		Short: "缴纳罚款（可代他人按决定书编号缴纳）/ pay a fine, by decision number (anyone) or record number (your own)",
		Long: "Pay a penalty decision: the fine plus the late fee as of today. Anyone may pay by decision number;\n" +
			"by record number only for your own records. Give --idempotency-key to make retries safe: the same key\n" +
			"returns the same receipt and never charges twice.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPay(cmd.Context(), opts)
		},
	}
	r := &opts.Request
	cmd.Flags().StringVar(&r.DecisionNo, "decision", "", "decision number (决定书编号)")
	cmd.Flags().StringVar(&r.RecordNo, "record", "", "record number of your own violation")
	cmd.Flags().StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retried payment safe")
	cmd.MarkFlagsOneRequired("decision", "record")
	cmd.MarkFlagsMutuallyExclusive("decision", "record")
	return cmd
}

func runPay(ctx context.Context, opts *PayOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	r := opts.Request
	if r.IdempotencyKey == "" {
		r.IdempotencyKey = client.NewIdempotencyKey()
	}
	rec, err := c.Payments.Pay(ctx, r)
	if err != nil {
		return err
	}
	if rec.Replayed {
		f.Say("该幂等键已缴款，以下为原收据（未重复扣款）。", "Already paid with this idempotency key; the original receipt (nothing charged again):")
	} else {
		f.Say("缴款成功。", "Paid.")
	}
	return f.Print(cmdutil.ReceiptListing(rec))
}
