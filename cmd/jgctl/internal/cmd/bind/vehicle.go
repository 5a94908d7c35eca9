package bind

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// VehicleOptions are the inputs of `bind vehicle`.
type VehicleOptions struct {
	F       *cmdutil.Factory
	Request api.BindVehicleRequest
}

// NewCmdVehicle builds `bind vehicle`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdVehicle(f *cmdutil.Factory, runF func(*VehicleOptions) error) *cobra.Command {
	opts := &VehicleOptions{F: f}
	cmd := &cobra.Command{
		Use:   "vehicle --plate P --plate-type T",
		Short: "绑定机动车：本人车辆立即生效，他人车辆需所有人同意 / bind a vehicle (another owner's needs their approval)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runVehicle(cmd.Context(), opts)
		},
	}
	r := &opts.Request
	cmd.Flags().StringVar(&r.Plate, "plate", "", "plate number, e.g. 鲁A12345")
	cmd.Flags().StringVar(&r.PlateType, "plate-type", "", "plate type code, e.g. 02")
	cmd.Flags().StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	cmd.MarkFlagRequired("plate")
	cmd.MarkFlagRequired("plate-type")
	return cmd
}

func runVehicle(ctx context.Context, opts *VehicleOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Write)
	if err != nil {
		return err
	}
	b, err := c.Bindings.BindVehicle(ctx, opts.Request)
	if err != nil {
		return err
	}
	if b.Status == rules.BindingPending {
		f.Say("已向机动车所有人发送申请，申请编号 %s，待所有人同意后生效。", "Request %s sent to the vehicle's owner; it takes effect once they approve.", b.RequestID)
	} else {
		f.Say("机动车 %s 已绑定。", "Vehicle %s bound.", b.Plate)
	}
	return f.Print(cmdutil.BindingListing(b.Binding, b))
}
