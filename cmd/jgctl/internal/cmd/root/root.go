// Package root builds jgctl's command tree and runs it: one package per
// noun under cmd/jgctl/internal/cmd, one file per verb, the shared pieces
// in cmdutil.
package root

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"time"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/bind"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/bindings"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/check"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/demo"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/fines"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/importcmd"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/login"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/logout"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/outbox"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/pay"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/payments"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/register"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/serve"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/smoke"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/store"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/sweep"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/token"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/version"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/violations"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/whoami"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "jgctl",
		Short:         "交通安全综合服务管理平台 / traffic-police online service platform",
		Long:          "jgctl runs the traffic-police online service platform (互联网交通安全综合服务管理平台) on an embedded store.\nExit codes: 0 ok, 1 error, 2 usage or invalid input, 3 not found, 4 not allowed, 5 rule denied or conflict, 6 store locked or unavailable.",
		Version:       version.Get().String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cmdutil.LoadConfig(cmd)
			if err != nil {
				return err
			}
			f.Config = c
			return nil
		},
	}
	root.SetVersionTemplate("jgctl {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.String("store", "", "the store: a bbolt file, or a PostgreSQL database as a postgres:// URL or key=value DSN (env JGCTL_STORE; default $XDG_DATA_HOME/jgctl/jgctl.db)")
	pf.String("endpoint", "", "`URL` of a jgctl serve endpoint (env JGCTL_ENDPOINT); every command then runs there")
	pf.String("token", "", "bearer `TOKEN` for --endpoint (env JGCTL_TOKEN; default: the one saved by jgctl login)")
	pf.StringP("output", "o", "table", "output format: table, json or plain")
	pf.String("as", "", "act as this registered person (ID number); without it, as back-office staff")
	pf.String("now", "", "fixed clock for the embedded store (env JGCTL_NOW), e.g. 2026-11-24T10:00:00+08:00")
	pf.String("lang", "", "language of human text: zh or en (default from LANG)")
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/jgctl/config.yaml)")
	pf.Duration("lock-timeout", time.Second, "how long to wait for a store locked by another jgctl")
	root.RegisterFlagCompletionFunc("output", cmdutil.FixedCompletion("table", "json", "plain"))
	root.RegisterFlagCompletionFunc("lang", cmdutil.FixedCompletion("zh", "en"))
	root.AddCommand(importcmd.NewCmdImport(f, nil), register.NewCmdRegister(f, nil), bind.NewCmdBind(f), bindings.NewCmdBindings(f),
		violations.NewCmdViolations(f), pay.NewCmdPay(f, nil), fines.NewCmdFines(f), check.NewCmdCheck(f), demo.NewCmdDemo(f, nil),
		sweep.NewCmdSweep(f, nil), outbox.NewCmdOutbox(f), store.NewCmdStore(f), serve.NewCmdServe(f, nil), smoke.NewCmdSmoke(f, nil),
		payments.NewCmdPayments(f), login.NewCmdLogin(f, nil), logout.NewCmdLogout(f, nil), whoami.NewCmdWhoami(f, nil),
		token.NewCmdToken(f), version.NewCmdVersion(f, nil))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.FlagParseError(err) })
	rejectUnknownSubcommands(root)
	return root
}

// rejectUnknownSubcommands makes command groups (bind, violations, …) fail
// with a usage error on an unknown subcommand: cobra only checks that at
// the root and otherwise prints help and exits 0.
func rejectUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		rejectUnknownSubcommands(c)
		if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
			c.RunE = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return cmdutil.Usage(rules.ErrUsage, "", "unknown command %q for %q", args[0], c.CommandPath())
				}
				return c.Help()
			}
		}
	}
}

// Main runs jgctl with args and returns the exit status; Ctrl-C stops the
// run with status 130.
func Main(args []string, stdio cmdutil.IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, args, stdio)
}

// Run runs jgctl with args until ctx is done and returns the exit status.
func Run(ctx context.Context, args []string, stdio cmdutil.IO) int {
	f := &cmdutil.Factory{IO: stdio}
	defer f.Close()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	code := cmdutil.ExitCode(err)
	if ctx.Err() != nil {
		code = cmdutil.ExitInterrupted
		if !errors.Is(err, rules.ErrInterrupted) {
			err = rules.ErrInterrupted
		}
	}
	cmdutil.PrintError(f, err)
	return code
}
