package bind

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// LicenceOptions are the inputs of `bind licence`.
type LicenceOptions struct {
	F       *cmdutil.Factory
	Request api.BindLicenceRequest
}

// NewCmdLicence builds `bind licence`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdLicence(f *cmdutil.Factory, runF func(*LicenceOptions) error) *cobra.Command {
	opts := &LicenceOptions{F: f}
	cmd := &cobra.Command{
		Use:   "licence",
		Short: "绑定本人驾驶证 / bind your own driving licence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runLicence(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Request.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	return cmd
}

func runLicence(ctx context.Context, opts *LicenceOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	b, err := c.Bindings.BindLicence(ctx, opts.Request)
	if err != nil {
		return err
	}
	f.Say("驾驶证已绑定。", "Licence bound.")
	return f.Print(cmdutil.BindingListing(*b, b))
}
