// Package logout is `jgctl logout`: revoke the token and forget it.
package logout

import (
	"context"
	"errors"
	"io/fs"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// LogoutOptions are the inputs of `logout`.
type LogoutOptions struct {
	F *cmdutil.Factory
}

// NewCmdLogout builds `logout`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdLogout(f *cmdutil.Factory, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{F: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "注销令牌 / revoke the token and forget it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runLogout(cmd.Context(), opts)
		},
	}
}

func runLogout(ctx context.Context, opts *LogoutOptions) error {
	f := opts.F
	h, err := f.NeedEndpoint("logout")
	if err != nil {
		return err
	}
	if err := h.Accounts.Logout(ctx); err != nil && !errors.Is(err, rules.ErrUnauthenticated) {
		return err
	}
	if err := cmdutil.SaveToken(f.Config.Endpoint, ""); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f.Say("已注销。", "Signed out.")
	return nil
}
