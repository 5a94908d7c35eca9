// Package embedded is the client.Client transport over a local bbolt store:
// the engine runs in the caller's process. It is what `jgctl` uses without
// --endpoint, and what tests and batch programs on the store's machine use.
package embedded

import (
	"context"
	"io"
	"time"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Option configures Open.
type Option func(*options)

type options struct {
	actor    api.Actor
	store    store.Options
	now      func() time.Time
	policy   *rules.Policy
	calendar *rules.Calendar
	codes    *rules.CodeBook
	gateway  gateway.Gateway
}

// WithActor acts as the given actor (default: back-office staff).
func WithActor(a api.Actor) Option { return func(o *options) { o.actor = a } }

// AsPerson acts as the registered person with this ID number.
func AsPerson(idNumber string) Option {
	return WithActor(api.Actor{Role: api.RolePerson, IDNumber: idNumber})
}

// WithClock fixes the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithPolicy sets the policy (default rules.DefaultPolicy()).
func WithPolicy(p rules.Policy) Option { return func(o *options) { o.policy = &p } }

// WithCalendar replaces the shipped holiday calendar.
func WithCalendar(c rules.Calendar) Option { return func(o *options) { o.calendar = &c } }

// WithCodes replaces the shipped violation-code table.
func WithCodes(c rules.CodeBook) Option { return func(o *options) { o.codes = &c } }

// WithGateway sets the payment gateway (default: a sandbox that approves).
func WithGateway(g gateway.Gateway) Option { return func(o *options) { o.gateway = g } }

// ReadOnly opens the store with a shared lock; mutations fail.
func ReadOnly() Option { return func(o *options) { o.store.ReadOnly = true } }

// CreateIfMissing lets Open create the store (and its directories) when
// the path does not exist: for commands that write. Without it a missing
// store is rules.ErrStoreNotFound.
func CreateIfMissing() Option { return func(o *options) { o.store.Create = true } }

// WithLockTimeout bounds the wait for the store's file lock (default 1 s).
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.store.LockTimeout = d } }

// FastCommits suits long-running processes: commits do not write the
// free-page list (fewer pages per durable commit, about twice the payments
// per second for one caller), and opening walks the file to rebuild it
// (about 0.3 s per million records). Durability is the same.
func FastCommits() Option { return func(o *options) { o.store.FastCommits = true } }

// UnsafeNoSync skips fsync: for tests and benchmarks only.
func UnsafeNoSync() Option { return func(o *options) { o.store.NoSync = true } }

// Client is the embedded transport.
type Client struct {
	e     *engine.Engine
	st    *store.Store
	actor api.Actor
}

var _ client.Client = (*Client)(nil)

// Open opens the store at path and returns a client over it.
func Open(path string, opts ...Option) (*Client, error) {
	o := options{actor: api.Staff}
	for _, f := range opts {
		f(&o)
	}
	st, err := store.Open(path, o.store)
	if err != nil {
		return nil, err
	}
	cfg := engine.Config{Store: st, Now: o.now, Gateway: o.gateway, Policy: rules.DefaultPolicy()}
	if o.policy != nil {
		cfg.Policy = *o.policy
	}
	if o.calendar != nil {
		cfg.Calendar = *o.calendar
	} else if cfg.Calendar, err = refdata.Calendar(""); err != nil {
		st.Close()
		return nil, err
	}
	if o.codes != nil {
		cfg.Codes = *o.codes
	} else if cfg.Codes, err = refdata.Codes(""); err != nil {
		st.Close()
		return nil, err
	}
	return &Client{e: engine.New(cfg), st: st, actor: o.actor}, nil
}

// As returns a client over the same store acting as another actor.
func (c *Client) As(a api.Actor) *Client { return &Client{e: c.e, st: c.st, actor: a} }

// Close closes the store (once, for all clients made by As).
func (c *Client) Close() error { return c.st.Close() }

// Import implements client.Client.
func (c *Client) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	return c.e.Import(ctx, c.actor, r, data, onReject)
}

// RegisterPerson implements client.Client.
func (c *Client) RegisterPerson(ctx context.Context, r api.RegisterPersonRequest) (*rules.Person, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.RegisterPerson(ctx, c.actor, r)
}

// RegisterUnit implements client.Client.
func (c *Client) RegisterUnit(ctx context.Context, r api.RegisterUnitRequest) (*rules.Unit, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.RegisterUnit(ctx, c.actor, r)
}

// BindVehicle implements client.Client.
func (c *Client) BindVehicle(ctx context.Context, r api.BindVehicleRequest) (*api.BindResult, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.BindVehicle(ctx, c.actor, r)
}

// ApproveBinding implements client.Client.
func (c *Client) ApproveBinding(ctx context.Context, r api.ApproveRequest) (*rules.Binding, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.ApproveBinding(ctx, c.actor, r)
}

// BindLicence implements client.Client.
func (c *Client) BindLicence(ctx context.Context, r api.BindLicenceRequest) (*rules.Binding, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.BindLicence(ctx, c.actor, r)
}

// ListBindings implements client.Client.
func (c *Client) ListBindings(ctx context.Context, r api.ListBindingsRequest) ([]rules.Binding, error) {
	return c.e.ListBindings(ctx, c.actor, r)
}

// RemoveBinding implements client.Client.
func (c *Client) RemoveBinding(ctx context.Context, r api.RemoveBindingRequest) error {
	client.EnsureKey(&r.Mutation)
	return c.e.RemoveBinding(ctx, c.actor, r)
}

// ListViolations implements client.Client.
func (c *Client) ListViolations(ctx context.Context, r api.ListViolationsRequest) (*api.ViolationPage, error) {
	return c.e.ListViolations(ctx, c.actor, r)
}

// HandleViolation implements client.Client.
func (c *Client) HandleViolation(ctx context.Context, r api.HandleRequest) (*api.HandleResult, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.HandleViolation(ctx, c.actor, r)
}

// Pay implements client.Client.
func (c *Client) Pay(ctx context.Context, r api.PayRequest) (*api.Receipt, error) {
	client.EnsureKey(&r.Mutation)
	return c.e.Pay(ctx, c.actor, r)
}

// Reconcile implements client.Client.
func (c *Client) Reconcile(ctx context.Context, r api.ReconcileRequest) (*api.ReconcileResult, error) {
	return c.e.Reconcile(ctx, c.actor, r.OrderID)
}

// QuoteFine implements client.Client.
func (c *Client) QuoteFine(ctx context.Context, r api.QuoteRequest) (*rules.FeeQuote, error) {
	return c.e.QuoteFine(ctx, r)
}

// Sweep implements client.Client.
func (c *Client) Sweep(ctx context.Context) (*api.SweepResult, error) {
	return c.e.Sweep(ctx, c.actor)
}

// Outbox implements client.Client.
func (c *Client) Outbox(ctx context.Context, after uint64, limit int) ([]rules.Notification, error) {
	return c.e.Outbox(ctx, c.actor, after, limit)
}

// Verify checks the store file and that its indexes agree with its
// records (a local maintenance operation: `jgctl store check`).
func (c *Client) Verify() (*store.Report, error) { return c.st.Verify() }

// CreateToken issues a bearer token for the remote endpoint (the embedded
// caller is staff: this is how a deployment's first staff token is made).
func (c *Client) CreateToken(ctx context.Context, r api.TokenRequest) (*api.Token, error) {
	return c.e.CreateToken(ctx, c.actor, r)
}

// Engine returns the engine behind this client, for `jgctl serve` to put
// the HTTP adapter (internal/server) over it.
func (c *Client) Engine() *engine.Engine { return c.e }
