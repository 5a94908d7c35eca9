package pg

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// TestPaymentRacesExpiry: a payment whose transaction checked that its
// decision still names the record, and a sweep expiring that lapsed
// handling, never both commit (both write the record's row: violations.paid),
// at every isolation level. bbolt's single writer cannot interleave them.
func TestPaymentRacesExpiry(t *testing.T) {
	for _, iso := range isolations {
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{})
			v := viol("R1", "鲁A1", rules.StatusPending)
			v.DecisionNo, v.DriverIDNumber, v.PendingUntil = "D1", "P1", t0.Add(time.Minute)
			mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
			sweep := func(tx *Tx) error { // what batch.Sweep does at PendingUntil
				old, err := tx.Violation("R1")
				if err != nil {
					return err
				}
				nv := *old
				if !nv.Expire(t0.Add(time.Minute)) {
					return nil
				}
				return tx.PutViolation(&nv, old)
			}
			runs := 0
			err := s.update(context.Background(), func(tx *Tx) error { // what Pay's write does just before PendingUntil
				runs++
				still, err := tx.DecisionOf("D1", "R1")
				if err != nil {
					return err
				}
				if runs == 1 {
					if err := s.update(context.Background(), sweep); err != nil {
						t.Fatalf("sweep: %v", err)
					}
				}
				if !still {
					return rules.ErrDecisionNotFound
				}
				return tx.InsertPayment(&rules.Payment{ID: "PD1", DecisionNo: "D1", RecordNo: "R1", PaidAt: t0})
			})
			var rec *rules.Violation
			var pay *rules.Payment
			if verr := s.View(context.Background(), func(tx txn) error {
				var err error
				if rec, err = tx.Violation("R1"); err != nil {
					return err
				}
				pay, err = tx.PaymentOfDecision("D1")
				return err
			}); verr != nil {
				t.Fatal(verr)
			}
			if pay != nil && rec.DecisionNo != "D1" {
				t.Fatalf("pay returned %v after %d runs: decision D1 has payment %s but record R1 is %s with decision %q",
					err, runs, pay.ID, rec.Status, rec.DecisionNo)
			}
		})
	}
}

// TestZeroByteInputs: text holding a 0 byte (a record or decision number
// looked up, an idempotency key, an imported name) should behave as on
// bbolt. PostgreSQL cannot hold it; it is TEXT_ENCODING (exit 2) there, not
// an outage, while bbolt stores it: skipped, a known limit.
func TestZeroByteInputs(t *testing.T) {
	t.Skip("partly fixed: a 0 byte is TEXT_ENCODING (exit 2) on PostgreSQL, where bbolt stores it or answers not found")
	ops := []struct {
		name string
		fn   func(tx txn) error
	}{
		{"record lookup", func(tx txn) error { _, err := tx.Violation("R\x001"); return err }},
		{"decision lookup", func(tx txn) error { _, err := tx.ViolationByDecision("D\x001"); return err }},
		{"idempotency key", func(tx txn) error { _, _, err := tx.Idempotent("pay", "k\x00", "h"); return err }},
		{"licence name", func(tx txn) error {
			return tx.PutLicence(&rules.Licence{IDNumber: "370102199003071238", Name: "张\x00三", Status: rules.LicenceNormal})
		}},
	}
	pgb, boltb := backendOf(openPG(t, "read committed", Options{})), backendOf(openBolt(t))
	for _, op := range ops {
		want, got := errText(boltb.update(op.fn)), errText(pgb.update(op.fn))
		if got != want {
			t.Errorf("%s: bbolt %q, PostgreSQL %q", op.name, want, got)
		}
	}
}

// cancelGateway charges, then the caller goes away (an HTTP client that
// disconnects, a CLI interrupted): its context ends with the charge made.
type cancelGateway struct {
	*gateway.Sandbox
	cancel context.CancelFunc
}

func (g *cancelGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	ref, err := g.Sandbox.Charge(ctx, order, amount)
	g.cancel()
	return ref, err
}

