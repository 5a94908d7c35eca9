package engine_test

// Payment, reconciliation and key tests from the review of the payment
// paths: each failed on the code before its fix.

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

const (
	onsiteDecision = "3701001234567890"    // onsite, served 2026-11-12, fine 50.00, 张三's
	cameraRecord   = "3701002026110500002" // camera record of 鲁A12345, unhandled
)

// paymentEngine is exampleEngine with a chosen gateway and claimer.
func paymentEngine(t *testing.T, gw gateway.Gateway, claims core.Claimer) (*engine.Engine, *time.Time) {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "r.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Now: clock, Gateway: gw, Claims: claims})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []api.RegisterPersonRequest{
		{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"},
		{IDNumber: li, Name: "李四", Phone: "13900139000", FileNo: "370200234567"},
	} {
		if _, err := e.RegisterPerson(ctx, api.Staff, r); err != nil {
			t.Fatal(err)
		}
	}
	return e, &now
}

// handleCamera binds 张三's car and licence and starts the online handling
// of its camera record: a pending decision to pay.
func handleCamera(t *testing.T, e *engine.Engine) *api.HandleResult {
	t.Helper()
	ctx := context.Background()
	if _, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.BindLicence(ctx, person(zhang), api.BindLicenceRequest{}); err != nil {
		t.Fatal(err)
	}
	h, err := e.HandleViolation(ctx, person(zhang), api.HandleRequest{RecordNo: cameraRecord})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func payKey(k string) api.Mutation { return api.Mutation{IdempotencyKey: k} }

// TestPayKeyReusedAfterTimeout: a key whose first payment timed out at the
// gateway (the bank took the money, nothing was recorded) stays reserved
// for that request: reused for another decision it is refused, not charged.
func TestPayKeyReusedAfterTimeout(t *testing.T) {
	gw := gateway.NewSandbox(gateway.Timeout)
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	_, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
	wantCode(t, "first attempt", err, "GATEWAY_TIMEOUT")
	gw.SetMode(gateway.Approve)
	h := handleCamera(t, e)
	_, err = e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: h.DecisionNo})
	if n := gw.Orders(); n != 1 {
		t.Errorf("key k reached the gateway for %d orders (two decisions), want 1", n)
	}
	wantCode(t, "same key, another decision, after a timeout", err, "IDEMPOTENCY_KEY_REUSED")
}

// TestPayConcurrentKeyReuse: the same caller and key for two decisions at
// once: the key is claimed with the first, and the second never reaches
// the gateway.
func TestPayConcurrentKeyReuse(t *testing.T) {
	gw := &holdGateway{Sandbox: gateway.NewSandbox(gateway.Approve), entered: make(chan struct{}, 4), release: make(chan struct{})}
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	h := handleCamera(t, e)
	var wg sync.WaitGroup
	for _, dec := range []string{onsiteDecision, h.DecisionNo} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: dec})
		}()
	}
	<-gw.entered
	select { // a second charge with the same key, or none
	case <-gw.entered:
	case <-time.After(time.Second):
	}
	close(gw.release)
	wg.Wait()
	if n := gw.Orders(); n != 1 {
		t.Errorf("one key reached the gateway for %d orders, want 1", n)
	}
}

// holdGateway holds every charge until release is closed, and tells
// entered of each.
type holdGateway struct {
	*gateway.Sandbox
	entered chan struct{}
	release chan struct{}
}

func (g *holdGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Sandbox.Charge(ctx, order, amount)
}

// pausingClaims is the in-process claimer, except that a claim on pause
// waits (after saying so on arrived) until proceed is closed.
type pausingClaims struct {
	core.LocalClaims
	pause            string
	arrived, proceed chan struct{}
}

func (c *pausingClaims) ClaimDecision(ctx context.Context, cl core.Claim, ttl time.Duration) (string, func(core.Outcome), error) {
	if cl.Decision == c.pause {
		close(c.arrived)
		<-c.proceed
	}
	return c.LocalClaims.ClaimDecision(ctx, cl, ttl)
}

// TestPayByRecordRacesPayByDecision: a payer by record whose record gets
// its decision after it claimed "record:R" finds that out when it reads,
// and claims the decision instead, so only one payer of the decision
// reaches the gateway.
func TestPayByRecordRacesPayByDecision(t *testing.T) {
	gw := &holdGateway{Sandbox: gateway.NewSandbox(gateway.Approve), entered: make(chan struct{}, 4), release: make(chan struct{})}
	claims := &pausingClaims{pause: "record:" + cameraRecord, arrived: make(chan struct{}), proceed: make(chan struct{})}
	e, _ := paymentEngine(t, gw, claims)
	ctx := context.Background()
	if _, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.BindLicence(ctx, person(zhang), api.BindLicenceRequest{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // by record: resolves "record:R" (no decision yet), then pauses
		defer wg.Done()
		e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("byrecord"), RecordNo: cameraRecord})
	}()
	<-claims.arrived
	h, err := e.HandleViolation(ctx, person(zhang), api.HandleRequest{RecordNo: cameraRecord})
	if err != nil {
		t.Fatal(err)
	}
	go func() { // by decision: claims D and is held in the gateway
		defer wg.Done()
		e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("bydecision"), DecisionNo: h.DecisionNo})
	}()
	<-gw.entered
	close(claims.proceed)
	select {
	case <-gw.entered:
	case <-time.After(time.Second):
	}
	close(gw.release)
	wg.Wait()
	if n := gw.Orders(); n != 1 {
		t.Errorf("two payers of decision %s reached the gateway (%d orders), want 1", h.DecisionNo, n)
	}
}

