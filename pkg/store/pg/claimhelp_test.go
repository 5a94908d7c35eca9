package pg

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/pkg/rules"
)

// The claim tests' shared steps: request h1 pays under key k of scope
// "pay:p"; other requests (h2, h3) try the same key.

// attemptA is attempt A of request h1 paying decision D1.
var attemptA = Claim{Decision: "D1", Order: "ORD-D1-mine", Scope: "pay:p", Key: "k", Hash: "h1"}

// mustClaim claims c for ttl, or fails the test.
func mustClaim(t *testing.T, s *Store, c Claim, ttl time.Duration) (release func(expire, keepKey bool)) {
	t.Helper()
	_, release, err := s.Claim(context.Background(), c, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return release
}

// lapsed claims c for 50 ms and lets the claim lapse, as a payer's whose
// charge hangs.
func lapsed(t *testing.T, s *Store, c Claim) (release func(expire, keepKey bool)) {
	t.Helper()
	release = mustClaim(t, s, c, 50*time.Millisecond)
	time.Sleep(80 * time.Millisecond)
	return release
}

// holding begins a transaction that runs sql (a row lock, an uncommitted
// row), to widen a race's window; it is rolled back at the test's end.
func holding(t *testing.T, s *Store, sql string) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	if _, err := tx.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	return tx
}

// lockKeyK is the statement that locks key k's row.
const lockKeyK = "SELECT 1 FROM idempotency WHERE scope = 'pay:p' AND key = 'k' FOR UPDATE"

// liveClaims counts the live claims (of decision, unless "").
func liveClaims(t *testing.T, s *Store, decision string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM payment_claims WHERE claimed_until > now() AND ($1 = '' OR decision_no = $1)", decision).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// claimUnderK tries to claim decision D2 for another request (h2) under
// key k: it must be refused while k is request h1's.
func claimUnderK(t *testing.T, s *Store, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, release, err := s.Claim(ctx, Claim{Decision: "D2", Order: "ORD-D2-mine", Scope: "pay:p", Key: "k", Hash: "h2"}, time.Minute)
	if err == nil {
		release(false, false)
		t.Errorf("key k claimed for request h2 while %s, want IDEMPOTENCY_KEY_REUSED", why)
	} else if !errors.Is(err, rules.ErrIdempotencyReuse) {
		t.Errorf("request h2 under k: %v, want IDEMPOTENCY_KEY_REUSED", err)
	}
}

// keyRow reports the key k's row: whether it exists, and its holders.
func keyRow(t *testing.T, s *Store) (bool, int) {
	t.Helper()
	var h int
	err := s.pool.QueryRow(context.Background(), "SELECT holders FROM idempotency WHERE scope = 'pay:p' AND key = 'k'").Scan(&h)
	if err != nil {
		return false, 0
	}
	return true, h
}

// claimFreeK claims D9 for a new request h3 under key k, after every
// attempt that held k ended having taken nothing: it must succeed.
func claimFreeK(t *testing.T, s *Store, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, release, err := s.Claim(ctx, Claim{Decision: "D9", Order: "ORD-D9-h3", Scope: "pay:p", Key: "k", Hash: "h3"}, time.Minute)
	if err != nil {
		ok, h := keyRow(t, s)
		t.Fatalf("request h3 under k after %s: %v (key row present %v, holders %d): the key is blocked for ever", why, err, ok, h)
	}
	release(false, false)
}
