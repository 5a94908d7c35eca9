package pg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// race runs fn(i) for i in [0, n) at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func mustUpdate(t *testing.T, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func checkVerify(t *testing.T, s *Store) *store.Report {
	t.Helper()
	r, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(r.Problems) > 0 {
		t.Fatalf("Verify problems: %q", r.Problems)
	}
	return r
}

// 16 payers of one decision, each with its own key, as the engine pays:
// exactly one payment; every other payer reads the first's payment.
func TestConcurrentPayers(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 20})
			v := viol("R1", "鲁A1", rules.StatusUnpaid)
			v.DecisionNo = "D1"
			mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
			outcomes := make([]string, 16) // of each payer's last attempt: fn may run more than once
			errs := race(16, func(i int) error {
				return s.update(context.Background(), func(tx *Tx) error {
					outcomes[i] = ""
					if _, ok, err := tx.Idempotent("pay:p", fmt.Sprint("k", i), "h"); ok || err != nil {
						return err
					}
					if ok, err := tx.DecisionOf("D1", "R1"); !ok || err != nil {
						return errors.Join(errors.New("decision lost"), err)
					}
					p := &rules.Payment{ID: fmt.Sprint("P", i), DecisionNo: "D1", RecordNo: "R1", Amount: rules.Yuan(200), PaidAt: t0}
					err := tx.InsertPayment(p)
					if errors.Is(err, rules.ErrAlreadyPaid) {
						first, err := tx.PaymentOfDecision("D1")
						if err != nil {
							return err
						}
						if first == nil {
							return errors.New("already paid, but no payment reads")
						}
						outcomes[i] = "replayed"
						return nil
					}
					if err != nil {
						return err
					}
					if err := tx.Audit(rules.AuditEntry{At: t0, Action: "pay", Subject: "D1"}); err != nil {
						return err
					}
					outcomes[i] = "paid"
					return tx.PutIdempotent("pay:p", fmt.Sprint("k", i), "h", p)
				})
			})
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			n := map[string]int{}
			for _, o := range outcomes {
				n[o]++
			}
			if n["paid"] != 1 || n["replayed"] != 15 || countRows(t, s, "payments") != 1 || countRows(t, s, "audit") != 1 {
				t.Errorf("outcomes %v, payments %d, audit %d; want 1 paid, 15 replayed, 1 payment, 1 audit entry",
					n, countRows(t, s, "payments"), countRows(t, s, "audit"))
			}
			checkVerify(t, s)
		})
	}
}

// 8 binders race for the last slot of a limit: exactly 3 in the end.
func TestConcurrentBindingLimits(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 20})
			bind := func(tx *Tx, who, plate string) error {
				id, err := tx.NextBindingID()
				if err != nil {
					return err
				}
				return tx.InsertBindingLimited(&rules.Binding{ID: id, IDNumber: who, Kind: rules.BindVehicle, Plate: plate,
					PlateType: rules.PlateSmall, Status: rules.BindingPending, CreatedAt: t0}, 3, 3)
			}
			// One person, two other vehicles bound, eight more raced.
			mustUpdate(t, s, func(tx *Tx) error {
				for _, plate := range []string{"鲁A1", "鲁A2"} {
					if err := bind(tx, "P", plate); err != nil {
						return err
					}
				}
				return nil
			})
			errs := race(8, func(i int) error {
				return s.update(context.Background(), func(tx *Tx) error { return bind(tx, "P", fmt.Sprint("鲁B", i)) })
			})
			if ok, limited := outcome(t, errs, rules.ErrTooManyOthers); ok != 1 || limited != 7 {
				t.Errorf("others: %d bound, %d refused; want 1, 7", ok, limited)
			}
			// One vehicle, two non-owner drivers, eight more raced.
			mustUpdate(t, s, func(tx *Tx) error {
				for _, who := range []string{"Q1", "Q2"} {
					if err := bind(tx, who, "鲁C1"); err != nil {
						return err
					}
				}
				return nil
			})
			errs = race(8, func(i int) error {
				return s.update(context.Background(), func(tx *Tx) error { return bind(tx, fmt.Sprint("R", i), "鲁C1") })
			})
			if ok, limited := outcome(t, errs, rules.ErrTooManyDrivers); ok != 1 || limited != 7 {
				t.Errorf("drivers: %d bound, %d refused; want 1, 7", ok, limited)
			}
			err := s.view(context.Background(), func(tx *Tx) error {
				mine, err := tx.BindingsOf("P")
				if err == nil && len(mine) != 3 {
					t.Errorf("person has %d bindings, want 3", len(mine))
				}
				drivers, err2 := tx.BindingsOfVehicle("鲁C1", rules.PlateSmall)
				if err2 == nil && len(drivers) != 3 {
					t.Errorf("vehicle has %d drivers, want 3", len(drivers))
				}
				return errors.Join(err, err2)
			})
			if err != nil {
				t.Fatal(err)
			}
			checkVerify(t, s)
		})
	}
}

// outcome counts the successes and the refusals with want; anything else fails t.
func outcome(t *testing.T, errs []error, want error) (ok, refused int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, want):
			refused++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	return ok, refused
}

