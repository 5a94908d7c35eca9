package engine_test

// Tests from the fifth review (commit 53debfa): each fails on the code it
// was written against.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestNotifiedFirstFreesKey: payer A pays decision D with key k; the bank
// takes the money and its notification reaches another replica before A
// writes the payment. Notified waits for A's claim (a live claim is never
// taken over), and whichever records the charge, k stays A's request's:
// the same caller cannot pay another decision with it.
func TestNotifiedFirstFreesKey(t *testing.T) {
	gw := &hookGateway{Sandbox: gateway.NewSandbox(gateway.Approve), held: make(chan string, 4), released: make(chan struct{})}
	gw.holdPay = func(order string) bool { return order[:len("ORD-")+len(onsiteDecision)] == "ORD-"+onsiteDecision }
	_, es := replicas(t, 2, gw)
	ctx := context.Background()
	h := handleCamera(t, es[0])
	done := payInBackground(es[0])
	order := <-gw.held // A's charge went through; A has not written yet
	c, err := gw.Sandbox.Status(ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	notified := make(chan error, 1)
	go func() { // waits for A's claim: a live claim is never taken over
		_, err := es[1].Notified(ctx, c)
		notified <- err
	}()
	time.Sleep(50 * time.Millisecond)
	close(gw.released)
	if err := <-done; err != nil {
		t.Fatalf("A: %v", err)
	}
	if err := <-notified; err != nil {
		t.Fatalf("notification of %s: %v", order, err)
	}
	_, err = es[1].Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: h.DecisionNo})
	wantCode(t, "key k, which paid decision "+onsiteDecision+", for decision "+h.DecisionNo, err, "IDEMPOTENCY_KEY_REUSED")
}

// raceGateway holds the first charge of an order before the bank takes
// the money (the request is on its way).
type raceGateway struct {
	*gateway.Sandbox
	mu       sync.Mutex
	hold     func(order string) bool
	held     chan string
	released chan struct{}
}

func (g *raceGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	g.mu.Lock()
	hold := g.hold != nil && g.hold(order)
	if hold {
		g.hold = nil
	}
	g.mu.Unlock()
	if hold {
		g.held <- order
		<-g.released
	}
	return g.Sandbox.Charge(ctx, order, amount)
}

// TestRetryGivingUpEndsClaimInFlight: request A (key k, decision D) is on
// its way to the gateway on replica 1 when its client, impatient, sends it
// again to replica 2 and then hangs up. The retry waits for A's claim (a
// claim is taken over only once it expired) and gives up: it must leave
// A's claim and k's row alone, so that the decision is not free for
// another payer (C) while A charges D, and k not free for another request
// of the caller (B paying decision D2 with it).
func TestRetryGivingUpEndsClaimInFlight(t *testing.T) {
	gw := &raceGateway{Sandbox: gateway.NewSandbox(gateway.Approve), held: make(chan string, 1), released: make(chan struct{})}
	gw.hold = func(string) bool { return true }
	_, es := replicas(t, 2, gw)
	ctx := context.Background()
	h := handleCamera(t, es[0])
	req := api.PayRequest{Mutation: payKey("k"), DecisionNo: onsiteDecision}
	done := payInBackground(es[0])
	defer func() { close(gw.released); <-done }()
	orderA := <-gw.held                                            // A is charging D
	rctx, hangUp := context.WithTimeout(ctx, 300*time.Millisecond) // the retry's caller hangs up
	defer hangUp()
	_, errRetry := es[1].Pay(rctx, person(zhang), req)
	if errRetry == nil {
		t.Fatal("the retry whose caller hung up succeeded")
	}
	// C, another payer of D: must wait for A's claim, not charge.
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, errC := es[1].Pay(cctx, person(li), api.PayRequest{Mutation: payKey("c"), DecisionNo: onsiteDecision})
	if n := gw.Orders(); n != 0 {
		t.Errorf("while A's order %s is on its way to the gateway, another payer of %s charged it (%v): %d orders", orderA, onsiteDecision, errC, n)
	}
	// B, another request of the caller under k: refused while A is in flight.
	_, errB := es[1].Pay(ctx, person(zhang), api.PayRequest{Mutation: payKey("k"), DecisionNo: h.DecisionNo})
	wantCode(t, "key k for decision "+h.DecisionNo+" while its request for "+onsiteDecision+" is in flight", errB, "IDEMPOTENCY_KEY_REUSED")
}

