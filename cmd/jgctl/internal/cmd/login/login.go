// Package login is `jgctl login`: sign in to a server and keep the token.
package login

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// LoginOptions are the inputs of `login`.
type LoginOptions struct {
	F       *cmdutil.Factory
	Request api.LoginRequest
	// PasswordStdin reads the password from standard input (required).
	PasswordStdin bool
}

// NewCmdLogin builds `login`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdLogin(f *cmdutil.Factory, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{F: f}
	cmd := &cobra.Command{
		Use:   "login --id-number N --password-stdin",
		Short: "登录远程服务并保存令牌 / sign in to --endpoint and keep the token in the user's config",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runLogin(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Request.IDNumber, "id-number", "", "your ID number")
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	cmd.MarkFlagRequired("id-number")
	return cmd
}

func runLogin(ctx context.Context, opts *LoginOptions) error {
	f := opts.F
	h, err := f.NeedEndpoint("login")
	if err != nil {
		return err
	}
	if !opts.PasswordStdin {
		return cmdutil.Usage(rules.ErrUsage, "--password-stdin", "login reads the password from standard input: give --password-stdin")
	}
	r := opts.Request
	if r.Password, err = cmdutil.ReadPassword(f.IO.In); err != nil {
		return err
	}
	tok, err := h.Accounts.Login(ctx, r)
	if err != nil {
		return err
	}
	if err := cmdutil.SaveToken(f.Config.Endpoint, tok.Token); err != nil {
		return err
	}
	f.Say("已登录，令牌保存在 %s。", "Signed in; the token is kept in %s.", cmdutil.TokensPath())
	t := *tok
	t.Token = "" // kept in the file, not printed
	return f.Print(cmdutil.TokenListing(&t))
}
