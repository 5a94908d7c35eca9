package pg

// Tests from the fifth review (commit 53debfa): each fails on the code it
// was written against.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// TestClaimWaitGivenUpLeavesKeyReserved: a payer with key k waits for a
// decision another order holds, and its caller gives up (ctx ends). No
// claim was taken and no money can have been taken, so nothing of the
// request should stay. But each round of Claim's wait commits k's row
// (its hash, no response) and the error path deletes nothing: k is then
// reserved for the abandoned request for ever, and another request of the
// caller under k is IDEMPOTENCY_KEY_REUSED on every replica.
func TestClaimWaitGivenUpLeavesKeyReserved(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	ctx := context.Background()
	if _, _, err := s.Claim(ctx, Claim{Decision: "D1", Order: "ORD-D1-other"}, time.Minute); err != nil { // held meanwhile
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, _, err := s.Claim(wctx, Claim{Decision: "D1", Order: "ORD-D1-mine", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute)
	if !errors.Is(err, rules.ErrStoreUnavailable) {
		t.Fatalf("waiting claim: %v, want STORE_UNAVAILABLE", err)
	}
	_, release, err := s.Claim(ctx, Claim{Decision: "D2", Order: "ORD-D2-mine", Scope: "pay:p", Key: "k", Hash: "h2"}, time.Minute)
	if err != nil {
		t.Errorf("key k after a request under it gave up waiting (nothing claimed, nothing charged): %v, want free", err)
		return
	}
	release(false, false)
}

// TestVerifyFlagsReservedKey: since 53debfa a key's row holds no response
// while its payment is in flight, and for good after a gateway timeout
// (core.Unsettled keeps it). Verify still counts every such row as a
// problem ("no response stored"): `jgctl store check` fails on a healthy
// database after any gateway timeout, and a store copy from it is
// COPY_MISMATCH.
func TestVerifyFlagsReservedKey(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	ctx := context.Background()
	// A payment whose charge timed out: its claim and its key's row stay.
	if _, _, err := s.Claim(ctx, Claim{Decision: "D1", Order: "ORD-D1-mine", Scope: "pay:p", Key: "k", Hash: "h1"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	r, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("a key reserved by a payment's claim is reported as damage: %q", r.Problems)
	}
}
