package violations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// decisionOfOrder reads the decision number out of an order ID (orderID).
func decisionOfOrder(order string) (string, error) {
	rest, ok := strings.CutPrefix(order, "ORD-")
	dec, _, ok2 := strings.Cut(rest, "-")
	if !ok || !ok2 || dec == "" {
		return "", rules.ErrOrderIDFormat
	}
	return dec, nil
}

// Reconcile asks the gateway what became of an order and, if the bank took
// the money but no payment was recorded ("paid but still shows unpaid"),
// records it (staff and bank accounts). Doing it again changes nothing.
func (s *Service) Reconcile(ctx context.Context, a api.Actor, order string) (*api.ReconcileResult, error) {
	if !a.IsStaff() && a.Role != api.RoleBank {
		return nil, rules.ErrStaffOnly
	}
	if _, err := decisionOfOrder(order); err != nil {
		return nil, err
	}
	c, err := s.Gateway.Status(ctx, order)
	if err != nil {
		return nil, err
	}
	return s.applyCharge(ctx, a, c, "reconcile")
}

// Notified applies a bank's payment notification (its signature already
// checked by the caller). A repeated notification changes nothing.
func (s *Service) Notified(ctx context.Context, c gateway.Charge) (*api.ReconcileResult, error) {
	return s.applyCharge(ctx, api.Actor{Role: api.RoleBank, Name: "notification"}, c, "notification")
}

// applyCharge records a charge the gateway reports as paid, unless its
// decision already has a payment. A charge for a decision that no longer
// exists (its online handling lapsed) is refunded; one for less than is
// due today is refused (left for staff to settle), never recorded as paid.
func (s *Service) applyCharge(ctx context.Context, a api.Actor, c gateway.Charge, source string) (*api.ReconcileResult, error) {
	dec, err := decisionOfOrder(c.OrderID)
	if err != nil {
		return nil, err
	}
	res := &api.ReconcileResult{OrderID: c.OrderID, DecisionNo: dec, GatewayPaid: c.Paid}
	if !c.Paid {
		return res, nil
	}
	previous, release, err := s.Claims.ClaimDecision(ctx, core.Claim{Decision: dec, Order: c.OrderID}, claimTTL)
	if err != nil {
		return nil, err
	}
	outcome := core.Settled
	defer func() { release(outcome) }()
	for _, o := range strings.Fields(previous) {
		if o == c.OrderID {
			continue
		}
		if err := s.settleLapsed(ctx, o); err != nil {
			outcome = core.Lapsed // the next claimer settles it first
			return nil, err
		}
	}
	return s.applyClaimed(ctx, a, c, dec, source, res)
}

// settleLapsed records the charge of a payer whose claim lapsed, if the
// gateway took its money, before anyone charges the decision again.
func (s *Service) settleLapsed(ctx context.Context, base string) error {
	// The lapsed payer charged the first of its orders not given back.
	var order string
	if err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		order, err = freshOrder(tx, base)
		return err
	}); err != nil {
		return err
	}
	c, err := s.Gateway.Status(ctx, order)
	if err != nil || !c.Paid {
		return err
	}
	dec, err := decisionOfOrder(order)
	if err != nil {
		return err
	}
	a, res := api.Actor{Role: api.RoleBank, Name: "lapsed-claim"}, &api.ReconcileResult{OrderID: order, DecisionNo: dec, GatewayPaid: true}
	_, err = s.applyClaimed(ctx, a, c, dec, "lapsed_claim", res)
	if errors.Is(err, rules.ErrUnderpaid) {
		// Less than is due now (the late fee grew since): given back, so
		// that the decision can be paid.
		_, err = s.giveBack(ctx, a, c, dec, "lapsed_claim_underpaid_refund", res, err)
	}
	return err
}

// errNotPayable: the decision of a charge no longer exists, or its online
// handling has lapsed, so the charge is given back.
var errNotPayable = rules.ErrDecisionNotFound

// applyClaimed records a paid charge while its decision is claimed. A
// charge of a decision that another order paid is a second payment and is
// given back, as is one of a decision that lapsed.
func (s *Service) applyClaimed(ctx context.Context, a api.Actor, c gateway.Charge, dec, source string, res *api.ReconcileResult) (*api.ReconcileResult, error) {
	now := s.Now()
	var paidBy string
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		res.Applied, res.Payment, paidBy = false, nil, ""
		p, err := tx.PaymentOfDecision(dec)
		if err != nil {
			return err
		}
		if p != nil {
			res.Payment, paidBy = p, p.OrderID
			return nil
		}
		if back, err := refunded(tx, c.OrderID); err != nil || back {
			if back { // given back already: a late notification records nothing
				err = errNotPayable.Withf("order %s was refunded", c.OrderID)
			}
			return err
		}
		v, err := tx.ViolationByDecision(dec)
		if err != nil {
			return err
		}
		if v == nil || v.Expire(now) {
			return errNotPayable.Withf("%s", dec)
		}
		q := s.quote(*v, rules.DateOf(now))
		if c.Amount.Cmp(q.AmountDue) < 0 {
			return rules.ErrUnderpaid.Withf("%s charged %s, due %s", c.OrderID, c.Amount, q.AmountDue)
		}
		p = &rules.Payment{ID: "P" + dec, DecisionNo: dec, RecordNo: v.RecordNo, Fine: v.Fine, LateFee: c.Amount.Sub(v.Fine),
			Amount: c.Amount, GatewayRef: c.Ref, OrderID: c.OrderID, PaidAt: now}
		if err := tx.InsertPayment(p); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s %s via %s", p.ID, c.Amount, c.OrderID)
		if !c.Amount.Equal(q.AmountDue) {
			detail += fmt.Sprintf(" (due today: %s)", q.AmountDue)
		}
		res.Applied, res.Payment = true, p
		if err := s.Audit(tx, a, source, dec, detail); err != nil {
			return err
		}
		phone, err := core.PhoneOf(tx, v.DriverIDNumber)
		if err != nil {
			return err
		}
		return s.Notify(tx, phone, "paid", paidText(dec, c.Amount, v.Points))
	})
	switch {
	case errors.Is(err, errNotPayable):
		return s.giveBack(ctx, a, c, dec, source+"_refund", res, err)
	case err == nil && paidBy != "" && paidBy != c.OrderID:
		return s.giveBack(ctx, a, c, dec, source+"_duplicate_refund", res, nil)
	}
	return res, err
}

// giveBack refunds a charge that paid nothing and audits it.
func (s *Service) giveBack(ctx context.Context, a api.Actor, c gateway.Charge, dec, action string, res *api.ReconcileResult, cause error) (*api.ReconcileResult, error) {
	if err := s.refund(ctx, c.OrderID); err != nil {
		if cause == nil {
			cause = rules.ErrAlreadyPaid.Withf("%s", dec)
		}
		return nil, refundFailed(c.OrderID, cause, err)
	}
	res.Refunded = true
	return res, s.Store.Update(ctx, func(tx store.Tx) error {
		return s.Audit(tx, a, action, dec, c.OrderID+" "+c.Amount.String())
	})
}