// TestTimedOutChargeIsSettledFirst: a payment that timed out at the
// gateway (the bank took the money, nothing was recorded) leaves its order
// with the decision; the next payer settles it first (records the first
// charge) instead of charging the decision again.
func TestTimedOutChargeIsSettledFirst(t *testing.T) {
	gw := gateway.NewSandbox(gateway.Timeout)
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	_, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k1"), DecisionNo: onsiteDecision})
	wantCode(t, "first attempt", err, "GATEWAY_TIMEOUT")
	var re *rules.Error
	errors.As(err, &re)
	first := re.EN[strings.Index(re.EN, "ORD-"):] // the order, as GATEWAY_TIMEOUT named it
	gw.SetMode(gateway.Approve)
	_, err = e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("k2"), DecisionNo: onsiteDecision})
	wantCode(t, "another payer after the timeout", err, "DECISION_ALREADY_PAID")
	if total, n := gw.Charged(); n != 1 || total.String() != "50.00" {
		t.Errorf("the bank keeps %d charges, %s in all; want the first, 50.00", n, total)
	}
	ms, err := e.Outbox(ctx, api.Staff, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	paid := 0
	for _, m := range ms {
		if m.Template == "paid" && strings.Contains(m.Text, onsiteDecision) {
			paid++
		}
	}
	if paid != 1 {
		t.Errorf("%d \"paid\" messages for %s, want 1 (a payment recorded on settling tells the driver too)", paid, onsiteDecision)
	}
	// The first payer's retry with its key gets its receipt.
	rec, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k1"), DecisionNo: onsiteDecision})
	if err != nil || rec.OrderID != first {
		t.Fatalf("retry of the timed-out payment = %+v, %v; want the receipt of %s", rec, err, first)
	}
}

// TestReconcileRefundsSecondCharge: a charge the bank took for a decision
// that another order paid (a late notification, a charge made elsewhere)
// is a second payment: reconciling it refunds and audits it.
func TestReconcileRefundsSecondCharge(t *testing.T) {
	gw := gateway.NewSandbox(gateway.Approve)
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	if _, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k1"), DecisionNo: onsiteDecision}); err != nil {
		t.Fatal(err)
	}
	second := "ORD-" + onsiteDecision + "-00000000000000ff"
	if _, err := gw.Charge(ctx, second, rules.Fen(5000)); err != nil {
		t.Fatal(err)
	}
	res, err := e.Reconcile(ctx, api.Staff, second)
	if err != nil || !res.Refunded || res.Applied {
		t.Fatalf("reconcile of a second charge = %+v, %v; want it refunded", res, err)
	}
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("after reconcile of %s: %d charges kept, %s in all; want the second refunded", second, n, total)
	}
}

// strictGateway follows the Gateway contract literally: charging an order
// again returns the first charge's reference and moves no money, even if
// that charge was refunded (banks refuse a reused merchant order number).
// onCharge runs inside every charge.
type strictGateway struct {
	*gateway.Sandbox
	mu       sync.Mutex
	refs     map[string]string
	onCharge func()
}

func (g *strictGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	g.mu.Lock()
	ref, seen := g.refs[order]
	g.mu.Unlock()
	if g.onCharge != nil {
		g.onCharge()
	}
	if seen {
		return ref, nil
	}
	ref, err := g.Sandbox.Charge(ctx, order, amount)
	if err == nil {
		g.mu.Lock()
		g.refs[order] = ref
		g.mu.Unlock()
	}
	return ref, err
}

// turnDayDuringCharge sets the clock a second before midnight, once late
// fees accrue daily, and moves it past midnight during the first charge:
// the amount due changes between the charge and the write.
func turnDayDuringCharge(gw *strictGateway, now *time.Time) {
	*now = time.Date(2026, 12, 1, 23, 59, 59, 0, rules.China)
	moved := false
	gw.onCharge = func() {
		if !moved {
			moved = true
			*now = now.Add(2 * time.Second)
		}
	}
}

