// Package cli is jgctl's command line: it parses flags and configuration,
// calls pkg/client and prints. No business rule lives here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// IO is where a run reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// StdIO returns the process's standard streams.
func StdIO() IO { return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// Factory carries what commands need, built lazily so that --help and
// flag errors never open the store.
type Factory struct {
	IO     IO
	Config *Config
	client client.Client
}

// Client opens the embedded store (read-only for commands that only read).
func (f *Factory) Client(readOnly bool) (client.Client, error) {
	if f.client != nil {
		return f.client, nil
	}
	if f.Config.Endpoint != "" {
		c, err := f.remote()
		if err != nil {
			return nil, err
		}
		f.client = c
		return c, nil
	}
	opts, err := f.embeddedOptions()
	if err != nil {
		return nil, err
	}
	if readOnly {
		opts = append(opts, embedded.ReadOnly())
	}
	if f.Config.As != "" {
		opts = append(opts, embedded.AsPerson(rules.NormalizeIDNumber(f.Config.As)))
	}
	cl, err := embedded.Open(f.Config.Store, opts...)
	if err != nil {
		return nil, err
	}
	f.client = cl
	return cl, nil
}

// embeddedOptions turns the configuration into embedded-transport options.
func (f *Factory) embeddedOptions() ([]embedded.Option, error) {
	c := f.Config
	opts := []embedded.Option{embedded.WithPolicy(c.Policy), embedded.WithLockTimeout(c.LockTimeout),
		embedded.WithGateway(gateway.NewSandbox(c.SandboxMode))}
	// Times are China time (+08:00) whatever the machine's zone or the
	// offset --now was written with.
	now := time.Now
	if !c.Now.IsZero() {
		fixed := c.Now
		now = func() time.Time { return fixed }
	}
	opts = append(opts, embedded.WithClock(func() time.Time { return now().In(rules.China) }))
	if c.Holidays != "" {
		cal, err := refdata.Calendar(c.Holidays)
		if err != nil {
			return nil, usageErr("reference.holidays: %v", err)
		}
		opts = append(opts, embedded.WithCalendar(cal))
	}
	if c.Codes != "" {
		codes, err := refdata.Codes(c.Codes)
		if err != nil {
			return nil, usageErr("reference.violation_codes: %v", err)
		}
		opts = append(opts, embedded.WithCodes(codes))
	}
	return opts, nil
}

func (f *Factory) close() {
	if f.client != nil {
		f.client.Close()
	}
}

// Actor returns who the run acts as (for messages).
func (f *Factory) Actor() api.Actor {
	if f.Config.As != "" {
		return api.Actor{Role: api.RolePerson, IDNumber: f.Config.As}
	}
	return api.Staff
}

var globalFlags = []string{"store", "endpoint", "token", "output", "as", "now", "lang", "config", "lock-timeout"}

func isGlobal(name string) bool { return slices.Contains(globalFlags, name) }

// NewRoot builds the command tree.
func NewRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "jgctl",
		Short:         "交通安全综合服务管理平台 / traffic-police online service platform",
		Long:          "jgctl runs the traffic-police online service platform (互联网交通安全综合服务管理平台) on an embedded store.\nExit codes: 0 ok, 1 error, 2 usage or invalid input, 3 not found, 4 not allowed, 5 rule denied or conflict, 6 store locked or unavailable.",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			f.Config = c
			return nil
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	pf := root.PersistentFlags()
	pf.String("store", "", "store file (env JGCTL_STORE; default $XDG_DATA_HOME/jgctl/jgctl.db)")
	pf.String("endpoint", "", "URL of a `jgctl serve` endpoint (env JGCTL_ENDPOINT); every command then runs there")
	pf.String("token", "", "bearer token for --endpoint (env JGCTL_TOKEN; default: the one saved by `jgctl login`)")
	pf.StringP("output", "o", "table", "output format: table, json or plain")
	pf.String("as", "", "act as this registered person (ID number); without it, as back-office staff")
	pf.String("now", "", "fixed clock for the embedded store (env JGCTL_NOW), e.g. 2026-11-24T10:00:00+08:00")
	pf.String("lang", "", "language of human text: zh or en (default from LANG)")
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/jgctl/config.yaml)")
	pf.Duration("lock-timeout", time.Second, "how long to wait for a store locked by another jgctl")
	root.RegisterFlagCompletionFunc("output", fixedCompletion("table", "json", "plain"))
	root.RegisterFlagCompletionFunc("lang", fixedCompletion("zh", "en"))
	root.AddCommand(newImportCmd(f), newRegisterCmd(f), newBindCmd(f), newBindingsCmd(f), newViolationsCmd(f),
		newPayCmd(f), newFinesCmd(f), newCheckCmd(f), newDemoCmd(f), newSweepCmd(f), newOutboxCmd(f), newStoreCmd(f),
		newServeCmd(f), newSmokeCmd(f), newPaymentsCmd(f), newLoginCmd(f), newLogoutCmd(f), newWhoamiCmd(f), newTokenCmd(f))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
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
					return usageErr("unknown command %q for %q", args[0], c.CommandPath())
				}
				return c.Help()
			}
		}
	}
}

