package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Pay pays a decision: by decision number (anyone), or by record number
// for one of the caller's own records. The amount is the fine plus the
// late fee as of today. The gateway is charged with an order ID derived
// from the idempotency key, then one transaction applies the payment
// whole: decision paid, points counted, payment, audit, outbox and the
// idempotency record. The same key returns the same receipt and never
// charges twice.
func (e *Engine) Pay(ctx context.Context, a api.Actor, r api.PayRequest) (*api.Receipt, error) {
	if (r.DecisionNo == "") == (r.RecordNo == "") {
		return nil, rules.Invalid("decision_no", "PAY_TARGET", "请提供决定书编号或违法记录编号其中之一", "give exactly one of the decision number and the record number")
	}
	if r.IdempotencyKey == "" {
		return nil, rules.Invalid("idempotency_key", "IDEMPOTENCY_KEY_REQUIRED", "缴款需要幂等键", "a payment needs an idempotency key")
	}
	if len(r.IdempotencyKey) > 255 {
		return nil, rules.Invalid("idempotency_key", "IDEMPOTENCY_KEY_TOO_LONG", "幂等键不超过255个字符", "the idempotency key is at most 255 characters")
	}
	scope := "pay:" + a.String()
	hash := requestHash(r)
	target := r.DecisionNo
	if target == "" {
		target = "record:" + r.RecordNo
	}
	defer e.lock(target)()

	// 1. Read: replay, or find the decision and the amount due.
	var receipt *api.Receipt
	var amount rules.Money
	var decisionNo string
	err := e.st.View(func(tx *store.Tx) error {
		if rec, ok, err := replay[api.Receipt](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			if rec != nil {
				rec.Replayed = true
			}
			receipt = rec
			return err
		}
		v, err := e.payable(tx, a, r)
		if err != nil {
			return err
		}
		decisionNo = v.DecisionNo
		amount = e.quote(*v, e.today()).AmountDue
		return nil
	})
	if err != nil || receipt != nil {
		return receipt, err
	}

	// 2. Charge. The order ID is fixed by the key, so a retry after a
	// timeout finds the charge already made instead of making another.
	order := "ORD-" + requestHash(struct{ Scope, Key string }{scope, r.IdempotencyKey})
	ref, err := e.gw.Charge(ctx, order, amount)
	if err != nil {
		return nil, err
	}

	// 3. Apply, re-checking everything inside the write transaction.
	err = e.st.Update(func(tx *store.Tx) error {
		if rec, ok, err := replay[api.Receipt](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			receipt = rec
			return err
		}
		v, err := e.payable(tx, a, r)
		if err != nil {
			return err
		}
		now := e.now()
		q := e.quote(*v, rules.DateOf(now))
		if v.DecisionNo != decisionNo || !q.AmountDue.Equal(amount) {
			return rules.ErrPaymentChanged.Withf("charged %s, now due %s", amount, q.AmountDue)
		}
		id, err := tx.NextPaymentID()
		if err != nil {
			return err
		}
		p := rules.Payment{ID: id, DecisionNo: v.DecisionNo, RecordNo: v.RecordNo, Fine: v.Fine, LateFee: q.LateFee,
			Amount: q.AmountDue, GatewayRef: ref, PaidAt: now, IdempotencyKey: r.IdempotencyKey}
		if a.Role == api.RolePerson {
			p.PayerIDNumber = a.IDNumber
		}
		if err := tx.InsertPayment(&p); err != nil {
			return err
		}
		old := *v
		v.Status, v.PaidAt, v.PaymentID, v.PendingUntil = rules.StatusPaid, now, id, time.Time{}
		if err := tx.PutViolation(v, &old); err != nil {
			return err
		}
		if err := e.audit(tx, a, "pay", v.DecisionNo, fmt.Sprintf("%s %s", id, q.AmountDue)); err != nil {
			return err
		}
		if d, _ := tx.Person(v.DriverIDNumber); d != nil {
			if err := e.notify(tx, d.Phone, "paid", fmt.Sprintf("【交管】决定书%s已缴款%s元，记%d分。", v.DecisionNo, q.AmountDue, v.Points)); err != nil {
				return err
			}
		}
		receipt = &api.Receipt{Payment: p}
		return remember(tx, scope, r.IdempotencyKey, hash, receipt)
	})
	if err != nil && !errors.Is(err, rules.ErrGatewayTimeout) {
		// The money was taken but the payment could not be applied: give it back.
		if rerr := e.gw.Refund(ctx, order); rerr != nil {
			return nil, fmt.Errorf("%w (and the refund of order %s failed: %v)", err, order, rerr)
		}
	}
	return receipt, err
}

// payable loads the record a payment request names and checks that it can
// be paid by this caller now.
func (e *Engine) payable(tx *store.Tx, a api.Actor, r api.PayRequest) (*rules.Violation, error) {
	var v *rules.Violation
	var err error
	if r.DecisionNo != "" {
		if v, err = tx.ViolationByDecision(r.DecisionNo); err != nil {
			return nil, err
		}
		if v == nil {
			return nil, rules.ErrDecisionNotFound.Withf("%s", r.DecisionNo)
		}
	} else {
		if v, err = tx.Violation(r.RecordNo); err != nil {
			return nil, err
		}
		if v == nil {
			return nil, rules.ErrRecordNotFound.Withf("%s", r.RecordNo)
		}
		if a.Role != api.RoleStaff {
			if err := ownRecord(tx, a, v); err != nil {
				return nil, err
			}
		}
	}
	if expire(v, e.now()) {
		return nil, rules.ErrHandlingExpired.Withf("%s", v.RecordNo)
	}
	switch v.Status {
	case rules.StatusPaid:
		return nil, rules.ErrAlreadyPaid.Withf("%s on %s", v.DecisionNo, rules.DateOf(v.PaidAt))
	case rules.StatusUnhandled:
		return nil, rules.ErrNoDecision.Withf("%s", v.RecordNo)
	}
	return v, nil
}

// ownRecord checks that the record is the person's: decided to them, or of
// a vehicle bound to them.
func ownRecord(tx *store.Tx, a api.Actor, v *rules.Violation) error {
	p, err := registered(tx, a)
	if err != nil {
		return err
	}
	if v.DriverIDNumber == p.IDNumber {
		return nil
	}
	bs, err := tx.BindingsOf(p.IDNumber)
	if err != nil {
		return err
	}
	if boundTo(bs, v.Plate, v.PlateType) {
		return nil
	}
	return rules.ErrNotYours.Withf("%s", v.RecordNo)
}
