package engine_test

// Tests from the second review of the payment paths: each failed on the
// code before its fix, or, skipped, pins a known limit.

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

// TestTimedOutChargeIsSettledBeforeAnotherPayer: a payer's charge timed
// out (the bank took the money, the answer was lost). The decision stays
// claimed for that order, so another payer first asks the gateway about it
// and records it: nothing is charged twice, and the first payer's retry
// gets its receipt.
func TestTimedOutChargeIsSettledBeforeAnotherPayer(t *testing.T) {
	gw := gateway.NewSandbox(gateway.Timeout)
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	req := api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision}
	_, err := e.Pay(ctx, person(zhang), req)
	wantCode(t, "first attempt", err, "GATEWAY_TIMEOUT")
	gw.SetMode(gateway.Approve)
	_, errLi := e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("other"), DecisionNo: onsiteDecision})
	_, errRetry := e.Pay(ctx, person(zhang), req)
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("decision %s: %d charges kept (%s); the other payer got %v, the timed-out payer's retry %v; want one charge",
			onsiteDecision, n, total, errLi, errRetry)
	}
}

// TestUnsettledKeyAcrossProcesses: the reservation of a key whose order
// timed out outlives its process (a CLI command, a restart, another
// replica): it is recorded in the store.
func TestUnsettledKeyAcrossProcesses(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	t.Run("bbolt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "p.db")
		unsettledKeyAcrossProcesses(t, func(gw gateway.Gateway) (*engine.Engine, func()) {
			st, err := bolt.Open(path, bolt.Options{NoSync: true, Create: true})
			if err != nil {
				t.Fatal(err)
			}
			return engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }, Gateway: gw}), func() { st.Close() }
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.NewDB(t, "read committed")
		if _, _, err := app.Migrate(context.Background(), dsn, false); err != nil {
			t.Fatal(err)
		}
		unsettledKeyAcrossProcesses(t, func(gw gateway.Gateway) (*engine.Engine, func()) {
			e, st, err := app.Open(dsn, app.Config{Now: func() time.Time { return now }, Gateway: gw})
			if err != nil {
				t.Fatal(err)
			}
			return e, func() { st.Close() }
		})
	})
}

