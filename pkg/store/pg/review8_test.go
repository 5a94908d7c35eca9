package pg

// Tests from the review of commit b9e7d8d (a payer ends only the claim it
// took): each fails on the code it was written against.

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestClaimUnderNonISODateStyle: Claim now reads claimed_until back from
// the database (RETURNING) to name the claim it took. Through a pooler
// without prepared statements (default_query_exec_mode=simple_protocol,
// which the store supports: TestConformance) results come as text, in the
// session's DateStyle; pgx parses only the ISO style. With a database
// whose DateStyle is SQL, German or Postgres, the claim statement commits,
// then the scan of its end fails: Claim returns an error and no release,
// so the claim it took stays live for its whole TTL (2 minutes in the
// engine) and every payer of the decision waits for it; every later Claim
// does the same, so no decision can be paid. Before b9e7d8d nothing in the
// store decoded a timestamp, and the same settings worked.
func TestClaimUnderNonISODateStyle(t *testing.T) {
	for _, style := range []string{"German", "SQL,DMY", "Postgres,MDY"} {
		t.Run(style, func(t *testing.T) {
			s := openPGWith(t, "read committed", "default_query_exec_mode=simple_protocol&datestyle="+style, Options{})
			ctx := context.Background()
			_, release, err := s.Claim(ctx, Claim{Decision: "D1", Order: "ORD-D1-mine", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
			if err != nil {
				t.Fatalf("Claim with DateStyle %s: %v; it left %d live claim(s) with no release", style, err, liveClaims(t, s, ""))
			}
			release(false, false)
			cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			_, releaseB, err := s.Claim(cctx, Claim{Decision: "D1", Order: "ORD-D1-other"}, time.Minute)
			if err != nil {
				t.Fatalf("another payer after the release: %v", err)
			}
			releaseB(false, false)
		})
	}
}

// TestStaleReleaseKeepsRetryKey: a stale attempt's release leaves alone
// the claim its retry took over, and must leave the request's key too
// (the key's row goes on release if it holds no response). Attempt A of request h1 (key k) claims D1;
// its charge hangs past the claim, and its retry A' (same order, same key
// row) takes the claim over and charges. A's charge then ends declined
// (core.Settled: release(false, false)) or it could not settle a lapsed
// order (core.Lapsed: release(true, false)): the key row A' claimed with
// is deleted while A' is in flight, so another request under k (h2, for
// D2) is claimed, on any replica, and charged: the key pays two requests.
func TestStaleReleaseKeepsRetryKey(t *testing.T) {
	for _, expire := range []bool{false, true} {
		t.Run(fmt.Sprintf("expire=%v", expire), func(t *testing.T) {
			s := openPG(t, "read committed", Options{})
			releaseA := lapsed(t, s, attemptA)                  // A's charge still hanging
			releaseA2 := mustClaim(t, s, attemptA, time.Minute) // its retry A'
			defer releaseA2(false, true)
			releaseA(expire, false) // A: declined (Settled) or Lapsed
			claimUnderK(t, s, "its request h1 is in flight (A' holds D1)")
		})
	}
}

// TestReleaseFreesKey: the other side of TestStaleReleaseKeepsRetryKey. A
// request that took nothing, declined (Settled) or unable to settle a
// lapsed order it took over (Lapsed, whose claim stays, expired), frees
// its key when no other attempt of it holds the decision: the key can
// then name another request.
func TestReleaseFreesKey(t *testing.T) {
	for _, expire := range []bool{false, true} {
		t.Run(fmt.Sprintf("expire=%v", expire), func(t *testing.T) {
			s := openPG(t, "read committed", Options{})
			mustClaim(t, s, attemptA, time.Minute)(expire, false)
			claimFreeK(t, s, "h1 took nothing")
		})
	}
}
