package core

import (
	"context"
	"sync"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// A Claim is what a payer claims before it reaches the payment gateway:
// the decision it pays, the gateway order it will charge, and its
// idempotency key (Scope, Key) with the fingerprint (Hash) of its request.
type Claim struct {
	Decision, Order  string
	Scope, Key, Hash string
}

// Claimer hands out claims: while a payer holds a decision's claim, no
// other payer of it reaches the gateway, and while a key is claimed for one
// request it cannot be used for another (rules.ErrIdempotencyReuse). A
// claim lapses after its time to live, so a payer that died does not block
// the decision for ever; the next claimer is told the orders of the lapsed
// claims (previous, space-separated), to ask the gateway what became of
// each before charging again.
//
// release ends the claim, saying how (Outcome). The key of an unsettled
// order (a gateway timeout) stays claimed for its request.
type Claimer interface {
	ClaimDecision(ctx context.Context, c Claim, ttl time.Duration) (previous string, release func(Outcome), err error)
}

// An Outcome is how a claim ends.
type Outcome uint8

const (
	// Unsettled: the outcome of the order is unknown (a gateway timeout,
	// a refund that failed).
	Unsettled Outcome = iota
	// Settled: no money of the request's taken (or it was given back).
	Settled
	// Recorded: paid and recorded by a store.PaymentWrite, which ended
	// the claim in the store with the payment.
	Recorded
	// Paid: the request's payment is recorded (by this payer or another
	// path, such as the bank's notification): the claim ends, and its key
	// stays the request's.
	Paid
	// Lapsed: no money taken, but an order of the lapsed claims this one
	// took over could not be settled: the claim is left to lapse, still
	// naming it, so that the next claimer settles it first.
	Lapsed
)

// LocalClaims is the Claimer of a store that one process owns (the
// embedded bbolt file, locked by its process): an in-process lock per
// decision, and the keys of payments in flight or unsettled.
type LocalClaims struct {
	locks KeyLocks
	keys  Keys
	mu    sync.Mutex
	// unsettled holds, per decision, the order of a payer whose outcome is
	// unknown (a gateway timeout, a refund that failed): the next claimer
	// is told it, as a lapsed claim's order is, to settle it first.
	unsettled map[string]string
}

// ClaimDecision reserves the key for the request, then waits for the
// decision's lock.
func (c *LocalClaims) ClaimDecision(ctx context.Context, cl Claim, _ time.Duration) (string, func(Outcome), error) {
	release, err := c.keys.Reserve(cl.Scope, cl.Key, cl.Hash)
	if err != nil {
		return "", nil, err
	}
	unlock, err := c.locks.Lock(ctx, cl.Decision)
	if err != nil {
		release(true)
		return "", nil, err
	}
	c.mu.Lock()
	previous := c.unsettled[cl.Decision]
	delete(c.unsettled, cl.Decision)
	c.mu.Unlock()
	return previous, func(o Outcome) {
		settled := o != Unsettled
		if o == Lapsed && previous != "" {
			c.mu.Lock()
			if c.unsettled == nil {
				c.unsettled = map[string]string{}
			}
			c.unsettled[cl.Decision] = previous
			c.mu.Unlock()
		}
		if !settled {
			c.mu.Lock()
			if c.unsettled == nil || len(c.unsettled) >= maxUnsettledKeys {
				c.unsettled = map[string]string{}
			}
			c.unsettled[cl.Decision] = cl.Order
			c.mu.Unlock()
		}
		unlock()
		release(settled)
	}, nil
}

// Keys reserves, within this process, the idempotency keys of payments in
// flight, and keeps those whose order's outcome is unknown: such a key
// cannot be used meanwhile for another request.
type Keys struct {
	mu sync.Mutex
	m  map[string]*keyUse // scope \x00 key
}

// keyUse is a reserved key: its request's hash, how many of its requests
// are in flight, and whether one left its outcome unknown.
type keyUse struct {
	hash      string
	holders   int
	unsettled bool
}

// maxUnsettledKeys bounds the unsettled keys kept.
const maxUnsettledKeys = 100000

// Reserve reserves (scope, key) for the request of hash: another request
// under the key is rules.ErrIdempotencyReuse. release(settled) ends this
// holder's use; the key is kept while another holder is in flight, or if
// any left its outcome unknown.
func (k *Keys) Reserve(scope, key, hash string) (release func(settled bool), err error) {
	id := scope + "\x00" + key
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]*keyUse{}
	}
	u := k.m[id]
	switch {
	case u != nil && u.hash != hash:
		return nil, rules.ErrIdempotencyReuse
	case u == nil:
		if len(k.m) >= maxUnsettledKeys {
			k.forgetSettledLocked()
		}
		u = &keyUse{hash: hash}
		k.m[id] = u
	}
	u.holders++
	return func(settled bool) {
		k.mu.Lock()
		defer k.mu.Unlock()
		u.holders--
		u.unsettled = u.unsettled || !settled
		if u.holders == 0 && !u.unsettled {
			delete(k.m, id)
		}
	}, nil
}

// forgetSettledLocked forgets every key not in flight, when too many
// unsettled ones pile up.
func (k *Keys) forgetSettledLocked() {
	for id, u := range k.m {
		if u.holders == 0 {
			delete(k.m, id)
		}
	}
}
