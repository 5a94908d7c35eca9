// Package token is `jgctl token`: service-account tokens.
package token

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdToken builds the `token` group.
func NewCmdToken(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "服务账号令牌 / service-account tokens"}
	cmd.AddCommand(NewCmdCreate(f, nil))
	return cmd
}
