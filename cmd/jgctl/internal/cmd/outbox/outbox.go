// Package outbox is `jgctl outbox`: the SMS outbox.
package outbox

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdOutbox builds the `outbox` group.
func NewCmdOutbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "outbox", Short: "短信发件箱（工作人员）/ the SMS outbox (staff)"}
	cmd.AddCommand(NewCmdList(f, nil))
	return cmd
}
