// Package cmdutil holds what jgctl's commands share: the Factory (streams,
// configuration, a lazily opened client), output printers, and errors with
// their exit codes. No business rule lives here.
package cmdutil

import (
	"io"
	"os"
	"time"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
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
	client    *client.Client
	// local is the embedded client, when the run opened one (store check).
	local *embedded.Client
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
	// Offline commands compute without the store (fines quote): the
	// embedded transport opens none.
	Offline
)

// Client returns the client of the run: the HTTP one of --endpoint, else
// the embedded store opened for mode, acting as --as.
func (f *Factory) Client(mode Mode) (*client.Client, error) {
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
	f.client, f.local = c.Client, c
	return c.Client, nil
}

// Local returns the embedded client of the run, opening it for mode (nil
// with --endpoint).
func (f *Factory) Local(mode Mode) (*embedded.Client, error) {
	if f.Config.Endpoint != "" {
		return nil, nil
	}
	if _, err := f.Client(mode); err != nil {
		return nil, err
	}
	return f.local, nil
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
	opts, err := f.modeOptions(mode)
	if err != nil {
		return nil, err
	}
	return embedded.Open(path, append(opts, extra...)...)
}

// modeOptions is the configuration and the mode as embedded options.
func (f *Factory) modeOptions(mode Mode) ([]embedded.Option, error) {
	opts, err := f.embeddedOptions()
	if err != nil {
		return nil, err
	}
	switch mode {
	case ReadOnly:
		opts = append(opts, embedded.ReadOnly())
	case Offline:
		opts = append(opts, embedded.Offline())
	case Create:
		opts = append(opts, embedded.CreateIfMissing())
	}
	return opts, nil
}

// Engine opens the configured store for mode and the engine over it, for
// `jgctl serve` to put the HTTP API over; closing the store is the caller's.
func (f *Factory) Engine(mode Mode, extra ...embedded.Option) (*engine.Engine, store.Store, error) {
	opts, err := f.modeOptions(mode)
	if err != nil {
		return nil, nil, err
	}
	var o app.Options
	for _, opt := range append(opts, extra...) {
		opt(&o)
	}
	return app.Open(f.Config.Store, o.Config)
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
func (f *Factory) Remote() (*client.Client, error) {
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
func (f *Factory) NeedEndpoint(cmd string) (*client.Client, error) {
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