// TestPayRetryAfterRefund: a payment whose charge was refunded (the late
// fee grew between the charge and the write) is retried with the same key.
// A gateway keeping its contract answers a second charge of an order with
// the first, refunded one, so the retry must charge a new order.
func TestPayRetryAfterRefund(t *testing.T) {
	gw := &strictGateway{Sandbox: gateway.NewSandbox(gateway.Approve), refs: map[string]string{}}
	e, now := paymentEngine(t, gw, nil)
	turnDayDuringCharge(gw, now)
	ctx := context.Background()
	req := api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision}
	_, err := e.Pay(ctx, person(zhang), req)
	wantCode(t, "first attempt", err, "PAYMENT_AMOUNT_CHANGED")
	rec, err := e.Pay(ctx, person(zhang), req)
	if err != nil {
		return // refused: nothing recorded without money
	}
	c, err := gw.Status(ctx, rec.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Paid {
		t.Errorf("decision recorded paid (%s, ref %s) by order %s, which the gateway refunded", rec.Amount, rec.GatewayRef, rec.OrderID)
	}
}

// TestTTLFormat: a lifetime that is not a duration is TTL_FORMAT, not
// TTL_TOO_LONG ("h" alone, ".h", "1.2.3h" look like an overflow).
func TestTTLFormat(t *testing.T) {
	e, _ := exampleEngine(t)
	for _, ttl := range []string{"h", ".h", "1.2.3h"} {
		_, err := e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "n", TTL: ttl})
		wantCode(t, "ttl "+ttl, err, "TTL_FORMAT")
	}
}

// TestRegistrationReplayIsThrottled: an open registration's replay checks
// the password against the stored hash, so it counts failures as Login
// does: five lock the ID number out, and it is no way to test passwords.
func TestRegistrationReplayIsThrottled(t *testing.T) {
	e, _ := exampleEngine(t)
	ctx := context.Background()
	const wang = "370602199211204522"
	reg := api.RegisterPersonRequest{Mutation: api.Mutation{IdempotencyKey: "1"}, IDNumber: wang, Name: "王芳", Phone: "13700137000", FileNo: "370600345678", Password: "wangfang2026"}
	if _, err := e.RegisterPerson(ctx, person(wang), reg); err != nil {
		t.Fatal(err)
	}
	guess := reg
	for i := range 8 {
		guess.Password = "guess" + string(rune('a'+i)) + "2026"
		_, err := e.RegisterPerson(ctx, person(wang), guess)
		if errors.Is(err, rules.ErrTooManyAttempts) {
			return
		}
		wantCode(t, "wrong password on replay", err, "IDEMPOTENCY_KEY_REUSED")
	}
	if p, err := e.RegisterPerson(ctx, person(wang), reg); err == nil {
		t.Errorf("after 8 wrong guesses the right password still answers (%s, %s): the replay is an unthrottled password check", p.Name, p.Phone)
	}
}

// TestLegacyPaymentReplays: a payment recorded before keys had records (an
// old store) still replays by its order ID and is not charged again.
func TestLegacyPaymentReplays(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	gw := gateway.NewSandbox(gateway.Approve)
	e := engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }, Gateway: gw})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RegisterPerson(ctx, api.Staff, api.RegisterPersonRequest{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"}); err != nil {
		t.Fatal(err)
	}
	a := person(zhang)
	order := "ORD-" + onsiteDecision + "-" + core.RequestHash(struct{ Actor, Key string }{a.String(), "old"})[:16]
	if err := st.Update(ctx, func(tx store.Tx) error {
		return tx.InsertPayment(&rules.Payment{ID: "P" + onsiteDecision, DecisionNo: onsiteDecision, RecordNo: "3701002026111200003", Fine: rules.Fen(5000),
			LateFee: rules.Fen(0), Amount: rules.Fen(5000), PayerIDNumber: zhang, GatewayRef: "OLD1", OrderID: order, PaidAt: now, IdempotencyKey: "old"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []api.PayRequest{{Mutation: payKey("old"), DecisionNo: onsiteDecision}, {Mutation: payKey("old"), RecordNo: "3701002026111200003"}} {
		rec, err := e.Pay(ctx, a, r)
		if err != nil || !rec.Replayed || rec.GatewayRef != "OLD1" {
			t.Fatalf("legacy replay %+v = %+v, %v", r, rec, err)
		}
	}
	if n := gw.Orders(); n != 0 {
		t.Fatalf("legacy replay charged %d orders", n)
	}
}

// TestDamagedKeyRecord: a damaged idempotency record gives a refusal with a
// code, not a Go error ("store: corrupt…", "invalid character…").
func TestDamagedKeyRecord(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "d.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy()})
	a := person(zhang)
	hash := core.RequestHash(struct{ DecisionNo, RecordNo string }{onsiteDecision, ""})
	for _, rec := range []string{"no newline", hash + "\n{not json"} {
		if err := st.Update(context.Background(), func(tx store.Tx) error { return tx.PutEncodedIdempotent(core.KeyScope("pay", a), "k", []byte(rec)) }); err != nil {
			t.Fatal(err)
		}
		_, err := e.Pay(context.Background(), a, api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
		var re *rules.Error
		if !errors.As(err, &re) {
			t.Errorf("damaged key record %q: %v (%T), want a *rules.Error", rec, err, err)
		}
	}
}