// TestPayCallerGoneAfterCharge: once the gateway took the money, the
// payment's write (or the refund after its failure) runs even if the
// caller's context ends; PostgreSQL honours a context, bbolt does not.
func TestPayCallerGoneAfterCharge(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	v := viol("R1", "鲁A1", rules.StatusUnpaid)
	v.DecisionNo, v.ServedOn = "3701001234567890", rules.DateOf(t0)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gw := &cancelGateway{Sandbox: gateway.NewSandbox(gateway.Approve), cancel: cancel}
	e := engine.New(engine.Config{Store: s, Policy: rules.DefaultPolicy(), Now: func() time.Time { return t0.Add(time.Hour) }, Gateway: gw})
	_, err := e.Pay(ctx, api.Staff, api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k"}, DecisionNo: v.DecisionNo})
	var paid *rules.Payment
	if verr := s.View(context.Background(), func(tx txn) error {
		var err error
		paid, err = tx.PaymentOfDecision(v.DecisionNo)
		return err
	}); verr != nil {
		t.Fatal(verr)
	}
	if total, n := gw.Charged(); n != 0 && paid == nil {
		t.Errorf("caller gone after the charge: %s kept by the gateway, no payment recorded, no refund (Pay: %v)", total, err)
	}
}

// dbClaimer is internal/app's dbClaims without its in-process keys.
type dbClaimer struct{ s *Store }

func (c dbClaimer) ClaimDecision(ctx context.Context, cl core.Claim, ttl time.Duration) (string, func(core.Outcome), error) {
	previous, end, err := c.s.Claim(ctx, Claim{Decision: cl.Decision, Order: cl.Order, Scope: cl.Scope, Key: cl.Key, Hash: cl.Hash}, ttl)
	if err != nil {
		return "", nil, err
	}
	return previous, func(o core.Outcome) {
		switch o {
		case core.Settled:
			end(false, false)
		case core.Paid:
			end(false, true)
		case core.Lapsed:
			end(true, false)
		case core.Unsettled:
			end(true, true)
		}
	}, nil
}

// flakyStatus fails the gateway's first status query.
type flakyStatus struct {
	*gateway.Sandbox
	failed bool
}

func (g *flakyStatus) Status(ctx context.Context, order string) (gateway.Charge, error) {
	if !g.failed {
		g.failed = true
		return gateway.Charge{}, rules.ErrGatewayTimeout
	}
	return g.Sandbox.Status(ctx, order)
}

// TestLapsedClaimForgottenAfterError: a payer that took over a lapsed claim
// and failed to ask the gateway about the dead payer's order leaves that
// order for the next payer: its release leaves the claim row, expired,
// still naming the order, and the retry settles it instead of charging
// again.
func TestLapsedClaimForgottenAfterError(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	v := viol("R1", "鲁A1", rules.StatusUnpaid)
	v.DecisionNo, v.ServedOn = "3701001234567890", rules.DateOf(t0)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	ctx := context.Background()
	gw := &flakyStatus{Sandbox: gateway.NewSandbox(gateway.Approve)}
	dead := "ORD-" + v.DecisionNo + "-0123456789abcdef"
	if _, _, err := s.ClaimDecision(ctx, v.DecisionNo, dead, time.Millisecond); err != nil { // never released
		t.Fatal(err)
	}
	if _, err := gw.Charge(ctx, dead, rules.Yuan(200)); err != nil { // then it died
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the claim lapses
	e := engine.New(engine.Config{Store: s, Policy: rules.DefaultPolicy(), Now: func() time.Time { return t0.Add(time.Hour) }, Gateway: gw, Claims: dbClaimer{s}})
	req := api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k"}, DecisionNo: v.DecisionNo}
	_, err1 := e.Pay(ctx, api.Staff, req) // the status query fails
	_, err2 := e.Pay(ctx, api.Staff, req)
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("dead payer's order %s forgotten: %d charges kept (%s); first payer: %v, retry: %v", dead, n, total, err1, err2)
	}
}

// hookStore runs before once, inside the first Update, just before that
// transaction writes its first record (after all its reads).
type hookStore struct {
	store.Store
	fired  atomic.Bool
	before func()
}

type hookTx struct {
	store.Tx
	h *hookStore
}

func (t hookTx) PutViolation(v, old *rules.Violation) error {
	if t.h.fired.CompareAndSwap(false, true) {
		t.h.before()
	}
	return t.Tx.PutViolation(v, old)
}

func (s *hookStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(hookTx{tx, s}) })
}

// TestHandlingsTogetherPassPointsLimit: two online handlings of one driver
// on two replicas (6 + 6 points against a limit of 12) cannot both pass:
// each writes the driver's licence row before counting (Tx.HoldLicence).
func TestHandlingsTogetherPassPointsLimit(t *testing.T) {
	for _, iso := range isolations { // SERIALIZABLE passes: the control
		t.Run(iso, func(t *testing.T) {
			s := openPG(t, iso, Options{})
			const id = "370102199003071238"
			mustUpdate(t, s, func(tx *Tx) error {
				for _, err := range []error{
					tx.PutLicence(&rules.Licence{IDNumber: id, Name: "张三", FirstIssuedOn: rules.NewDate(2015, 3, 1), Status: rules.LicenceNormal}),
					tx.InsertPerson(&rules.Person{IDNumber: id, Name: "张三", Phone: "13800138000", RegisteredAt: t0, Via: "licence"}),
					tx.PutBinding(&rules.Binding{ID: "B1", IDNumber: id, Kind: rules.BindVehicle, Plate: "鲁A1", PlateType: rules.PlateSmall, Own: true, Status: rules.BindingActive, CreatedAt: t0}),
					tx.PutBinding(&rules.Binding{ID: "B2", IDNumber: id, Kind: rules.BindLicence, Status: rules.BindingActive, CreatedAt: t0}),
				} {
					if err != nil {
						return err
					}
				}
				for _, rn := range []string{"R1", "R2"} {
					v := viol(rn, "鲁A1", rules.StatusUnhandled)
					if err := tx.PutViolation(&v, nil); err != nil {
						return err
					}
				}
				return nil
			})
			h := &hookStore{Store: s}
			e := engine.New(engine.Config{Store: h, Policy: rules.DefaultPolicy(), Now: func() time.Time { return t0.Add(time.Hour) }})
			a := api.Actor{Role: api.RolePerson, IDNumber: id}
			var errB error
			doneB := make(chan struct{})
			h.before = func() { // R2 handled by another replica meanwhile, while R1's transaction is open
				go func() {
					defer close(doneB)
					_, errB = e.HandleViolation(context.Background(), a, api.HandleRequest{RecordNo: "R2"})
				}()
				time.Sleep(100 * time.Millisecond) // let it read and write what it can
			}
			_, errA := e.HandleViolation(context.Background(), a, api.HandleRequest{RecordNo: "R1"})
			<-doneB
			if errA == nil && errB == nil {
				t.Errorf("both 6-point records handled online at once (limit 12): each read the other's record unhandled")
			}
		})
	}
}
