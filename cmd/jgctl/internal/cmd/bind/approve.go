package bind

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// ApproveOptions are the inputs of `bind approve`.
type ApproveOptions struct {
	F       *cmdutil.Factory
	Request api.ApproveRequest
}

// NewCmdApprove builds `bind approve`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdApprove(f *cmdutil.Factory, runF func(*ApproveOptions) error) *cobra.Command {
	opts := &ApproveOptions{F: f}
	cmd := &cobra.Command{
		Use:   "approve REQUEST_ID",
		Short: "同意他人绑定本人车辆 / approve a request to bind your vehicle",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Request.RequestID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runApprove(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Request.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	return cmd
}

func runApprove(ctx context.Context, opts *ApproveOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	b, err := c.Bindings.Approve(ctx, opts.Request)
	if err != nil {
		return err
	}
	f.Say("已同意。", "Approved.")
	return f.Print(cmdutil.BindingListing(*b, b))
}
