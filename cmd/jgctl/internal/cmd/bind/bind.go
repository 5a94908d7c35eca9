// Package bind is `jgctl bind`: bind a vehicle or a licence, and approve
// a request to bind one's vehicle.
package bind

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdBind builds the `bind` group.
func NewCmdBind(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "bind", Short: "绑定机动车或驾驶证 / bind a vehicle or your licence"}
	cmd.AddCommand(NewCmdVehicle(f, nil), NewCmdApprove(f, nil), NewCmdLicence(f, nil))
	return cmd
}
