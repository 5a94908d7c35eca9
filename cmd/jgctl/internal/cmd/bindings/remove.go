package bindings

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// RemoveOptions are the inputs of `bindings remove`.
type RemoveOptions struct {
	F       *cmdutil.Factory
	Request api.RemoveBindingRequest
}

// NewCmdRemove builds `bindings remove`; runF, if not nil, runs instead
// of the command's own run function (tests).
func NewCmdRemove(f *cmdutil.Factory, runF func(*RemoveOptions) error) *cobra.Command {
	opts := &RemoveOptions{F: f}
	cmd := &cobra.Command{
		Use:   "remove BINDING_ID",
		Short: "解除绑定 / remove a binding",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Request.BindingID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runRemove(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Request.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	return cmd
}

func runRemove(ctx context.Context, opts *RemoveOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	if err := c.Bindings.Remove(ctx, opts.Request); err != nil {
		return err
	}
	f.Say("已解除绑定 %s。", "Binding %s removed.", opts.Request.BindingID)
	if f.Config.Output == "json" {
		return cmdutil.WriteJSON(f.IO.Out, map[string]any{"removed": opts.Request.BindingID})
	}
	return nil
}
