// Package store is `jgctl store`: maintain the local store.
package store

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// NewCmdStore builds the `store` group.
func NewCmdStore(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "本地数据存储维护 / maintain the local store"}
	cmd.AddCommand(NewCmdCheck(f, nil), NewCmdInit(f, nil))
	return cmd
}

// embeddedOnly refuses --endpoint for a command on the local store file.
func embeddedOnly(f *cmdutil.Factory, cmd string) error {
	if f.Config.Endpoint != "" {
		return cmdutil.Usage(rules.ErrUsage, "--endpoint", "%s works on the embedded store only", cmd)
	}
	return nil
}
