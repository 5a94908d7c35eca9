// Package cmdutil holds what jgctl's commands share: the Factory (streams,
// configuration, a lazily opened client), output printers, and errors with
// their exit codes. No business rule lives here.
package cmdutil

import (
	"io"
	"os"
	"time"

	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// IO is where a run reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// StdIO returns the process's standard streams.
func StdIO() IO { return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// Factory carries what commands need, built lazily so that --help and
// flag errors never open the store. Config is set once the command line
// is parsed (the root's PersistentPreRunE).
type Factory struct {
	IO     IO
	Config *Config
	// JSONLines prints each JSON document on one line (demo -o json).
	JSONLines bool
	client    client.Client
}

// Mode says what a command does to the embedded store.
type Mode int

const (
	// ReadOnly commands share the store with other readers.
	ReadOnly Mode = iota
	// Write commands change an existing store.
	Write
	// Create commands write and may create the store (import, register,
	// token create, serve, store init).
	Create
)

// Client returns the client of the run: the HTTP one of --endpoint, else
// the embedded store opened for mode, acting as --as.
func (f *Factory) Client(mode Mode) (client.Client, error) {
	if f.client != nil {
		return f.client, nil
	}
	if f.Config.Endpoint != "" {
		c, err := f.Remote()
		if err != nil {
			return nil, err
		}
		f.client = c
		return c, nil
	}
	c, err := f.Embedded(mode)
	if err != nil {
		return nil, err
	}
	f.client = c
	return c, nil
}

// Embedded opens the configured store for mode, acting as --as.
func (f *Factory) Embedded(mode Mode, extra ...embedded.Option) (*embedded.Client, error) {
	if f.Config.As != "" {
		extra = append(extra, embedded.AsPerson(f.Config.As))
	}
	return f.OpenStore(f.Config.Store, mode, extra...)
}

// OpenStore opens the store at path for mode with the configured policy,
// clock, reference data and gateway: the one place a mode becomes store
// options.
func (f *Factory) OpenStore(path string, mode Mode, extra ...embedded.Option) (*embedded.Client, error) {
	opts, err := f.embeddedOptions()
	if err != nil {
		return nil, err
	}
	switch mode {
	case ReadOnly:
		opts = append(opts, embedded.ReadOnly())
	case Create:
		opts = append(opts, embedded.CreateIfMissing())
	}
	return embedded.Open(path, append(opts, extra...)...)
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
			return nil, Usage(rules.ErrConfigValue, "reference.holidays", "reference.holidays: %v", err)
		}
		opts = append(opts, embedded.WithCalendar(cal))
	}
	if c.Codes != "" {
		codes, err := refdata.Codes(c.Codes)
		if err != nil {
			return nil, Usage(rules.ErrConfigValue, "reference.violation_codes", "reference.violation_codes: %v", err)
		}
		opts = append(opts, embedded.WithCodes(codes))
	}
	return opts, nil
}

// Remote returns the HTTP client of --endpoint, with the token from
// --token / JGCTL_TOKEN or else the one `jgctl login` saved.
func (f *Factory) Remote() (*client.HTTP, error) {
	c := f.Config
	tok := c.Token
	if tok == "" {
		tok = SavedTokens()[c.Endpoint]
	}
	opts := []client.Option{}
	if tok != "" {
		opts = append(opts, client.WithToken(tok))
	}
	if c.As != "" {
		opts = append(opts, client.ActingAs(c.As))
	}
	h, err := client.New(c.Endpoint, opts...)
	if err != nil {
		return nil, Usage(rules.ErrFlagValue, "--endpoint", "--endpoint: %v", err)
	}
	return h, nil
}

// NeedEndpoint returns the HTTP client for a command that works only
// against a server.
func (f *Factory) NeedEndpoint(cmd string) (*client.HTTP, error) {
	if f.Config.Endpoint == "" {
		return nil, Usage(rules.ErrUsage, "--endpoint", "%s needs --endpoint (or JGCTL_ENDPOINT)", cmd)
	}
	return f.Remote()
}

// Close closes the client if one was opened.
func (f *Factory) Close() {
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
