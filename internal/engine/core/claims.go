package core

import (
	"context"
	"time"
)

// Claimer hands out claims on decisions: while a payer holds a decision's
// claim, no other payer of it reaches the payment gateway. A claim lapses
// after its time to live, so a payer that died does not block the decision
// for ever; the next claimer is told the order of the lapsed claim, to ask
// the gateway what became of it before charging again.
type Claimer interface {
	ClaimDecision(ctx context.Context, decisionNo, orderID string, ttl time.Duration) (previous string, release func(), err error)
}

// LocalClaims is the Claimer of a store that one process owns (the
// embedded bbolt file, locked by its process): an in-process lock per
// decision, which never lapses while its process lives.
type LocalClaims struct{ locks KeyLocks }

// ClaimDecision waits for the decision's lock and takes it.
func (c *LocalClaims) ClaimDecision(_ context.Context, decisionNo, _ string, _ time.Duration) (string, func(), error) {
	return "", c.locks.Lock(decisionNo), nil
}