// failingGateway is a sandbox with scripted failures: fail answers a
// charge instead of the bank (nil: the sandbox's answer), and status
// queries fail while statusDown is set.
type failingGateway struct {
	*gateway.Sandbox
	mu         sync.Mutex
	fail       func(order string, amount rules.Money) error
	statusDown bool
}

func (g *failingGateway) Charge(ctx context.Context, order string, amount rules.Money) (string, error) {
	g.mu.Lock()
	f := g.fail
	g.mu.Unlock()
	if f != nil {
		if err := f(order, amount); err != nil {
			return "", err
		}
	}
	return g.Sandbox.Charge(ctx, order, amount)
}

func (g *failingGateway) Status(ctx context.Context, order string) (gateway.Charge, error) {
	g.mu.Lock()
	down := g.statusDown
	g.mu.Unlock()
	if down {
		return gateway.Charge{}, rules.ErrGatewayTimeout.Withf("status of %s", order)
	}
	return g.Sandbox.Status(ctx, order)
}

// TestOwnUnsettledOrderForgottenOnStatusError: A's charge of D timed out
// (the bank had not taken the money yet); C then took D's claim, asked
// about A's order (not paid), and was declined. The bank takes A's money
// late. A retries: its view finds its key reserved, so it asks about its
// own order first, and the status query fails. payClaimed returns that
// error with the outcome still Settled: nothing keeps A's order (no
// claim row on PostgreSQL, no unsettled entry in LocalClaims), so the
// next payer E charges D again, and A's money is neither recorded nor
// given back. (Settling previous uses core.Lapsed; here the order is this
// claim's own, so core.Unsettled keeps it on both backends.)
func TestOwnUnsettledOrderForgottenOnStatusError(t *testing.T) {
	gw := &failingGateway{Sandbox: gateway.NewSandbox(gateway.Approve)}
	var orderA string
	var amountA rules.Money
	gw.fail = func(order string, amount rules.Money) error {
		switch {
		case orderA == "":
			orderA, amountA = order, amount
			return rules.ErrGatewayTimeout // the bank has not taken it yet
		case order != orderA:
			return rules.ErrPaymentDeclined.Withf("C's card")
		}
		return nil
	}
	e, _ := paymentEngine(t, gw, nil)
	ctx := context.Background()
	reqA := api.PayRequest{Mutation: payKey("a"), DecisionNo: onsiteDecision}
	_, err := e.Pay(ctx, person(zhang), reqA)
	wantCode(t, "A", err, "GATEWAY_TIMEOUT")
	_, err = e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("c"), DecisionNo: onsiteDecision})
	wantCode(t, "C", err, "PAYMENT_DECLINED")
	gw.mu.Lock()
	gw.fail = nil
	gw.statusDown = true
	gw.mu.Unlock()
	if _, err := gw.Sandbox.Charge(ctx, orderA, amountA); err != nil { // the bank takes A's money, late
		t.Fatal(err)
	}
	_, errRetry := e.Pay(ctx, person(zhang), reqA)
	gw.mu.Lock()
	gw.statusDown = false
	gw.mu.Unlock()
	_, errE := e.Pay(ctx, person(li), api.PayRequest{Mutation: payKey("e"), DecisionNo: onsiteDecision})
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("A's order %s (paid late) forgotten after its retry's status query failed (%v): E got %v, %d charges kept (%s), want 1", orderA, errRetry, errE, n, total)
	}
}
