// Package fines is `jgctl fines`: fines and late fees.
package fines

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdFines builds the `fines` group.
func NewCmdFines(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "fines", Short: "罚款与滞纳金 / fines and late fees"}
	cmd.AddCommand(NewCmdQuote(f, nil))
	return cmd
}