// unsettledKeyAcrossProcesses pays with key k into a gateway timeout in
// one process, then with k for another decision in the next one.
func unsettledKeyAcrossProcesses(t *testing.T, openWith func(gateway.Gateway) (*engine.Engine, func())) {
	gw := gateway.NewSandbox(gateway.Timeout)
	open := func() (*engine.Engine, func()) { return openWith(gw) }
	ctx := context.Background()
	e, closeStore := open()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RegisterPerson(ctx, api.Staff, api.RegisterPersonRequest{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func() error{
		func() error {
			_, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
			return err
		},
		func() error { _, err := e.BindLicence(ctx, person(zhang), api.BindLicenceRequest{}); return err },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	h, err := e.HandleViolation(ctx, person(zhang), api.HandleRequest{RecordNo: cameraRecord})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
	wantCode(t, "first attempt", err, "GATEWAY_TIMEOUT")
	closeStore() // the command ends

	gw.SetMode(gateway.Approve)
	e, closeStore = open() // the next command
	defer closeStore()
	_, err = e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: h.DecisionNo})
	if n := gw.Orders(); n != 1 {
		t.Errorf("key k reached the gateway for %d orders (two decisions) in two processes (%v), want 1", n, err)
	}
}

// failingStore fails the next write once armed: a lost connection, a
// cancelled request or a full disk, after the gateway was called.
type failingStore struct {
	store.Store
	armed atomic.Bool
}

func (s *failingStore) WritePayment(ctx context.Context, w store.PaymentWrite) (bool, error) {
	if s.armed.CompareAndSwap(true, false) {
		return false, rules.ErrStoreUnavailable.Withf("injected")
	}
	return s.Store.WritePayment(ctx, w)
}

func (s *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.armed.CompareAndSwap(true, false) {
		return rules.ErrStoreUnavailable.Withf("injected")
	}
	return s.Store.Update(ctx, fn)
}

// refundHookGateway is strictGateway that runs onRefund after each refund.
type refundHookGateway struct {
	*strictGateway
	onRefund func()
}

func (g *refundHookGateway) Refund(ctx context.Context, order string) error {
	err := g.strictGateway.Refund(ctx, order)
	if err == nil && g.onRefund != nil {
		g.onRefund()
	}
	return err
}

// TestRefundMarkLost: an order is marked refunded before its money goes
// back, so a failed write of the mark cannot leave a refunded order to be
// charged again (a gateway keeping its contract would answer with the
// refunded charge) and recorded paid with no money.
func TestRefundMarkLost(t *testing.T) {
	gw := &refundHookGateway{strictGateway: &strictGateway{Sandbox: gateway.NewSandbox(gateway.Approve), refs: map[string]string{}}}
	st, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs := &failingStore{Store: st}
	now := time.Date(2026, 12, 1, 23, 59, 59, 0, rules.China)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := engine.New(engine.Config{Store: fs, Policy: rules.DefaultPolicy(), Now: clock, Gateway: gw})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	moved := false
	gw.onCharge = func() {
		if !moved { // the day turns during the first charge: its write refunds it
			moved = true
			mu.Lock()
			now = now.Add(2 * time.Second)
			mu.Unlock()
		}
	}
	gw.onRefund = func() { fs.armed.Store(true) } // the mark's write fails
	req := api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision}
	_, err = e.Pay(ctx, api.Staff, req)
	wantCode(t, "first attempt", err, "PAYMENT_AMOUNT_CHANGED")
	gw.onRefund = nil
	rec, err := e.Pay(ctx, api.Staff, req)
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

// orderClaims records the order each claim names and hands the next claim
// a lapsed claim's order, as the database claims do after the TTL.
type orderClaims struct {
	mu       sync.Mutex
	orders   []string
	previous string
}

func (c *orderClaims) ClaimDecision(_ context.Context, cl core.Claim, _ time.Duration) (string, func(core.Outcome), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.orders = append(c.orders, cl.Order)
	p := c.previous
	c.previous = ""
	return p, func(core.Outcome) {}, nil
}

// dyingGateway is strictGateway whose charges, once die is set, take the
// money and never return (the payer's process died after the charge).
type dyingGateway struct {
	*strictGateway
	die     atomic.Bool
	charged chan string
	never   chan struct{}
}

func (g *dyingGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	ref, err := g.strictGateway.Charge(ctx, order, amount)
	if g.die.Load() {
		g.charged <- order
		<-g.never
	}
	return ref, err
}

// TestLapsedClaimOfRetriedOrder: a payer whose base order was refunded
// charges ORD-…-r1 and dies. The next payer, told of the base order,
// settles the order that payer actually charged (the first not refunded)
// instead of charging the decision again.
func TestLapsedClaimOfRetriedOrder(t *testing.T) {
	gw := &dyingGateway{strictGateway: &strictGateway{Sandbox: gateway.NewSandbox(gateway.Approve), refs: map[string]string{}},
		charged: make(chan string, 1), never: make(chan struct{})}
	dead := make(chan struct{})
	defer func() { close(gw.never); <-dead }() // the store closes after the dead payer ends
	claims := &orderClaims{}
	e, now := paymentEngine(t, gw, claims)
	turnDayDuringCharge(gw.strictGateway, now)
	ctx := context.Background()
	req := api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision}
	_, err := e.Pay(ctx, person(zhang), req)
	wantCode(t, "first attempt", err, "PAYMENT_AMOUNT_CHANGED") // base refunded
	gw.die.Store(true)
	go func() { // charges base-r1, then dies
		defer close(dead)
		e.Pay(ctx, person(zhang), req)
	}()
	charged := <-gw.charged
	gw.die.Store(false)
	claims.mu.Lock()
	claims.previous = claims.orders[len(claims.orders)-1] // the dead payer's claim lapses
	claimed := claims.previous
	claims.mu.Unlock()
	_, errLi := e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("other"), DecisionNo: onsiteDecision})
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("dead payer charged %s under a claim naming %s; the next payer got %v; %d charges kept (%s), want 1",
			charged, claimed, errLi, n, total)
	}
}

