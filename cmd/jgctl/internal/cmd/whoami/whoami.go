// Package whoami is `jgctl whoami`: who the commands act as.
package whoami

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// WhoamiOptions are the inputs of `whoami`.
type WhoamiOptions struct {
	F *cmdutil.Factory
}

// NewCmdWhoami builds `whoami`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdWhoami(f *cmdutil.Factory, runF func(*WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{F: f}
	return &cobra.Command{
		Use:   "whoami",
		Short: "显示当前身份 / show who the commands act as",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWhoami(cmd.Context(), opts)
		},
	}
}

func runWhoami(ctx context.Context, opts *WhoamiOptions) error {
	f := opts.F
	a, err := actor(ctx, f)
	if err != nil {
		return err
	}
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("角色", "ROLE"), cmdutil.Col("身份", "SUBJECT")},
		Rows: [][]string{{string(a.Role), a.IDNumber + a.Name}},
		JSON: a,
	})
}

// actor asks who the run acts as: the token's holder on a server; staff,
// or the --as person, who must be registered (PERSON_NOT_FOUND), on the
// embedded store.
func actor(ctx context.Context, f *cmdutil.Factory) (*api.Actor, error) {
	c, err := f.Client(cmdutil.ReadOnly)
	if err != nil {
		return nil, err
	}
	return c.Accounts.Whoami(ctx)
}
