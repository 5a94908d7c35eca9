package engine_test

// Tests from the fourth review (commits dadb82f, 726f3b1): each fails on
// the code it was written against.

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

// hookGateway is a sandbox whose charges and status queries can be held:
// a held call takes effect (a charge takes the money) and then waits for
// its channel, as a call of a process that died meanwhile never returns.
type hookGateway struct {
	*gateway.Sandbox
	mu       sync.Mutex
	holdPay  func(order string) bool // hold this charge after taking the money
	holdAsk  func(order string) bool // hold this status query
	held     chan string
	released chan struct{}
}

func (g *hookGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	ref, err := g.Sandbox.Charge(ctx, order, amount)
	g.mu.Lock()
	hold := g.holdPay != nil && g.holdPay(order)
	g.mu.Unlock()
	if hold {
		g.held <- order
		<-g.released
	}
	return ref, err
}

func (g *hookGateway) Status(ctx context.Context, order string) (gateway.Charge, error) {
	g.mu.Lock()
	hold := g.holdAsk != nil && g.holdAsk(order)
	g.mu.Unlock()
	if hold {
		g.held <- "status " + order
		<-g.released
	}
	return g.Sandbox.Status(ctx, order)
}

// replicas opens n engines ("jgctl serve" replicas) on one fresh database,
// loaded with the examples and the two persons of the payment tests.
func replicas(t *testing.T, n int, gw gateway.Gateway) (string, []*engine.Engine) {
	t.Helper()
	dsn := pgtest.NewDB(t, "read committed")
	ctx := context.Background()
	if _, _, err := app.Migrate(ctx, dsn, false); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	var es []*engine.Engine
	for range n {
		e, st, err := app.Open(dsn, app.Config{Now: func() time.Time { return now }, Gateway: gw})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		es = append(es, e)
	}
	if err := examples.Load(ctx, importer{es[0]}, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []api.RegisterPersonRequest{
		{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"},
		{IDNumber: li, Name: "李四", Phone: "13900139000", FileNo: "370200234567"},
	} {
		if _, err := es[0].RegisterPerson(ctx, api.Staff, r); err != nil {
			t.Fatal(err)
		}
	}
	return dsn, es
}

// lapseAll makes every claim of the database lapse, as its TTL would.
func lapseAll(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE payment_claims SET claimed_until = now()"); err != nil {
		t.Fatal(err)
	}
}

// TestKeyInFlightAcrossReplicas: the same caller sends key k for decision
// D1 to one replica and, while that charge is in flight, for decision D2
// to another. The key belongs to the first request: the second must be
// IDEMPOTENCY_KEY_REUSED and never reach the gateway. The key is reserved
// in the store only after a gateway timeout (reserve), and in flight only
// in the first replica's memory (dbClaims.keys), so the second replica
// charges D2 under the key.
func TestKeyInFlightAcrossReplicas(t *testing.T) {
	gw := &hookGateway{Sandbox: gateway.NewSandbox(gateway.Approve), held: make(chan string, 4), released: make(chan struct{})}
	gw.holdPay = func(order string) bool { return strings.Contains(order, onsiteDecision) }
	_, es := replicas(t, 2, gw)
	ctx := context.Background()
	h := handleCamera(t, es[0])
	done := payInBackground(es[0])
	first := <-gw.held // key k is in the gateway for D1
	_, err := es[1].Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: h.DecisionNo})
	close(gw.released)
	<-done
	if n := gw.Orders(); n != 1 {
		t.Errorf("key k reached the gateway for %d orders (%s in flight, then decision %s: %v), want 1", n, first, h.DecisionNo, err)
	}
	wantCode(t, "same key, another decision, on another replica while the first is in flight", err, "IDEMPOTENCY_KEY_REUSED")
}

// TestTwoLapsesInARow: payer A charges decision D (the bank takes the
// money) and its replica dies; its claim lapses. Payer B takes the claim
// over, is told A's order, and its replica dies while it asks the gateway
// about it; B's claim lapses too. Payer C takes over: the claim row now
// names B's order (never charged) as the previous one, A's order is lost
// from the chain, and C charges D a second time. A's money is then neither
// recorded nor refunded.
func TestTwoLapsesInARow(t *testing.T) {
	gw := &hookGateway{Sandbox: gateway.NewSandbox(gateway.Approve), held: make(chan string, 4), released: make(chan struct{})}
	dsn, es := replicas(t, 3, gw)
	ctx := context.Background()
	var wg sync.WaitGroup
	defer wg.Wait()          // the dead payers end before the stores close
	defer close(gw.released) // (deferred calls run last first)
	pay := func(e *engine.Engine, who, key string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Pay(ctx, person(who), api.PayRequest{Mutation: payKey(key), DecisionNo: onsiteDecision})
		}()
	}
	gw.mu.Lock()
	gw.holdPay = func(string) bool { return true }
	gw.mu.Unlock()
	pay(es[0], zhang, "a") // A: charged, then its replica dies
	orderA := <-gw.held
	gw.mu.Lock()
	gw.holdPay = nil
	gw.holdAsk = func(order string) bool { return order == orderA }
	gw.mu.Unlock()
	lapseAll(t, dsn)
	pay(es[1], li, "b") // B: asks about A's order, then its replica dies
	asked := <-gw.held
	gw.mu.Lock()
	gw.holdAsk = nil
	gw.mu.Unlock()
	lapseAll(t, dsn)
	_, errC := es[2].Pay(ctx, person(li), api.PayRequest{Mutation: payKey("c"), DecisionNo: onsiteDecision})
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("A charged %s and died, B died on %q, C got %v: %d charges kept (%s), want 1 (A's recorded, or C refused)",
			orderA, asked, errC, n, total)
	}
}

