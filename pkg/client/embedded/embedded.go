// Package embedded is the transport over a local bbolt store: the engine
// runs in the caller's process. It is what `jgctl` uses without
// --endpoint, and what tests and batch programs on the store's machine use.
package embedded

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/ops"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Option configures Open.
type Option func(*app.Options)

// WithActor acts as the given actor (default: back-office staff).
func WithActor(a api.Actor) Option { return func(o *app.Options) { o.Actor = a } }

// AsPerson acts as the registered person with this ID number.
func AsPerson(idNumber string) Option {
	return WithActor(api.Actor{Role: api.RolePerson, IDNumber: idNumber})
}

// WithClock fixes the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *app.Options) { o.Now = now } }

// WithPolicy sets the policy (default rules.DefaultPolicy()).
func WithPolicy(p rules.Policy) Option { return func(o *app.Options) { o.Policy = &p } }

// WithCalendar replaces the shipped holiday calendar.
func WithCalendar(c rules.Calendar) Option { return func(o *app.Options) { o.Calendar = &c } }

// WithCodes replaces the shipped violation-code table.
func WithCodes(c rules.CodeBook) Option { return func(o *app.Options) { o.Codes = &c } }

// WithGateway sets the payment gateway (default: a sandbox that approves).
func WithGateway(g gateway.Gateway) Option { return func(o *app.Options) { o.Gateway = g } }

// ReadOnly opens the store with a shared lock; mutations fail.
func ReadOnly() Option { return func(o *app.Options) { o.Store.ReadOnly = true } }

// CreateIfMissing lets Open create the store (and its directories) when
// the path does not exist: for commands that write. Without it a missing
// store is rules.ErrStoreNotFound.
func CreateIfMissing() Option { return func(o *app.Options) { o.Store.Create = true } }

// Offline opens no store: only pure operations (a fine's quote) run, the
// others are rules.ErrStoreUnavailable. For calculators that must work on
// a machine without a store.
func Offline() Option { return func(o *app.Options) { o.Offline = true } }

// WithLockTimeout bounds the wait for the store's file lock (default 1 s).
func WithLockTimeout(d time.Duration) Option {
	return func(o *app.Options) { o.Store.LockTimeout = d }
}

// FastCommits suits long-running processes: commits do not write the
// free-page list (fewer pages per durable commit, about twice the payments
// per second for one caller), and opening walks the file to rebuild it
// (about 0.3 s per million records). Durability is the same.
func FastCommits() Option { return func(o *app.Options) { o.Store.FastCommits = true } }

// OnStoreRetry calls fn each time a transaction of a shared database is run
// again (after a serialization failure or a deadlock), for a metric.
func OnStoreRetry(fn func()) Option { return func(o *app.Options) { o.Database.OnRetry = fn } }

// UnsafeNoSync skips fsync: for tests and benchmarks only.
func UnsafeNoSync() Option { return func(o *app.Options) { o.Store.NoSync = true } }

// Client is a client.Client over a local store.
type Client struct {
	*client.Client
	t *transport
}

// Open opens the store at path and returns a client over it.
func Open(path string, opts ...Option) (*Client, error) {
	o := app.Options{Actor: api.Staff}
	for _, f := range opts {
		f(&o)
	}
	e, st, err := app.Open(path, o.Config)
	if err != nil {
		return nil, err
	}
	return newClient(&transport{e: e, st: st, actor: o.Actor}), nil
}

func newClient(t *transport) *Client { return &Client{Client: client.NewClient(t), t: t} }

// As returns a client over the same store acting as another actor.
func (c *Client) As(a api.Actor) *Client {
	return newClient(&transport{e: c.t.e, st: c.t.st, actor: a})
}

// WithToken returns a client over the same store acting as the holder of
// a bearer token, checked on every call as the server checks it (Logout
// revokes it).
func (c *Client) WithToken(token string) *Client {
	return newClient(&transport{e: c.t.e, st: c.t.st, token: token})
}

// Verify checks the store and that its indexes agree with its records (a
// local maintenance operation: `jgctl store check`).
func (c *Client) Verify(ctx context.Context) (*store.Report, error) {
	if c.t.st == nil {
		return nil, rules.ErrStoreUnavailable.Withf("opened offline, without a store")
	}
	return c.t.st.Verify(ctx)
}

// transport runs each operation through its binding (internal/ops), with
// the checks the server runs.
type transport struct {
	e     *engine.Engine
	st    store.Store
	actor api.Actor
	token string // if set, the actor is the token's
}

// Call implements client.Transport.
func (t *transport) Call(ctx context.Context, op api.Operation, req, resp any) error {
	b := ops.Lookup(op.Info())
	if b == nil {
		return fmt.Errorf("embedded: operation %s is served over HTTP only", op.Info().ID)
	}
	if t.st == nil && !op.Info().Pure {
		return rules.ErrStoreUnavailable.Withf("opened offline, without a store: %s needs one", op.Info().ID)
	}
	a, ctx, err := t.caller(ctx)
	if err != nil {
		return err
	}
	out, err := b.Run(ctx, t.e, a, req)
	if err != nil {
		return err
	}
	b.Store(resp, out)
	return nil
}

// caller is who calls: the actor, or the holder of the token.
func (t *transport) caller(ctx context.Context) (api.Actor, context.Context, error) {
	if t.token == "" {
		return t.actor, ctx, nil
	}
	a, err := t.e.Authenticate(ctx, t.token)
	return a, ops.WithToken(ctx, t.token), err
}

// Import implements client.Transport.
func (t *transport) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	if t.st == nil {
		return nil, rules.ErrStoreUnavailable.Withf("opened offline, without a store")
	}
	a, ctx, err := t.caller(ctx)
	if err != nil {
		return nil, err
	}
	return t.e.Import(ctx, a, r, data, onReject)
}

// Close closes the store (once, for all clients made by As).
func (t *transport) Close() error {
	if t.st == nil {
		return nil
	}
	return t.st.Close()
}

// Handler returns the HTTP API over this store, as `jgctl serve` serves it
// (without metrics or bank notifications): for tests and examples that
// need an endpoint in-process.
func (c *Client) Handler() http.Handler { return server.New(c.t.e, server.Options{}) }
