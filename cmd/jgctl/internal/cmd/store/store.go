// Package store is `jgctl store`: maintain the local store.
package store

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/pkg/rules"
	pstore "github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"github.com/spf13/cobra"
)

// NewCmdStore builds the `store` group.
func NewCmdStore(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "数据存储维护 / maintain the store (a bbolt file or a PostgreSQL database)"}
	cmd.AddCommand(NewCmdCheck(f, nil), NewCmdCopy(f, nil), NewCmdInit(f, nil), NewCmdMigrate(f, nil))
	return cmd
}

// local refuses --endpoint for a command that maintains the store itself.
func local(f *cmdutil.Factory, cmd string) error {
	if f.Config.Endpoint != "" {
		return cmdutil.Usage(rules.ErrUsage, "--endpoint", "%s works on the store itself (--store), not through an endpoint", cmd)
	}
	return nil
}

// verify opens the store for mode (refusing --endpoint) and checks it.
func verify(f *cmdutil.Factory, cmd string, mode cmdutil.Mode) (*pstore.Report, error) {
	if err := local(f, cmd); err != nil {
		return nil, err
	}
	if mode == cmdutil.ReadOnly && !app.IsDatabase(f.Config.Store) {
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
