// Package bindings is `jgctl bindings`: list and remove bindings.
package bindings

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdBindings builds the `bindings` group.
func NewCmdBindings(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "bindings", Short: "查看或解除绑定 / list or remove bindings"}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdRemove(f, nil))
	return cmd
}
