// Package client is jgctl's Go API. Client is implemented by two
// transports with the same behaviour and the same typed errors: the
// embedded transport over a local bbolt store (package
// github.com/jgctl/jgctl/pkg/client/embedded, kept separate so that
// HTTP-only integrators do not pull in bbolt) and the HTTP transport to
// `jgctl serve`.
//
// Errors are *rules.Error values; test them with errors.Is against the
// sentinels in pkg/rules (rules.ErrAlreadyPaid, rules.ErrRecordNotFound,
// …) and classify them with rules.KindOf.
package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"iter"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// Client is every use case of the platform. Every mutating request carries
// an idempotency key (api.Mutation); a transport fills in a random one when
// the caller leaves it empty, and reuses it across its own retries.
type Client interface {
	// Import streams a licence, vehicle or violation file (staff only).
	// onReject, if not nil, is called for every rejected row.
	Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error)
	RegisterPerson(ctx context.Context, r api.RegisterPersonRequest) (*rules.Person, error)
	RegisterUnit(ctx context.Context, r api.RegisterUnitRequest) (*rules.Unit, error)
	BindVehicle(ctx context.Context, r api.BindVehicleRequest) (*api.BindResult, error)
	ApproveBinding(ctx context.Context, r api.ApproveRequest) (*rules.Binding, error)
	BindLicence(ctx context.Context, r api.BindLicenceRequest) (*rules.Binding, error)
	ListBindings(ctx context.Context, r api.ListBindingsRequest) ([]rules.Binding, error)
	RemoveBinding(ctx context.Context, r api.RemoveBindingRequest) error
	ListViolations(ctx context.Context, r api.ListViolationsRequest) (*api.ViolationPage, error)
	HandleViolation(ctx context.Context, r api.HandleRequest) (*api.HandleResult, error)
	Pay(ctx context.Context, r api.PayRequest) (*api.Receipt, error)
	QuoteFine(ctx context.Context, r api.QuoteRequest) (*rules.FeeQuote, error)
	// Reconcile asks the gateway what became of an order and records a
	// payment the bank took but the platform never heard of (staff, bank).
	Reconcile(ctx context.Context, r api.ReconcileRequest) (*api.ReconcileResult, error)
	// Sweep folds payments into their records and returns expired online
	// handlings to unhandled (staff; the batch job behind `jgctl sweep`).
	Sweep(ctx context.Context) (*api.SweepResult, error)
	// Outbox lists queued notifications after sequence number after (staff).
	Outbox(ctx context.Context, after uint64, limit int) ([]rules.Notification, error)
	Close() error
}

// AllViolations iterates over every page of a listing.
func AllViolations(ctx context.Context, c Client, r api.ListViolationsRequest) iter.Seq2[api.ViolationView, error] {
	return func(yield func(api.ViolationView, error) bool) {
		for {
			page, err := c.ListViolations(ctx, r)
			if err != nil {
				yield(api.ViolationView{}, err)
				return
			}
			for _, v := range page.Items {
				if !yield(v, nil) {
					return
				}
			}
			if page.Next == "" {
				return
			}
			r.After = page.Next
		}
	}
}

// NewIdempotencyKey returns a random key for a mutating request.
func NewIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// EnsureKey fills in m's idempotency key if it is empty.
func EnsureKey(m *api.Mutation) {
	if m.IdempotencyKey == "" {
		m.IdempotencyKey = NewIdempotencyKey()
	}
}
