// Package store is `jgctl store`: maintain the local store.
package store

import (
	"context"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	pstore "github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"github.com/spf13/cobra"
)

// NewCmdStore builds the `store` group.
func NewCmdStore(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "本地数据存储维护 / maintain the local store"}
	cmd.AddCommand(NewCmdCheck(f, nil), NewCmdInit(f, nil))
	return cmd
}

// verify opens the local store for mode (refusing --endpoint) and checks
// it.
func verify(f *cmdutil.Factory, cmd string, mode cmdutil.Mode) (*pstore.Report, error) {
	if f.Config.Endpoint != "" {
		return nil, cmdutil.Usage(rules.ErrUsage, "--endpoint", "%s works on the embedded store only", cmd)
	}
	if mode == cmdutil.ReadOnly {
		// Straight from the file: damage that keeps it from opening is
		// listed as problems (exit 1), not refused (exit 6).
		return bolt.VerifyFile(f.Config.Store, bolt.Options{LockTimeout: f.Config.LockTimeout})
	}
	c, err := f.Embedded(mode)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Verify(context.Background())
}
