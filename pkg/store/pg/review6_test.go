package pg

// Tests from the sixth review (commit 5fb4b81): each fails on the code it
// was written against.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// TestGiveUpFreesKeyOfAttemptInFlight: "inserted" means this Claim call
// inserted the key's row at some point, not that nobody else relies on it.
// Attempt A1 of request h1 (key k) inserts k's row and waits for decision
// D1, held by another payer B. B ends; a second attempt A2 of the same
// request (a client retry on another replica) claims D1 on the strength of
// that row and goes on to charge. A1's caller then gives up: giveUp
// deletes k's row (no response yet) while A2 is in flight, so another
// request of the caller under k (h2, decision D2) is claimed and charged
// on a third replica: the key pays two requests.
func TestGiveUpFreesKeyOfAttemptInFlight(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 10})
	ctx := context.Background()
	for try := 0; try < 10; try++ {
		if _, err := s.pool.Exec(ctx, "DELETE FROM payment_claims"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.pool.Exec(ctx, "DELETE FROM idempotency"); err != nil {
			t.Fatal(err)
		}
		_, releaseB, err := s.Claim(ctx, Claim{Decision: "D1", Order: "ORD-D1-other"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		a1 := Claim{Decision: "D1", Order: "ORD-D1-mine", Scope: "pay:p", Key: "k", Hash: "h1"}
		wctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
		done := make(chan error, 1)
		var releaseA1 func(bool, bool)
		go func() {
			var err error
			_, releaseA1, err = s.Claim(wctx, a1, time.Minute)
			done <- err
		}()
		time.Sleep(150 * time.Millisecond) // A1 has inserted k's row and polls at most every 50ms
		releaseB(false, false)
		_, releaseA2, err := s.Claim(ctx, a1, time.Minute) // the same request, another attempt
		if err != nil {
			// A1 won the race: A2 waits for it. Try again.
			cancel()
			<-done
			if releaseA1 != nil {
				releaseA1(false, false)
			}
			continue
		}
		err = <-done
		cancel()
		if !errors.Is(err, rules.ErrStoreUnavailable) {
			t.Fatalf("A1 while A2 holds the claim: %v, want a wait ending with its context", err)
		}
		// A2 is in flight (charging D1 for request h1). Another request under k:
		_, releaseR2, err := s.Claim(ctx, Claim{Decision: "D2", Order: "ORD-D2-mine", Scope: "pay:p", Key: "k", Hash: "h2"}, time.Minute)
		if err == nil {
			releaseR2(false, false)
			t.Errorf("key k claimed for request h2 while its request h1 is in flight (A1's give-up deleted the row A2 claimed with), want IDEMPOTENCY_KEY_REUSED")
		} else if !errors.Is(err, rules.ErrIdempotencyReuse) {
			t.Errorf("request h2 under k: %v, want IDEMPOTENCY_KEY_REUSED", err)
		}
		releaseA2(false, true)
		return
	}
	t.Skip("A1 always won the race for D1")
}

// TestStaleReleaseKeepsRetryClaim: every attempt of a request has the
// same order. Attempt A's claim lapses while its charge hangs; its retry
// A' takes it over (same order) and charges. A's charge then ends, with an
// unknown outcome (the claim expires) or declined (the claim goes): either
// way A's release must leave A”s live claim alone, or another payer C
// takes the decision over while A' is in flight.
func TestStaleReleaseKeepsRetryClaim(t *testing.T) {
	for _, expire := range []bool{true, false} {
		t.Run(fmt.Sprintf("expire=%v", expire), func(t *testing.T) {
			s := openPG(t, "read committed", Options{})
			ctx := context.Background()
			releaseA := lapsed(t, s, attemptA)                  // A's charge still hanging
			releaseA2 := mustClaim(t, s, attemptA, time.Minute) // its retry A'
			defer releaseA2(false, true)
			releaseA(expire, true)
			cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if _, releaseC, err := s.Claim(cctx, Claim{Decision: "D1", Order: "ORD-D1-other"}, time.Minute); err == nil {
				releaseC(false, false)
				t.Errorf("C took decision D1 over while A' (the retry that took over A's lapsed claim) holds it live")
			}
		})
	}
}
