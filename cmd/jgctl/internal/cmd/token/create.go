package token

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// CreateOptions are the inputs of `token create`.
type CreateOptions struct {
	F       *cmdutil.Factory
	Request api.TokenRequest
}

// NewCmdCreate builds `token create`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{F: f}
	var role string
	cmd := &cobra.Command{
		Use:   "create --role R [--name N] [--ttl 720h]",
		Short: "签发令牌（在本地存储上运行即可创建首个工作人员令牌）/ issue a token (on the embedded store: how the first staff token is made)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Request.Role = api.Role(role)
			if runF != nil {
				return runF(opts)
			}
			return runCreate(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "person, unit, hospital, bank, staff or admin")
	cmd.Flags().StringVar(&opts.Request.Name, "name", "", "the account's name (for role person: the ID number)")
	cmd.Flags().StringVar(&opts.Request.TTL, "ttl", "", "lifetime, e.g. 720h (default 2160h)")
	cmd.MarkFlagRequired("role")
	cmd.RegisterFlagCompletionFunc("role", cmdutil.FixedCompletion("person", "unit", "hospital", "bank", "staff", "admin"))
	return cmd
}

func runCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Create)
	if err != nil {
		return err
	}
	tok, err := c.Accounts.CreateToken(ctx, opts.Request)
	if err != nil {
		return err
	}
	if f.Config.Output == "table" {
		f.Say("令牌（仅显示一次）：", "Token (shown once):")
		f.Say("%s", "%s", tok.Token)
	}
	l := cmdutil.TokenListing(tok)
	if f.Config.Output == "plain" {
		l.Rows = [][]string{{tok.Token}}
	}
	return f.Print(l)
}
