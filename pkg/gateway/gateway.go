// Package gateway is the payment-gateway boundary: the interface the
// engine charges through, and a built-in sandbox that can be told to
// approve, decline or time out.
package gateway

import (
	"context"
	"fmt"
	"sync"

	"github.com/jgctl/jgctl/pkg/rules"
)

// Gateway charges and refunds payment orders. Charge must be idempotent
// per order ID: charging an order again returns the first charge's
// reference and moves no more money (banks dedupe by merchant order number).
type Gateway interface {
	Charge(ctx context.Context, orderID string, amount rules.Money) (ref string, err error)
	Refund(ctx context.Context, orderID string) error
	// Status asks what became of an order: the payment status query that
	// finds money the bank took but the platform never heard of.
	Status(ctx context.Context, orderID string) (Charge, error)
}

// Charge is what the gateway knows of an order.
type Charge struct {
	OrderID string      `json:"order_id"`
	Ref     string      `json:"ref,omitempty"`
	Amount  rules.Money `json:"amount"`
	Paid    bool        `json:"paid"` // taken and not refunded
}

// Mode is how the sandbox answers.
type Mode string

// Sandbox modes.
const (
	Approve Mode = "approve"
	Decline Mode = "decline"
	// Timeout takes the money but loses the answer: the caller sees
	// rules.ErrGatewayTimeout, and a retry with the same order returns the
	// charge that was made.
	Timeout Mode = "timeout"
)

// ParseMode accepts approve, decline or timeout ("" is approve).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return Approve, nil
	case Approve, Decline, Timeout:
		return m, nil
	}
	return "", fmt.Errorf("sandbox mode %q: want approve, decline or timeout", s)
}

// Sandbox is an in-memory gateway for tests, demos and staging.
type Sandbox struct {
	mu      sync.Mutex
	mode    Mode
	charges map[string]charge
	seq     int
}

type charge struct {
	ref      string
	amount   rules.Money
	refunded bool
}

// NewSandbox returns a sandbox in the given mode.
func NewSandbox(m Mode) *Sandbox {
	return &Sandbox{mode: m, charges: map[string]charge{}}
}

// SetMode changes how later charges are answered.
func (s *Sandbox) SetMode(m Mode) {
	s.mu.Lock()
	s.mode = m
	s.mu.Unlock()
}

// Charge implements Gateway.
func (s *Sandbox) Charge(ctx context.Context, orderID string, amount rules.Money) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", rules.ErrGatewayTimeout.Withf("%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.charges[orderID]; ok && !c.refunded {
		return c.ref, nil
	}
	switch s.mode {
	case Decline:
		return "", rules.ErrPaymentDeclined.Withf("sandbox")
	}
	s.seq++
	c := charge{ref: fmt.Sprintf("SBX%08d", s.seq), amount: amount}
	s.charges[orderID] = c
	if s.mode == Timeout {
		return "", rules.ErrGatewayTimeout
	}
	return c.ref, nil
}

// Refund implements Gateway.
func (s *Sandbox) Refund(_ context.Context, orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.charges[orderID]
	if !ok {
		return fmt.Errorf("sandbox: no charge for order %s", orderID)
	}
	c.refunded = true
	s.charges[orderID] = c
	return nil
}

// Status implements Gateway.
func (s *Sandbox) Status(_ context.Context, orderID string) (Charge, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.charges[orderID]
	if !ok {
		return Charge{OrderID: orderID, Amount: rules.Fen(0)}, nil
	}
	return Charge{OrderID: orderID, Ref: c.ref, Amount: c.amount, Paid: !c.refunded}, nil
}

// Charged returns the total amount charged and not refunded, and the
// number of such charges: what tests check to prove nothing was charged twice.
func (s *Sandbox) Charged() (rules.Money, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	total, n := rules.Fen(0), 0
	for _, c := range s.charges {
		if !c.refunded {
			total = total.Add(c.amount)
			n++
		}
	}
	return total, n
}

// Orders returns how many orders were charged, refunded ones included: a
// test of "never charged twice" counts these.
func (s *Sandbox) Orders() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.charges)
}
