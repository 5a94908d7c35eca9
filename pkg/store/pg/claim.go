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

// claimEnd is a claim's end to the microsecond as a number: it tells the
// claim a payer took from a later one of the same order, and reads the
// same whatever the session's DateStyle (text results, in the simple
// protocol, follow it).
const claimEnd = "round(extract(epoch FROM claimed_until) * 1000000)::bigint"

// A Claim names what a payer claims before the gateway is called: the
// decision, for an order, and (if Key is set) the payer's idempotency key
// for its request (Hash).
type Claim struct {
	Decision, Order  string
	Scope, Key, Hash string
}

// ClaimDecision claims the payment of a decision for orderID (Claim
// without a key).
func (s *Store) ClaimDecision(ctx context.Context, decisionNo, orderID string, ttl time.Duration) (previous string, release func(), err error) {
	previous, end, err := s.Claim(ctx, Claim{Decision: decisionNo, Order: orderID}, ttl)
	return previous, func() { end(false, false) }, err
}

// Claim claims the payment of a decision for an order before the gateway
// is called, across every process on the database: a claim row per
// decision, taken by a conditional statement that commits at once when
// the decision is free or its claim expired (ttl after it was taken, by
// the database's clock). While another order holds it, Claim waits
// (polling with jittered backoff) until it is free or ctx ends.
//
// With a key, the key's row is inserted first with the request's hash and
// no response (as Idempotent's claim in a write transaction): a key whose
// row names another request is rules.ErrIdempotencyReuse and claims
// nothing, on every process, for as long as the row stands: until a
// response is stored, or the last attempt of the request holding it ends
// having taken nothing (the row's holders: a claim taken adds one, a
// release without keepKey takes it back).
//
// previous lists, space-separated, the orders of the expired claims taken
// over since the decision's claim row was last ended ("" if none): any of
// their charges may have gone through, so the caller asks the gateway
// about each before charging again. release ends the claim if it is still
// the one this call took (known by its end as taken, since a retry of the
// same request claims with the same order): expire leaves the row, expired, still listing its orders
// (the claim's own among them for the next claimer), when one of them may
// have been charged; otherwise the row is deleted. Unless keepKey, this
// attempt's hold on the key ends, and the key's row goes if no attempt
// holds it and it stores no response.
func (s *Store) Claim(ctx context.Context, c Claim, ttl time.Duration) (previous string, release func(expire, keepKey bool), err error) {
	ms := max(ttl.Milliseconds(), 1)
	keyed := c.Key != ""
	inserted := false // the key's row is this call's: giving up deletes it
	ours := ""        // the claim statements' condition: the key's row is this request's
	if keyed {
		ours = " AND EXISTS (SELECT 1 FROM idempotency WHERE scope = $4 AND key = $5 AND hash = $6)"
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		// One round trip, one implicit transaction: the key's row, then
		// take over a claim that is free or expired, else insert one if
		// there is none, then count this attempt among the key's holders
		// if it took the claim (its end is now() + ttl), then read whose
		// the key is.
		b := &pgx.Batch{}
		args := []any{c.Decision, c.Order, ms}
		if keyed {
			args = append(args, c.Scope, c.Key, c.Hash)
			b.Queue(`INSERT INTO idempotency (scope, key, hash) SELECT $1, $2, $3
				WHERE NOT EXISTS (SELECT 1 FROM idempotency WHERE scope = $1 AND key = $2)`, c.Scope, c.Key, c.Hash)
		}
		b.Queue(`UPDATE payment_claims
			SET previous_order = CASE WHEN previous_order IN ('', order_id) THEN order_id ELSE previous_order || ' ' || order_id END,
				order_id = $2, claimed_until = now() + $3 * interval '1 millisecond'
			WHERE decision_no = $1 AND claimed_until <= now()`+ours+` RETURNING previous_order, `+claimEnd, args...)
		b.Queue(`INSERT INTO payment_claims (decision_no, order_id, claimed_until)
			SELECT $1, $2, now() + $3 * interval '1 millisecond'
			WHERE NOT EXISTS (SELECT 1 FROM payment_claims WHERE decision_no = $1)`+ours+` RETURNING `+claimEnd, args...)
		if keyed {
			b.Queue(`UPDATE idempotency SET holders = holders + 1 WHERE scope = $4 AND key = $5 AND hash = $6
				AND EXISTS (SELECT 1 FROM payment_claims WHERE decision_no = $1 AND order_id = $2 AND claimed_until = now() + $3 * interval '1 millisecond')`, args...)
			b.Queue(`SELECT hash FROM idempotency WHERE scope = $1 AND key = $2`, c.Scope, c.Key)
		}
		// Sent whole, the pipeline commits even if the caller gives up
		// meanwhile: it is read to its end, and a claim taken for a
		// caller that left is ended below.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimWait)
		br := s.pool.SendBatch(pctx, b)
		took, fresh, held := false, false, !keyed // fresh: the claim row is this call's insert (no lapsed orders)
		previous = ""
		var until int64 // the claim's end as taken (claimEnd): whose the claim row still is
		var whose string
		var err error
		if keyed {
			var ins pgconn.CommandTag
			ins, err = br.Exec()
			inserted = inserted || ins.RowsAffected() == 1
		}
		if err == nil {
			err = br.QueryRow().Scan(&previous, &until)
			if took = err == nil; errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
		}
		if err == nil {
			err = br.QueryRow().Scan(&until)
			if errors.Is(err, pgx.ErrNoRows) {
				err = nil
			} else if err == nil {
				took, fresh = true, true
			}
		}
		if err == nil && keyed {
			var tag pgconn.CommandTag
			tag, err = br.Exec()
			held = tag.RowsAffected() == 1
			if err == nil {
				if err = br.QueryRow().Scan(&whose); errors.Is(err, pgx.ErrNoRows) {
					err = nil // the key's row went: another attempt of the request freed it
				}
			}
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		cancel()
		if err == nil && took && (!held || ctx.Err() != nil) {
			// A claim taken without its key counted (the key's row went
			// meanwhile, or names another request now), or for a caller
			// that left: end it the way release does (a taken-over claim
			// expires, keeping its lapsed orders).
			s.release(ctx, c, until, !fresh, !held)
			took = false
		}
		switch {
		case err == nil && whose != "" && whose != c.Hash:
			return "", nil, rules.ErrIdempotencyReuse
		case err == nil && took:
			return previous, func(expire, keepKey bool) { s.release(ctx, c, until, expire, keepKey) }, nil
		case err == nil:
			err = errConflict // held by another order, or the key's row to claim again
			if whose == "" {
				inserted = false
			}
		case !retryable(err) && !isUnique(err):
			if inserted {
				s.giveUp(ctx, c)
			}
			return "", nil, wrap("claim decision", err)
		}
		t := time.NewTimer(time.Duration(rand.Int64N(int64(wait))) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			if inserted {
				s.giveUp(ctx, c)
			}
			return "", nil, rules.ErrStoreUnavailable.Withf("waiting for the payment of decision %s held by another order: %s", c.Decision, pgMessage(ctx.Err()))
		case <-t.C:
		}
	}
}

// claimWait bounds a claim's round trip, which waits for the locks of the
// decision's claim and of the key's row (held by short transactions).
const claimWait = 30 * time.Second

// release ends the claim c took (until: its end as taken), and unless
// keepKey this attempt's hold on the key, which goes if no attempt of its
// request holds it and it stores no answer. A serialization failure or a
// deadlock (REPEATABLE READ, a claim racing it) is tried again: a hold
// not given back would keep the key from every other request.
func (s *Store) release(ctx context.Context, c Claim, until int64, expire, keepKey bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.ConnectTimeout)
	defer cancel()
	ended := false
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		var err error
		if !ended {
			err = s.endClaim(ctx, c, until, expire)
			ended = err == nil
		}
		if ended && c.Key != "" && !keepKey {
			b := &pgx.Batch{}
			b.Queue("UPDATE idempotency SET holders = holders - 1 WHERE scope = $1 AND key = $2 AND hash = $3 AND holders > 0", c.Scope, c.Key, c.Hash)
			b.Queue(dropKey, c.Scope, c.Key, c.Hash)
			err = s.pool.SendBatch(ctx, b).Close()
		}
		if !retryable(err) || ctx.Err() != nil {
			return
		}
		s.retries.Add(1)
		time.Sleep(time.Duration(rand.Int64N(int64(wait))) + time.Millisecond)
	}
}

// dropKey deletes a key's row that no attempt of its request holds and
// that stores no answer.
const dropKey = "DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND hash = $3 AND response IS NULL AND holders = 0"

// endClaim ends the claim c took (until: its end as taken), if it is
// still that claim: another attempt of the same request (the same order)
// may have taken it over since. expire leaves the row, expired, with its
// orders for the next claimer; otherwise it goes.
func (s *Store) endClaim(ctx context.Context, c Claim, until int64, expire bool) error {
	sql := "DELETE FROM payment_claims WHERE decision_no = $1 AND order_id = $2 AND " + claimEnd + " = $3"
	if expire {
		sql = "UPDATE payment_claims SET claimed_until = now() WHERE decision_no = $1 AND order_id = $2 AND " + claimEnd + " = $3"
	}
	_, err := s.pool.Exec(ctx, sql, c.Decision, c.Order, until)
	return err
}

// giveUp frees the key of a claim that was never taken, whose row the
// claim inserted, unless an attempt of the same request holds it
// meanwhile.
func (s *Store) giveUp(ctx context.Context, c Claim) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.ConnectTimeout)
	defer cancel()
	s.pool.Exec(ctx, dropKey, c.Scope, c.Key, c.Hash)
}
