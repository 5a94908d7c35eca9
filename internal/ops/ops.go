// Package ops binds each operation declared in pkg/api to its engine use
// case: one line per operation. The HTTP server registers its routes by
// walking this table and the embedded transport forwards through it, so
// both run the same checks before the same use case.
package ops

import (
	"context"
	"reflect"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// Binding is an operation bound to its use case.
type Binding struct {
	Op *api.OpInfo
	// New returns a pointer to a zero request (a *Req).
	New func() any
	// Run checks the request (a *Req) against its declared limits and runs
	// the use case as actor a; the answer is a Resp.
	Run func(ctx context.Context, e *engine.Engine, a api.Actor, req any) (any, error)
	// Store writes an answer of Run into resp (a *Resp).
	Store func(resp, answer any)
}

// UseCase is the shape every binding takes (an engine method expression
// has it: (*engine.Engine).ListViolations).
type UseCase[Req, Resp any] func(e *engine.Engine, ctx context.Context, a api.Actor, r Req) (Resp, error)

func bind[Req, Resp any](op *api.Op[Req, Resp], uc UseCase[Req, Resp]) *Binding {
	check := limits(op.Info().Request)
	return &Binding{
		Op:  op.Info(),
		New: func() any { return new(Req) },
		Run: func(ctx context.Context, e *engine.Engine, a api.Actor, req any) (any, error) {
			r := req.(*Req)
			if check != nil {
				if err := check(reflect.ValueOf(r).Elem()); err != nil {
					return nil, err
				}
			}
			return uc(e, ctx, a, *r)
		},
		Store: func(resp, answer any) { *resp.(*Resp) = answer.(Resp) },
	}
}

// The operations and their use cases. Import (a stream), the bank's signed
// notifications, /metrics and /v1/openapi.json are served by the server
// itself.
var table = []*Binding{
	bind(api.Healthz, func(*engine.Engine, context.Context, api.Actor, api.NoBody) (*api.Health, error) {
		return &api.Health{Status: "ok"}, nil
	}),
	bind(api.Readyz, func(e *engine.Engine, ctx context.Context, _ api.Actor, _ api.NoBody) (*api.Health, error) {
		return &api.Health{Status: "ready"}, e.Ready(ctx)
	}),
	bind(api.Login, func(e *engine.Engine, ctx context.Context, _ api.Actor, r api.LoginRequest) (*api.Token, error) {
		return e.Login(ctx, r)
	}),
	bind(api.Logout, func(e *engine.Engine, ctx context.Context, _ api.Actor, _ api.NoBody) (*api.LogoutResult, error) {
		return &api.LogoutResult{LoggedOut: true}, e.Logout(ctx, tokenOf(ctx))
	}),
	bind(api.Whoami, func(e *engine.Engine, ctx context.Context, a api.Actor, _ api.NoBody) (*api.Actor, error) {
		return e.Whoami(ctx, a)
	}),
	bind(api.CreateToken, (*engine.Engine).CreateToken),
	bind(api.RegisterPerson, registerPerson),
	bind(api.RegisterUnit, (*engine.Engine).RegisterUnit),
	bind(api.BindVehicle, (*engine.Engine).BindVehicle),
	bind(api.BindLicence, (*engine.Engine).BindLicence),
	bind(api.ApproveBinding, (*engine.Engine).ApproveBinding),
	bind(api.ListBindings, (*engine.Engine).ListBindings),
	bind(api.RemoveBinding, func(e *engine.Engine, ctx context.Context, a api.Actor, r api.RemoveBindingRequest) (*api.RemoveResult, error) {
		return &api.RemoveResult{Removed: r.BindingID}, e.RemoveBinding(ctx, a, r)
	}),
	bind(api.ListViolations, (*engine.Engine).ListViolations),
	bind(api.HandleViolation, (*engine.Engine).HandleViolation),
	bind(api.Pay, (*engine.Engine).Pay),
	bind(api.Reconcile, func(e *engine.Engine, ctx context.Context, a api.Actor, r api.ReconcileRequest) (*api.ReconcileResult, error) {
		return e.Reconcile(ctx, a, r.OrderID)
	}),
	bind(api.QuoteFine, func(e *engine.Engine, ctx context.Context, _ api.Actor, r api.QuoteRequest) (*rules.FeeQuote, error) {
		return e.QuoteFine(ctx, r)
	}),
	bind(api.Sweep, func(e *engine.Engine, ctx context.Context, a api.Actor, _ api.NoBody) (*api.SweepResult, error) {
		return e.Sweep(ctx, a)
	}),
	bind(api.Outbox, func(e *engine.Engine, ctx context.Context, a api.Actor, r api.OutboxRequest) ([]rules.Notification, error) {
		return e.Outbox(ctx, a, uint64(r.After), r.Limit)
	}),
}

// Bindings returns the table.
func Bindings() []*Binding { return table }

var byID = func() map[string]*Binding {
	m := map[string]*Binding{}
	for _, b := range table {
		m[b.Op.ID] = b
	}
	return m
}()

// Lookup returns the binding of an operation, nil if it has none.
func Lookup(op *api.OpInfo) *Binding { return byID[op.ID] }

// registerPerson: a caller without an actor (the open HTTP route) acts as
// the person registering.
func registerPerson(e *engine.Engine, ctx context.Context, a api.Actor, r api.RegisterPersonRequest) (*rules.Person, error) {
	if a.Role == "" {
		a = api.Actor{Role: api.RolePerson, IDNumber: rules.NormalizeIDNumber(r.IDNumber)}
	}
	return e.RegisterPerson(ctx, a, r)
}

type tokenKey struct{}

// WithToken records the bearer token of the request (what logout revokes).
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

func tokenOf(ctx context.Context) string { s, _ := ctx.Value(tokenKey{}).(string); return s }

// limits returns the check of a request type's bounded integers (tag max),
// nil when it has none.
func limits(t reflect.Type) func(reflect.Value) error {
	var bounded []api.Field
	for _, f := range api.Fields(t) {
		if f.Max > 0 {
			bounded = append(bounded, f)
		}
	}
	if len(bounded) == 0 {
		return nil
	}
	return func(v reflect.Value) error {
		for _, f := range bounded {
			if n := v.FieldByIndex(f.Index).Int(); n > f.Max || n < 0 {
				return rules.ErrQueryValue.WithField(f.Name).Withf("%s must be between 0 and %d", f.Name, f.Max)
			}
		}
		return nil
	}
}
