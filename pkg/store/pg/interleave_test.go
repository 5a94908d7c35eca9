package pg

import (
	"context"
	"errors"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

// interleave runs first in a transaction whose snapshot is taken before
// other commits (other runs once, in a transaction of its own, at that
// point), then then in the same transaction; it returns Update's error
// and how many times the function ran.
func interleave(t *testing.T, s *Store, other func(*Tx) error, then func(*Tx) error) (error, int) {
	t.Helper()
	runs := 0
	err := s.update(context.Background(), func(tx *Tx) error {
		runs++
		if _, err := tx.Violation("R1"); err != nil { // takes the snapshot
			return err
		}
		if runs == 1 {
			if err := s.update(context.Background(), other); err != nil {
				t.Fatalf("other: %v", err)
			}
		}
		return then(tx)
	})
	return err, runs
}

// A payment committed after this transaction's snapshot: at every level
// the caller gets ErrAlreadyPaid and can read the payment (at REPEATABLE
// READ and SERIALIZABLE through one rerun).
func TestPaymentCommittedMeanwhile(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{})
			// The decided record the payments are for (a payment of a decision
			// that no longer names its record is refused).
			if err := s.update(context.Background(), func(tx *Tx) error {
				return tx.PutViolation(&rules.Violation{RecordNo: "R1", Plate: "鲁A12345", PlateType: rules.PlateSmall, OccurredAt: t0,
					Code: "1625", Fine: rules.Yuan(200), Points: 6, Source: rules.SourceCamera, Status: rules.StatusUnpaid,
					DecisionNo: "D1", ServedOn: rules.DateOf(t0)}, nil)
			}); err != nil {
				t.Fatal(err)
			}
			pay := func(id string) func(*Tx) error {
				return func(tx *Tx) error {
					return tx.InsertPayment(&rules.Payment{ID: id, DecisionNo: "D1", RecordNo: "R1", PaidAt: t0})
				}
			}
			var read *rules.Payment
			err, runs := interleave(t, s, pay("first"), func(tx *Tx) error {
				err := pay("second")(tx)
				if errors.Is(err, rules.ErrAlreadyPaid) {
					var perr error
					if read, perr = tx.PaymentOfDecision("D1"); perr != nil {
						return perr
					}
				}
				return err
			})
			if !errors.Is(err, rules.ErrAlreadyPaid) || read == nil || read.ID != "first" {
				t.Fatalf("got %v and payment %+v (%d runs), want ErrAlreadyPaid and the first payment", err, read, runs)
			}
		})
	}
}

// An idempotency key stored after this transaction's snapshot: the
// caller replays its response (through a rerun where needed).
func TestKeyStoredMeanwhile(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{})
			var replay string
			err, runs := interleave(t, s, func(tx *Tx) error {
				if _, _, err := tx.Idempotent("s", "k", "h"); err != nil {
					return err
				}
				return tx.PutIdempotent("s", "k", "h", "first")
			}, func(tx *Tx) error {
				raw, ok, err := tx.Idempotent("s", "k", "h")
				if ok {
					replay = string(raw)
				}
				return err
			})
			if err != nil || replay != `"first"` {
				t.Fatalf("got %v, replay %q after %d runs; want the first response", err, replay, runs)
			}
		})
	}
}

// A binding committed after this transaction's snapshot still counts.
func TestBindingCommittedMeanwhile(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{})
			bind := func(id, plate string) func(*Tx) error {
				return func(tx *Tx) error {
					return tx.InsertBindingLimited(&rules.Binding{ID: id, IDNumber: "P", Kind: rules.BindVehicle, Plate: plate,
						PlateType: rules.PlateSmall, Status: rules.BindingPending}, 1, 3)
				}
			}
			err, runs := interleave(t, s, bind("B1", "鲁A1"), bind("B2", "鲁A2"))
			if !errors.Is(err, rules.ErrTooManyOthers) {
				t.Fatalf("got %v after %d runs, want ErrTooManyOthers", err, runs)
			}
		})
	}
}

// A serialization failure that the caller turns into another error still
// reruns the transaction: the failure is remembered by the Tx.
func TestRerunWhateverTheCallerReturns(t *testing.T) {
	for _, iso := range []string{"repeatable read", "serializable"} {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{})
			lic := &rules.Licence{IDNumber: "L1", Status: rules.LicenceNormal}
			mustUpdate(t, s, func(tx *Tx) error { return tx.PutLicence(lic) })
			err, runs := interleave(t, s, func(tx *Tx) error { return tx.PutLicence(lic) }, func(tx *Tx) error {
				if err := tx.PutLicence(lic); err != nil {
					return rules.ErrLicenceNotFound // what an engine might make of it
				}
				return nil
			})
			if err != nil || runs != 2 {
				t.Fatalf("got %v after %d runs, want success on the second", err, runs)
			}
		})
	}
}
