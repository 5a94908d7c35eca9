package engine_test

// Tests from the fourth review (commits dadb82f, 726f3b1): each fails on
// the code it was written against.

import (
	"context"
	"strings"
	"sync"
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
	done := make(chan error, 1)
	go func() {
		_, err := es[0].Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision})
		done <- err
	}()
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
