package pg

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jgctl/jgctl/pkg/rules"
)

// ClaimDecision claims the payment of a decision for orderID before the
// gateway is called, across every process on the database: a claim row
// per decision, taken by a conditional statement that commits at once
// when the decision is free or its claim expired (ttl after it was taken,
// by the database's clock). While another order holds it, ClaimDecision
// waits (polling with jittered backoff) until it is free or ctx ends.
// previous is the order whose expired claim was taken over ("" if none):
// its charge may have gone through, so the caller asks the gateway about
// it before charging again. release gives the claim up if it is still
// orderID's.
func (s *Store) ClaimDecision(ctx context.Context, decisionNo, orderID string, ttl time.Duration) (previous string, release func(), err error) {
	ms := max(ttl.Milliseconds(), 1)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		// One round trip, one implicit transaction: take over a claim
		// that is free or expired, else insert one if there is none.
		b := &pgx.Batch{}
		b.Queue(`UPDATE payment_claims
			SET previous_order = order_id, order_id = $2, claimed_until = now() + $3 * interval '1 millisecond'
			WHERE decision_no = $1 AND (claimed_until <= now() OR order_id = $2) RETURNING previous_order`, decisionNo, orderID, ms)
		b.Queue(`INSERT INTO payment_claims (decision_no, order_id, claimed_until)
			SELECT $1, $2, now() + $3 * interval '1 millisecond'
			WHERE NOT EXISTS (SELECT 1 FROM payment_claims WHERE decision_no = $1)`, decisionNo, orderID, ms)
		br := s.pool.SendBatch(ctx, b)
		took := false
		previous = ""
		err := br.QueryRow().Scan(&previous)
		if took = err == nil; errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
		var tag pgconn.CommandTag
		if err == nil {
			tag, err = br.Exec()
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err == nil && !took && tag.RowsAffected() == 0 {
			err = errConflict // held by another order
		}
		switch {
		case err == nil:
			return previous, func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.ConnectTimeout)
				defer cancel()
				s.pool.Exec(ctx, "DELETE FROM payment_claims WHERE decision_no = $1 AND order_id = $2", decisionNo, orderID)
			}, nil
		case !retryable(err) && !isUnique(err):
			return "", nil, wrap("claim decision", err)
		}
		t := time.NewTimer(time.Duration(rand.Int64N(int64(wait))) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", nil, rules.ErrStoreUnavailable.Withf("waiting for the payment of decision %s held by another order: %s", decisionNo, pgMessage(ctx.Err()))
		case <-t.C:
		}
	}
}

// HandBackClaim gives a claim that took over a lapsed one back to the
// lapsed order, expired, when that order could not be settled: the next
// claimer is then told that order, and settles it first.
func (s *Store) HandBackClaim(ctx context.Context, decisionNo, orderID string) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.ConnectTimeout)
	defer cancel()
	_, err := s.pool.Exec(ctx, `UPDATE payment_claims SET order_id = previous_order, previous_order = '', claimed_until = now()
		WHERE decision_no = $1 AND order_id = $2 AND previous_order <> ''`, decisionNo, orderID)
	return wrap("hand back claim", err)
}
