package bindings

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// ListOptions are the inputs of `bindings list`.
type ListOptions struct {
	F       *cmdutil.Factory
	Request api.ListBindingsRequest
}

// NewCmdList builds `bindings list`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "列出绑定 / list your bindings (staff: --id-number)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Request.IDNumber, "id-number", "", "whose bindings (staff only)")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	c, err := opts.F.Client(cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	bs, err := c.Bindings.List(ctx, opts.Request)
	if err != nil {
		return err
	}
	return opts.F.Print(cmdutil.BindingsListing(bs))
}
