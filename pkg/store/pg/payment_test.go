package pg

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// paymentWrite is the write of payer i of decision D1 (record R1) with its
// own key, ending its claim of order O<i>.
func paymentWrite(t *testing.T, i int) store.PaymentWrite {
	t.Helper()
	p := &rules.Payment{ID: "PD1", DecisionNo: "D1", RecordNo: "R1", Amount: rules.Yuan(200), PaidAt: t0, OrderID: fmt.Sprint("O", i)}
	raw, err := enc.EncodePayment(p)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := enc.EncodeIdempotent("h", p)
	audit, _ := enc.EncodeAudit(rules.AuditEntry{At: t0, Action: "pay", Subject: "D1"})
	note, _ := enc.EncodeNotification(rules.Notification{CreatedAt: t0, To: "138", Template: "paid"})
	return store.PaymentWrite{Scope: "pay:p", Key: fmt.Sprint("k", i), Hash: "h", KeyRecord: rec, DecisionNo: "D1", RecordNo: "R1",
		Payment: raw, Audit: audit, Note: note, ClaimDecision: "D1", ClaimOrder: fmt.Sprint("O", i)}
}

func decided(t *testing.T, s *Store, st rules.Status) {
	t.Helper()
	v := viol("R1", "鲁A1", st)
	v.DecisionNo, v.DriverIDNumber = "D1", "P1"
	if st == rules.StatusPending {
		v.PendingUntil = t0.Add(time.Minute)
	}
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
}

// 16 payers of one decision write at once, each with its own key:
// exactly one payment, one key, one audit entry and one message.
func TestConcurrentPaymentWrites(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{MaxConns: 20})
			decided(t, s, rules.StatusUnpaid)
			written := make([]bool, 16)
			errs := race(16, func(i int) (err error) {
				written[i], err = s.WritePayment(context.Background(), paymentWrite(t, i))
				return err
			})
			n := 0
			for i, err := range errs {
				if err != nil {
					t.Error(err)
				}
				if written[i] {
					n++
				}
			}
			for _, table := range []string{"payments", "idempotency", "audit", "outbox"} {
				if got := countRows(t, s, table); got != 1 || n != 1 {
					t.Errorf("%d writes reported, %d rows in %s; want 1 and 1", n, got, table)
				}
			}
			checkVerify(t, s)
		})
	}
}

// A payment's write and the expiry of its lapsed handling never both
// commit: a write while the expiry is in flight waits for it and writes
// nothing; an expiry that read the record before the write committed is
// refused or rerun to find it paid.
func TestPaymentWriteRacesExpiry(t *testing.T) {
	expire := func(tx *Tx, old *rules.Violation) error {
		nv := *old
		if !nv.Expire(t0.Add(time.Minute)) {
			return nil
		}
		return tx.PutViolation(&nv, old)
	}
	for _, iso := range isolations {
		t.Run(iso+"/expiry first", func(t *testing.T) {
			s := openPG(t, iso, Options{})
			decided(t, s, rules.StatusPending)
			done := make(chan bool)
			mustUpdate(t, s, func(tx *Tx) error {
				old, err := tx.Violation("R1")
				if err != nil {
					return err
				}
				if err := expire(tx, old); err != nil {
					return err
				}
				go func() {
					written, err := s.WritePayment(context.Background(), paymentWrite(t, 1))
					if err != nil {
						t.Error(err)
					}
					done <- written
				}()
				time.Sleep(100 * time.Millisecond) // the write waits for the record's row
				return nil
			})
			if <-done || countRows(t, s, "payments") != 0 {
				t.Errorf("a payment was written for a handling that expired")
			}
		})
		t.Run(iso+"/write first", func(t *testing.T) {
			s := openPG(t, iso, Options{})
			decided(t, s, rules.StatusPending)
			runs := 0
			err := s.update(context.Background(), func(tx *Tx) error {
				runs++
				old, err := tx.Violation("R1")
				if err != nil {
					return err
				}
				if runs == 1 {
					if written, err := s.WritePayment(context.Background(), paymentWrite(t, 1)); !written || err != nil {
						t.Fatalf("write: %v, %v", written, err)
					}
				}
				return expire(tx, old)
			})
			var rec *rules.Violation
			if verr := s.View(context.Background(), func(tx txn) (err error) { rec, err = tx.Violation("R1"); return err }); verr != nil {
				t.Fatal(verr)
			}
			if rec.Status != rules.StatusPaid || rec.DecisionNo != "D1" {
				t.Errorf("expiry returned %v after %d runs: record R1 is %s with decision %q, want paid D1", err, runs, rec.Status, rec.DecisionNo)
			}
		})
	}
}

// The write ends its payer's claim with the payment; a write that writes
// nothing leaves it.
func TestPaymentWriteEndsClaim(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	decided(t, s, rules.StatusUnpaid)
	ctx := context.Background()
	if _, _, err := s.ClaimDecision(ctx, "D1", "O1", time.Minute); err != nil {
		t.Fatal(err)
	}
	w := paymentWrite(t, 1)
	w.RecordNo = "R2" // not the decision's record: nothing written
	if written, err := s.WritePayment(ctx, w); written || err != nil || countRows(t, s, "payment_claims") != 1 {
		t.Fatalf("write for another record: %v, %v, %d claims; want false, nil, 1", written, err, countRows(t, s, "payment_claims"))
	}
	if written, err := s.WritePayment(ctx, paymentWrite(t, 1)); !written || err != nil || countRows(t, s, "payment_claims") != 0 {
		t.Fatalf("write: %v, %v, %d claims; want true, nil, 0", written, err, countRows(t, s, "payment_claims"))
	}
}
