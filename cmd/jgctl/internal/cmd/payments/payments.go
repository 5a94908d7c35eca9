// Package payments is `jgctl payments`: payment reconciliation.
package payments

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdPayments builds the `payments` group.
func NewCmdPayments(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "payments", Short: "缴款对账 / payment reconciliation"}
	cmd.AddCommand(NewCmdReconcile(f, nil))
	return cmd
}
