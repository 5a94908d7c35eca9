package pg

// Tests from the review of commit fdb2ab7 (idempotency.holders counts the
// attempts of a request holding a payment claim): each fails on the code
// it was written against.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// TestReleaseRacingClaimAtRepeatableRead: at REPEATABLE READ (or
// SERIALIZABLE) a release's decrement (UPDATE idempotency SET holders =
// holders - 1) that meets a concurrent update of the key's row fails with
// a serialization failure, and the release drops every error: the
// decrement is lost. Any claim pipeline under the key updates the row
// (holders + 0 when it takes nothing: a waiting retry, or another request
// refused as a reuse). Here attempt A of request h1 ends Settled while
// request h2 is refused under k: holders stays 1 with no response, so the
// key row is never deleted and k is refused to every other request for
// ever. (The lock held by tx only widens the window of the race.)
func TestReleaseRacingClaimAtRepeatableRead(t *testing.T) {
	for _, iso := range []string{"repeatable read", "serializable"} {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 10})
			ctx := context.Background()
			releaseA := mustClaim(t, s, Claim{Decision: "D1", Order: "ORD-D1-h1", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
			tx := holding(t, s, lockKeyK)
			refused := make(chan error, 1)
			go func() {
				cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				defer cancel()
				_, release, err := s.Claim(cctx, Claim{Decision: "D2", Order: "ORD-D2-h2", Scope: "pay:p", Key: "k", Hash: "h2"}, time.Minute)
				if err == nil {
					release(false, false)
				}
				refused <- err
			}()
			time.Sleep(100 * time.Millisecond) // h2's pipeline waits on the key's row
			released := make(chan struct{})
			go func() { releaseA(false, false); close(released) }() // A: Settled
			time.Sleep(100 * time.Millisecond)                      // A's decrement waits behind it
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-refused; !errors.Is(err, rules.ErrIdempotencyReuse) {
				t.Fatalf("request h2 under k while h1 holds it: %v, want IDEMPOTENCY_KEY_REUSED", err)
			}
			<-released
			claimFreeK(t, s, "A, its only holder, ended Settled")
		})
	}
}

// TestClaimFindingKeyTakenByAnotherRequest: between the claim statements
// of attempt A (request h1) and its last statement, under read committed,
// another attempt A0 of h1 ends Settled (the key's row goes: holders 0)
// and request h2 takes key k (a new row, h2's). A's last statement then
// finds h2's row, not none: it adds A's claim as a holder of h2's row and
// answers h2's hash, so Claim returns IDEMPOTENCY_KEY_REUSED leaving the
// claim it took live with no release (the decision blocked for the TTL)
// and h2's row with a holder nobody takes back (k blocked for ever after
// h2 ends with nothing). (tx's uncommitted claim of D1, rolled back,
// holds A between the two; it only widens the window.)
func TestClaimFindingKeyTakenByAnotherRequest(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 10})
	ctx := context.Background()
	releaseA0 := mustClaim(t, s, Claim{Decision: "D0", Order: "ORD-D0-h1", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
	tx := holding(t, s, "INSERT INTO payment_claims (decision_no, order_id, claimed_until) VALUES ('D1', 'ORD-other', now() + interval '1 minute')")
	type result struct {
		release func(bool, bool)
		err     error
	}
	done := make(chan result, 1)
	go func() {
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		_, release, err := s.Claim(cctx, Claim{Decision: "D1", Order: "ORD-D1-h1", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
		done <- result{release, err}
	}()
	time.Sleep(100 * time.Millisecond) // A's insert of D1's claim waits on tx's
	releaseA0(false, false)            // A0: Settled; k's row goes
	_, releaseH2, err := s.Claim(ctx, Claim{Decision: "D2", Order: "ORD-D2-h2", Scope: "pay:p", Key: "k", Hash: "h2"}, time.Minute)
	if err != nil {
		t.Fatalf("request h2 under k once h1 freed it: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err == nil {
		r.release(false, false)
	} else {
		if liveClaims(t, s, "D1") != 0 {
			t.Errorf("A: %v, leaving its claim of D1 live with no release", r.err)
		}
	}
	releaseH2(false, false) // h2: Settled
	claimFreeK(t, s, "h2, its only holder, ended Settled")
}

// TestClaimCancelledAfterCommit: the claim's pipeline is sent whole, with
// its Sync, so the database commits it even when the caller's context
// ends while it waits on the key row's lock (pgx closes the connection;
// the server finishes the pipeline). Claim returns an error and no
// release, yet the claim was taken and the key's holders incremented:
// giveUp deletes only at holders 0, so the key's row stays for ever,
// refusing every other request, after its request's other attempt ends
// with nothing. A caller hanging up while its claim waits is ordinary:
// Claim now reads its pipeline to the end and undoes a claim taken for a
// caller that left.
func TestClaimCancelledAfterCommit(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 10})
	ctx := context.Background()
	releaseA0 := mustClaim(t, s, Claim{Decision: "D0", Order: "ORD-D0-h1", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
	tx := holding(t, s, lockKeyK)
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	rolled := make(chan struct{})
	go func() { // the lock goes as the caller leaves
		<-cctx.Done()
		tx.Rollback(ctx)
		close(rolled)
	}()
	_, release, err := s.Claim(cctx, Claim{Decision: "D1", Order: "ORD-D1-h1", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
	if err == nil {
		release(false, false)
		t.Fatal("claim with its context ended while waiting: no error")
	}
	<-rolled
	time.Sleep(200 * time.Millisecond) // the server finishes the pipeline
	if live := liveClaims(t, s, "D1"); live != 0 {
		t.Errorf("Claim: %v; live claims of D1 left: %d, want 0", err, live)
	}
	releaseA0(false, false) // A0: Settled
	claimFreeK(t, s, "the attempt that failed, and A0 (Settled)")
}