// The same idempotency key from 16 goroutines: one effect, and every
// caller gets its response.
func TestConcurrentIdempotencyKey(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 20})
			got := make([]string, 16)
			errs := race(16, func(i int) error {
				return s.update(context.Background(), func(tx *Tx) error {
					raw, ok, err := tx.Idempotent("bind:P", "key", "same request")
					if ok || err != nil {
						got[i] = string(raw)
						return err
					}
					if err := tx.Audit(rules.AuditEntry{At: t0, Action: "effect", Subject: fmt.Sprint(i)}); err != nil {
						return err
					}
					got[i] = fmt.Sprintf(`"by %d"`, i)
					return tx.PutIdempotent("bind:P", "key", "same request", fmt.Sprint("by ", i))
				})
			})
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if n := countRows(t, s, "audit"); n != 1 {
				t.Errorf("%d effects, want 1", n)
			}
			for i := range got {
				if got[i] != got[0] {
					t.Errorf("caller %d got %s, caller 0 %s", i, got[i], got[0])
				}
			}
			// Another request under the key is refused.
			err := s.update(context.Background(), func(tx *Tx) error {
				_, _, err := tx.Idempotent("bind:P", "key", "another request")
				return err
			})
			if !errors.Is(err, rules.ErrIdempotencyReuse) {
				t.Errorf("reuse: %v", err)
			}
			checkVerify(t, s)
		})
	}
}

// Two concurrent online handlings of one record: one wins, the others
// find it pending.
func TestConcurrentHandling(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 20})
			v := viol("R1", "鲁A1", rules.StatusUnhandled)
			mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
			errs := race(8, func(i int) error {
				return s.update(context.Background(), func(tx *Tx) error {
					old, err := tx.Violation("R1")
					if err != nil {
						return err
					}
					if old.Status != rules.StatusUnhandled { // the engine's eligibility check
						return rules.ErrPendingElsewhere
					}
					v := *old
					no, err := tx.NextDecisionNo("370100")
					if err != nil {
						return err
					}
					v.Status, v.DecisionNo, v.DriverIDNumber, v.PendingUntil = rules.StatusPending, no, fmt.Sprint("P", i), t0.Add(time.Hour)
					return tx.PutViolation(&v, old)
				})
			})
			if ok, busy := outcome(t, errs, rules.ErrPendingElsewhere); ok != 1 || busy != 7 {
				t.Errorf("%d handled, %d found it pending; want 1, 7", ok, busy)
			}
			checkVerify(t, s)
		})
	}
}

// 16 claimers of one decision: never two holders at once, all served.
func TestClaimDecision(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 20})
	var holders, most, served atomic.Int32
	errs := race(16, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		prev, release, err := s.ClaimDecision(ctx, "D1", fmt.Sprint("O", i), 10*time.Second)
		if err != nil {
			return err
		}
		if prev != "" {
			return fmt.Errorf("previous %q of a released claim", prev)
		}
		n := holders.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(2 * time.Millisecond)
		holders.Add(-1)
		served.Add(1)
		release()
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if most.Load() != 1 || served.Load() != 16 {
		t.Errorf("at most %d holders at once, %d served; want 1, 16", most.Load(), served.Load())
	}

	// An expired claim is taken over, naming its order; a stale release
	// does not free the new holder's claim.
	_, staleRelease, err := s.ClaimDecision(context.Background(), "D2", "O-crashed", 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	prev, release, err := s.ClaimDecision(context.Background(), "D2", "O-next", time.Minute)
	if err != nil || prev != "O-crashed" || time.Since(start) < 30*time.Millisecond {
		t.Fatalf("takeover: %q, %v after %v; want O-crashed after the expiry", prev, err, time.Since(start))
	}
	staleRelease()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := s.ClaimDecision(ctx, "D2", "O-third", time.Minute); !errors.Is(err, rules.ErrStoreUnavailable) {
		t.Fatalf("claim held by O-next: %v, want a wait ending with the context", err)
	}
	release()
	if _, _, err := s.ClaimDecision(context.Background(), "D2", "O-third", time.Minute); err != nil {
		t.Fatal(err)
	}
}

// Two imports of the same rows at once store each row once.
func TestConcurrentImport(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 20})
			var rows []store.NewViolation
			for i := range 500 {
				v := viol(fmt.Sprintf("R%04d", i), "鲁A1", rules.StatusUnpaid)
				v.DecisionNo = fmt.Sprintf("D%04d", i)
				nv, err := s.Prepare(&v, i+1)
				if err != nil {
					t.Fatal(err)
				}
				rows = append(rows, nv)
			}
			var inserted atomic.Int32
			errs := race(4, func(int) error {
				chunk := append([]store.NewViolation(nil), rows...)
				return s.update(context.Background(), func(tx *Tx) error {
					n, _, err := tx.InsertViolations(chunk)
					if err == nil {
						inserted.Add(int32(n))
					}
					return err
				})
			})
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if inserted.Load() != 500 || countRows(t, s, "violations") != 500 {
				t.Errorf("inserted %d, stored %d; want 500", inserted.Load(), countRows(t, s, "violations"))
			}
			checkVerify(t, s)
		})
	}
}