// scriptGateway answers each charge, in call order, after its turn is
// released: declined for the calls listed in decline, else approved.
type scriptGateway struct {
	*gateway.Sandbox
	mu      sync.Mutex
	calls   int
	decline map[int]bool
	entered chan string
	turn    []chan struct{}
}

func (g *scriptGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	g.mu.Lock()
	n := g.calls
	g.calls++
	g.mu.Unlock()
	g.entered <- order
	<-g.turn[n]
	if g.decline[n] {
		return "", rules.ErrPaymentDeclined.Withf("script")
	}
	return g.Sandbox.Charge(ctx, order, amount)
}

// TestKeyReservationSharedBySameRequest: two copies of one request (same
// key, same decision) hold the key's reservation together: the first to
// end does not free it while the other is still paying, so the key cannot
// pay another decision meanwhile.
func TestKeyReservationSharedBySameRequest(t *testing.T) {
	gw := &scriptGateway{Sandbox: gateway.NewSandbox(gateway.Approve), decline: map[int]bool{0: true}, entered: make(chan string, 8)}
	for range 4 {
		gw.turn = append(gw.turn, make(chan struct{}))
	}
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	h := handleCamera(t, e)
	var wg sync.WaitGroup
	pay := func(dec string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: dec})
		}()
	}
	defer func() {
		for _, c := range gw.turn[1:] {
			close(c)
		}
		wg.Wait()
	}()
	pay(onsiteDecision) // A1: in the gateway, to be declined
	first := <-gw.entered
	pay(onsiteDecision)                // A2: the same request, waits for the decision
	time.Sleep(100 * time.Millisecond) // A2 has reserved the key
	close(gw.turn[0])                  // A1 declined: its release drops the reservation
	second := <-gw.entered             // A2 charges
	pay(h.DecisionNo)                  // B: key k, another decision
	select {
	case third := <-gw.entered:
		t.Errorf("key k in the gateway for two decisions at once: %s (and before it %s, declined) and %s", second, first, third)
	case <-time.After(time.Second):
	}
}

// TestLateNotificationOfRefundedOrder: the bank's "paid" notification of a
// charge that Pay already gave back (its write failed) arrives late:
// nothing is recorded, and the decision does not read paid.
func TestLateNotificationOfRefundedOrder(t *testing.T) {
	gw := &strictGateway{Sandbox: gateway.NewSandbox(gateway.Approve), refs: map[string]string{}}
	st, err := bolt.Open(filepath.Join(t.TempDir(), "n.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs := &failingStore{Store: st}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	e := engine.New(engine.Config{Store: fs, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }, Gateway: gw})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	gw.onCharge = func() { fs.armed.Store(true) } // the payment's write fails
	_, err = e.Pay(ctx, api.Staff, api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
	wantCode(t, "payment whose write fails", err, "STORE_UNAVAILABLE")
	gw.onCharge = nil
	var order string
	for o := range gw.refs {
		order = o
	}
	c, err := gw.Status(ctx, order)
	if err != nil || c.Paid {
		t.Fatalf("order %s: %+v, %v; want it refunded", order, c, err)
	}
	c.Paid = true // the notification sent when the bank took the money
	res, err := e.Notified(ctx, c)
	if err == nil && res.Applied {
		t.Errorf("late notification of refunded order %s recorded decision %s paid (%+v)", order, onsiteDecision, res.Payment)
	}
}