func fixedCompletion(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

// Main runs jgctl with args and returns the exit status.
func Main(args []string, stdio IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f := &Factory{IO: stdio}
	defer f.close()
	root := NewRoot(f)
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	code := ExitCode(err)
	if ctx.Err() != nil {
		code = 130
	}
	printError(f, err)
	return code
}

// usageError is a flag or argument mistake (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// silentError carries an exit status for a failure already reported.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Exit codes (docs/exit-codes.md).
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitNotFound    = 3
	ExitNotAllowed  = 4
	ExitDenied      = 5
	ExitUnavailable = 6
)

// ExitCode maps an error to the documented exit status.
func ExitCode(err error) int {
	var ue *usageError
	var se *silentError
	switch {
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue):
		return ExitUsage
	}
	var re *rules.Error
	if !errors.As(err, &re) {
		if isCobraUsage(err) {
			return ExitUsage
		}
		return ExitError
	}
	switch re.Kind {
	case rules.KindInvalid:
		return ExitUsage
	case rules.KindNotFound:
		return ExitNotFound
	case rules.KindForbidden:
		return ExitNotAllowed
	case rules.KindDenied, rules.KindConflict:
		return ExitDenied
	case rules.KindUnavailable:
		return ExitUnavailable
	}
	return ExitError
}

// isCobraUsage recognises cobra's own argument and command errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "required flag", "if any flags in the group", "none of the others can be", "at least one of the flags"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// printError reports err once on stderr: as a JSON object with -o json,
// else as text in the chosen language.
func printError(f *Factory, err error) {
	var se *silentError
	if errors.As(err, &se) {
		return
	}
	lang, output := "en", "table"
	if f.Config != nil {
		lang, output = f.Config.Lang, f.Config.Output
	}
	var re *rules.Error
	if !errors.As(err, &re) {
		if output == "json" {
			writeJSON(f.IO.Err, map[string]any{"error": map[string]string{"code": "ERROR", "message": err.Error()}})
			return
		}
		fmt.Fprintf(f.IO.Err, "%s: %v\n", t(lang, "错误", "Error"), err)
		if ExitCode(err) == ExitUsage {
			fmt.Fprintln(f.IO.Err, t(lang, "运行 'jgctl --help' 查看用法。", "Run 'jgctl --help' for usage."))
		}
		return
	}
	if output == "json" {
		obj := map[string]string{"code": re.Code, "message": re.EN, "message_zh": re.ZH, "kind": re.Kind.String()}
		if re.Field != "" {
			obj["field"] = re.Field
		}
		writeJSON(f.IO.Err, map[string]any{"error": obj})
		return
	}
	msg := re.Message(lang)
	if re.Field != "" {
		msg = re.Field + ": " + msg
	}
	fmt.Fprintf(f.IO.Err, "%s: %s [%s]\n", t(lang, "错误", "Error"), msg, re.Code)
}

// t picks the Chinese or English text.
func t(lang, zh, en string) string {
	if lang == "zh" {
		return zh
	}
	return en
}
