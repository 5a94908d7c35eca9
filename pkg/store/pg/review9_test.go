package pg

// Tests from the review of commits b9e7d8d and 727fe39 (a release ends
// only the claim it took, and frees the request's key only while no other
// attempt of the request holds the decision live): each fails on the code
// it was written against.

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestReleaseKeepsKeyOfAttemptOnOtherTarget: the attempts of one request
// do not always claim the same decision, so not always the same order. A
// payment by record number claims "record:R" while the record has no
// decision, its decision once it has one (Pay's target; the order is
// orderID(target, …)), and the hash is the same for both. Attempt A of
// request h1 (key k, by record R1) claims "record:R1"; the decision D1 is
// made; A's retry A' (another replica) sees it, claims D1 with the same
// key row and charges. A's view then finds D1, retargets, and releases
// its claim as Settled: the key check looks for a live claim of
// ("record:R1", A's order) only, finds none, and deletes the key row that
// A' is charging under. Request h2 under k is then claimed and charged on
// another replica: the key pays two requests.
func TestReleaseKeepsKeyOfAttemptOnOtherTarget(t *testing.T) {
	for _, expire := range []bool{false, true} {
		t.Run(fmt.Sprintf("expire=%v", expire), func(t *testing.T) {
			s := openPG(t, "read committed", Options{})
			ctx := context.Background()
			_, releaseA, err := s.Claim(ctx, Claim{Decision: "record:R1", Order: "ORD-record:R1-x", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			_, releaseA2, err := s.Claim(ctx, Claim{Decision: "D1", Order: "ORD-D1-x", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			defer releaseA2(false, true)
			releaseA(expire, false) // A: retargeted (Settled), or Lapsed
			claimUnderK(t, s, "its request h1 is in flight (A' holds D1)")
		})
	}
}

// TestStaleReleaseKeepsUnsettledRetryKey: the key-freeing condition looks
// only for a live claim of the order. Attempt A's claim lapses (its charge
// hanging); its retry A' takes it over, charges, and its outcome is
// unknown (gateway timeout: core.Unsettled, release(true, true)): the key
// must stay request h1's ("the key stays the request's unless it took
// nothing"), and the claim row, expired, still names h1's order. A then
// ends Settled (or Lapsed) and releases with keepKey false: no live claim
// of the order is left, so the key row A' kept is deleted, and request h2
// under k is claimed on any replica while h1's charge may have gone
// through.
func TestStaleReleaseKeepsUnsettledRetryKey(t *testing.T) {
	for _, expire := range []bool{false, true} {
		t.Run(fmt.Sprintf("expire=%v", expire), func(t *testing.T) {
			s := openPG(t, "read committed", Options{})
			releaseA := lapsed(t, s, attemptA)                  // A's charge still hanging
			releaseA2 := mustClaim(t, s, attemptA, time.Minute) // its retry A'
			releaseA2(true, true)                               // A': Unsettled
			releaseA(expire, false)                             // A: Settled or Lapsed
			claimUnderK(t, s, "its request h1's retry A' ended Unsettled")
		})
	}
}

// TestRetryTakingOverDuringReleaseKeepsItsKey: a release's statements and
// a retry's claim race under read committed. Attempt A's claim lapsed
// (its charge hung); A ends Lapsed (release(true, false)) just as its
// retry A' (same order, same key) takes the lapsed claim over. A's
// pipeline expires the claim (still A's: locking its row), then
// deletes the key row: no live claim of the order is there yet. A' saw
// the key row (its INSERT did nothing, its take-over's EXISTS saw the row
// in its snapshot), waited on the claim's row, and takes the claim over
// when A commits: it holds D1 with no key row. Its own "SELECT hash" then
// finds no row, and Claim fails with a bare "no rows" error, leaving the
// claim it committed live for its whole TTL with no release: the
// decision cannot be paid by anyone until it lapses. (The lock on the key
// row held by tx below only widens the window of the race, which exists
// without it and before these commits: freeKey deleted the row too.)
func TestRetryTakingOverDuringReleaseKeepsItsKey(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 10})
	ctx := context.Background()
	a := attemptA
	releaseA := lapsed(t, s, a) // A's charge still hanging
	tx := holding(t, s, lockKeyK)
	released := make(chan struct{})
	go func() { releaseA(true, false); close(released) }() // A: Lapsed
	time.Sleep(100 * time.Millisecond)                     // A's claim expired (row locked), its key delete waits
	type result struct {
		release func(bool, bool)
		err     error
	}
	done := make(chan result, 1)
	go func() {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, release, err := s.Claim(cctx, a, time.Minute) // A'
		done <- result{release, err}
	}()
	time.Sleep(100 * time.Millisecond) // A' waits on the claim's row
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	<-released
	r := <-done
	if r.err != nil {
		t.Fatalf("A' after A's release: %v; it left %d live claim(s) with no release", r.err, liveClaims(t, s, ""))
	}
	defer r.release(false, false)
	claimUnderK(t, s, "A' holds D1")
}