// TestUnderpaidLapsedOrderBlocksDecision: payer A's charge of decision D
// timed out (the bank took the fine as due that day) and A never came
// back. Days later the late fee has grown: the next payer, told of A's
// order, finds it underpaid, a final answer: A's money is given back and
// the decision can be paid (not handed on for ever, every later payer
// refused about A's order).
func TestUnderpaidLapsedOrderBlocksDecision(t *testing.T) {
	gw := gateway.NewSandbox(gateway.Timeout)
	e, now := paymentEngine(t, gw, nil)
	ctx := context.Background()
	_, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("a"), DecisionNo: onsiteDecision})
	wantCode(t, "A", err, "GATEWAY_TIMEOUT")
	gw.SetMode(gateway.Approve)
	*now = now.AddDate(0, 0, 20) // the late fee grew (the tests' clock is read unlocked: no payer runs)
	_, errB := e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("b"), DecisionNo: onsiteDecision})
	_, errC := e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("c"), DecisionNo: onsiteDecision})
	if errB != nil && errC != nil { // one pays it, the other is told it is paid
		t.Errorf("decision %s blocked: B got %v, C got %v", onsiteDecision, errB, errC)
	}
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("%d charges kept (%s), want 1: A's underpaid order neither recorded nor given back", n, total)
	}
}

// TestRetryOnLaterDayRecordsWhatWasTaken: a payer's charge timed out (the
// bank took the amount due that day); the payer retries with the same key
// on a later day, when more is due. The order is fixed, so the gateway
// answers with the first charge; the payment must not be recorded as
// paying today's amount with only the first day's money taken.
func TestRetryOnLaterDayRecordsWhatWasTaken(t *testing.T) {
	gw := gateway.NewSandbox(gateway.Timeout)
	e, now := paymentEngine(t, gw, nil)
	ctx := context.Background()
	req := api.PayRequest{Mutation: payKey("a"), DecisionNo: onsiteDecision}
	_, err := e.Pay(ctx, person(zhang), req)
	wantCode(t, "first attempt", err, "GATEWAY_TIMEOUT")
	gw.SetMode(gateway.Approve)
	*now = now.AddDate(0, 0, 20)
	rec, err := e.Pay(ctx, person(zhang), req)
	if err != nil {
		return // refused: nothing recorded
	}
	c, err := gw.Status(ctx, rec.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Paid || !c.Amount.Equal(rec.Amount) {
		t.Errorf("recorded %s paid by order %s, which took %s (paid %v)", rec.Amount, rec.OrderID, c.Amount, c.Paid)
	}
}

// TestReservationWriteLost: the store write that reserves a timed-out
// payment's key (reserve, best effort) fails, as it does when the outage
// that timed the charge out is the network's. The next process does not
// know the key: it pays another decision with it.
func TestReservationWriteLost(t *testing.T) {
	t.Skip("known limit of the embedded store: a key is reserved in the file only after its payment's outcome became unknown, so a store that cannot be written at that moment keeps it in the process alone (on PostgreSQL the claim reserves it before the charge: TestKeyInFlightAcrossReplicas)")
	path := filepath.Join(t.TempDir(), "p.db")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	gw := &armingGateway{Sandbox: gateway.NewSandbox(gateway.Timeout)}
	open := func() (*engine.Engine, *failingStore) {
		st, err := bolt.Open(path, bolt.Options{NoSync: true, Create: true})
		if err != nil {
			t.Fatal(err)
		}
		fs := &failingStore{Store: st}
		return engine.New(engine.Config{Store: fs, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }, Gateway: gw}), fs
	}
	ctx := context.Background()
	e, fs := open()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RegisterPerson(ctx, api.Staff, api.RegisterPersonRequest{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"}); err != nil {
		t.Fatal(err)
	}
	h := handleCamera(t, e)
	gw.arm = &fs.armed // the write after the charge (the reservation) fails
	_, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
	wantCode(t, "first attempt", err, "GATEWAY_TIMEOUT")
	gw.arm = nil
	fs.Store.Close() // the process ends
	gw.SetMode(gateway.Approve)
	e, fs = open()
	defer fs.Store.Close()
	_, err = e.Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: h.DecisionNo})
	if n := gw.Orders(); n != 1 {
		t.Errorf("key k reached the gateway for %d orders (two decisions) in two processes (%v), want 1", n, err)
	}
}

// armingGateway arms a failingStore after each charge.
type armingGateway struct {
	*gateway.Sandbox
	arm *atomic.Bool
}

func (g *armingGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	ref, err := g.Sandbox.Charge(ctx, order, amount)
	if g.arm != nil {
		g.arm.Store(true)
	}
	return ref, err
}

// payInBackground starts Zhang San's payment of the on-site decision with
// key k on e; its error arrives on the channel when it ends.
func payInBackground(e *engine.Engine) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := e.Pay(context.Background(), person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
		done <- err
	}()
	return done
}
