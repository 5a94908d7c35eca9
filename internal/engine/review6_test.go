package engine_test

// Tests from the sixth review (commit 5fb4b81): each fails on the code it
// was written against.

import (
	"context"
	"testing"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestLateChargeAfterTimeoutLeftTaken: A's charge of D times out on
// replica 1 before the bank has taken the money. Since 5fb4b81 the
// Unsettled claim expires at once (no TTL grace), so B, paying D on
// replica 2 right after, takes it over, asks about A's order (not paid
// yet), charges its own order and records it; B's write ends the claim
// row and with it the list naming A's order. The bank then takes A's money
// (the request was on its way). A retries with the same key: its view
// finds its key reserved, but payable answers ALREADY_PAID and the loop
// breaks before settling its own unsettled order, so A's money is neither
// recorded nor given back by anyone but a bank notification or a manual
// reconcile.
func TestLateChargeAfterTimeoutLeftTaken(t *testing.T) {
	gw := &failingGateway{Sandbox: gateway.NewSandbox(gateway.Approve)}
	var orderA string
	var amountA rules.Money
	gw.fail = func(order string, amount rules.Money) error {
		if orderA == "" {
			orderA, amountA = order, amount
			return rules.ErrGatewayTimeout // on its way: the bank takes it later
		}
		return nil
	}
	_, es := replicas(t, 2, gw)
	ctx := context.Background()
	reqA := api.PayRequest{Mutation: payKey("a"), DecisionNo: onsiteDecision}
	_, err := es[0].Pay(ctx, person(zhang), reqA)
	wantCode(t, "A", err, "GATEWAY_TIMEOUT")
	if _, err := es[1].Pay(ctx, person(li), api.PayRequest{Mutation: payKey("b"), DecisionNo: onsiteDecision}); err != nil {
		t.Fatalf("B: %v", err)
	}
	if _, err := gw.Sandbox.Charge(ctx, orderA, amountA); err != nil { // the bank takes A's money, late
		t.Fatal(err)
	}
	_, errRetry := es[0].Pay(ctx, person(zhang), reqA)
	if total, n := gw.Charged(); n != 1 {
		t.Errorf("A's order %s, charged late, kept after A's retry (%v): %d charges kept (%s), want 1 (A's given back)", orderA, errRetry, n, total)
	}
}
