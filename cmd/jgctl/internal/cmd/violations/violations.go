// Package violations is `jgctl violations`: list and handle violation
// records.
package violations

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdViolations builds the `violations` group.
func NewCmdViolations(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "violations", Aliases: []string{"violation"}, Short: "违法记录 / violation records"}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdHandle(f, nil))
	return cmd
}
