// Package client is jgctl's Go API: a Client whose services (c.Violations,
// c.Payments, c.Bindings, …) call the operations declared in pkg/api over a
// Transport. Two transports behave the same, with the same typed errors:
// HTTP to `jgctl serve` (New) and embedded over a local bbolt store
// (package github.com/jgctl/jgctl/pkg/client/embedded, kept separate so
// that HTTP-only integrators do not pull in bbolt).
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
)

// Transport carries operations to the engine: Call runs op with req (a
// *Req) and stores its answer in resp (a *Resp); Import streams a file.
type Transport interface {
	Call(ctx context.Context, op api.Operation, req, resp any) error
	Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error)
	Close() error
}

// Client is every operation of the platform, by area. Every mutating
// request carries an idempotency key (api.Mutation); the client fills in a
// random one when the caller leaves it empty, and a transport reuses it
// across its own retries.
type Client struct {
	t Transport

	Accounts   *AccountsService
	Bindings   *BindingsService
	Violations *ViolationsService
	Payments   *PaymentsService
	Fines      *FinesService
	Imports    *ImportsService
	Jobs       *JobsService
	Outbox     *OutboxService
}

// NewClient returns a client over a transport.
func NewClient(t Transport) *Client {
	s := service{t}
	return &Client{t: t,
		Accounts: (*AccountsService)(&s), Bindings: (*BindingsService)(&s), Violations: (*ViolationsService)(&s),
		Payments: (*PaymentsService)(&s), Fines: (*FinesService)(&s), Imports: (*ImportsService)(&s),
		Jobs: (*JobsService)(&s), Outbox: (*OutboxService)(&s)}
}

// Close releases the transport (idle connections, or the store).
func (c *Client) Close() error { return c.t.Close() }

type service struct{ t Transport }

// call runs one operation, with an idempotency key if it takes one.
func call[Req, Resp any](ctx context.Context, t Transport, op *api.Op[Req, Resp], req Req) (Resp, error) {
	if op.Info().Idempotent {
		if m, ok := any(&req).(interface{ Idempotency() *api.Mutation }); ok {
			EnsureKey(m.Idempotency())
		}
	}
	var resp Resp
	err := t.Call(ctx, op, &req, &resp)
	return resp, err
}

// pages iterates over every item of a paged listing: fetch returns one
// page and whether another follows (it advances its own cursor).
func pages[T any](fetch func() ([]T, bool, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			items, more, err := fetch()
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range items {
				if !yield(v, nil) {
					return
				}
			}
			if !more {
				return
			}
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
