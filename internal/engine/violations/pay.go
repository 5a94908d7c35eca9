package violations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Pay pays a decision: by decision number (anyone), or by record number
// for one of the caller's own records. The amount is the fine plus the
// late fee as of today. The gateway is charged with an order ID fixed by
// the caller, the idempotency key and the decision, then one transaction
// writes the payment (keyed by its decision: one payment per decision),
// the audit entry and the notification. The payment ID is "P" and the
// decision number (one payment per decision). The payment is what makes the
// decision paid: reads of the record see it at once (store.Tx.Violation),
// and `jgctl sweep` later folds it into the record and its indexes, so a
// payment writes few pages. The same key returns the same receipt and
// never charges twice.
func (s *Service) Pay(ctx context.Context, a api.Actor, r api.PayRequest) (*api.Receipt, error) {
	if (r.DecisionNo == "") == (r.RecordNo == "") {
		return nil, rules.ErrPayTarget
	}
	if r.IdempotencyKey == "" {
		return nil, rules.ErrKeyRequired
	}
	if len(r.IdempotencyKey) > 255 {
		return nil, rules.ErrKeyTooLong
	}
	// Paying by decision number is open to anyone, so guessing numbers is
	// throttled: ten unknown numbers in ten minutes lock the caller out.
	if r.DecisionNo != "" && !s.misses.Allow(a.String(), s.Now()) {
		return nil, rules.ErrTooManyAttempts.Withf("unknown decision numbers")
	}
	// Claim the decision however the payment names it, so that payers by
	// record and by decision of one decision never both reach the gateway.
	target := r.DecisionNo
	if target == "" {
		target = "record:" + r.RecordNo
		if err := s.Store.View(ctx, func(tx store.Tx) error {
			v, err := tx.Violation(r.RecordNo)
			if v != nil && v.DecisionNo != "" {
				target = v.DecisionNo
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	for range 3 {
		rec, retarget, err := s.payClaimed(ctx, a, r, target)
		if retarget == "" {
			return rec, err
		}
		target = retarget // the record got a decision meanwhile: claim that
	}
	return nil, rules.ErrPaymentChanged.Withf("the decision of record %s kept changing", r.RecordNo)
}

// payClaimed pays under a claim on target. When the record the request
// names turns out to have another decision than target, nothing is charged
// and that decision is returned to be claimed instead.
func (s *Service) payClaimed(ctx context.Context, a api.Actor, r api.PayRequest, target string) (receipt *api.Receipt, retarget string, err error) {
	// Keys belong to the caller: the same key names the same payment
	// request, whichever decision or record it targets. The claim reserves
	// the key too, so that it cannot pay another decision meanwhile.
	scope := core.KeyScope("pay", a)
	hash := core.RequestHash(struct{ DecisionNo, RecordNo string }{r.DecisionNo, r.RecordNo})
	base := orderID(target, a, r.IdempotencyKey)
	previous, release, err := s.Claims.ClaimDecision(ctx, core.Claim{Decision: target, Order: base, Scope: scope, Key: r.IdempotencyKey, Hash: hash}, claimTTL)
	if err != nil {
		return nil, "", err
	}
	outcome := core.Settled // how the claim ends
	defer func() {
		if outcome == core.Settled && err == nil && receipt != nil {
			outcome = core.Paid // by this request's order, recorded here or elsewhere
		}
		if outcome == core.Unsettled {
			s.reserve(ctx, scope, r.IdempotencyKey, hash, base)
		}
		release(outcome)
	}()
	// A payer whose claim lapsed (it died mid-payment), or this request's
	// own earlier attempt, may have been charged: ask the gateway about its
	// order before charging again.
	for _, o := range strings.Fields(previous) {
		if err := s.settleLapsed(ctx, o); err != nil {
			outcome = core.Lapsed // the next payer settles it first
			if strings.Contains(" "+previous, " "+base) {
				outcome = core.Unsettled // this request's own order too: its key stays the request's
			}
			return nil, "", err
		}
	}

	// 1. Read: replay, or find the decision, the amount due, whom to notify
	// and the order to charge (a refunded order is never charged again).
	var v rules.Violation
	var amount rules.Money
	var phone, order string
	var viewed time.Time
	for settled := strings.Contains(" "+previous, " "+base); ; settled = true {
		unsettled := false // this request's key is reserved by an earlier attempt
		viewed = s.Now()
		err = s.Store.View(ctx, func(tx store.Tx) error {
			if r.DecisionNo != "" { // what follows reads in one look-up
				q := store.PaymentLookup{Scope: scope, Key: r.IdempotencyKey, Hash: hash, DecisionNo: r.DecisionNo,
					Also: []store.KeyRef{{Scope: reservedPrefix + scope, Key: r.IdempotencyKey, Hash: hash},
						{Scope: refundedScope, Key: base}, {Scope: refundedScope, Key: nthOrder(base, 1)}, {Scope: refundedScope, Key: nthOrder(base, 2)}}}
				look, err := tx.LookPayment(q)
				if err != nil {
					return err
				}
				tx = store.Looked(tx, q, look)
			}
			if rec, ok, err := core.Replay[api.Receipt](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
				if ok {
					rec.Replayed = true
				}
				receipt = rec
				return err
			}
			// A key whose attempt's outcome is unknown stays its request's.
			var err error
			if _, unsettled, err = tx.Idempotent(reservedPrefix+scope, r.IdempotencyKey, hash); err != nil {
				return err
			}
			found, rec, err := s.payable(tx, a, r)
			if err != nil || rec != nil {
				receipt = rec
				return err
			}
			v = *found
			amount = s.quote(v, rules.DateOf(viewed)).AmountDue
			if order, err = freshOrder(tx, orderID(v.DecisionNo, a, r.IdempotencyKey)); err != nil {
				return err
			}
			phone, err = core.PhoneOf(tx, v.DriverIDNumber)
			return err
		})
		// A view that refuses (the decision paid meanwhile, say) does not
		// spare the earlier attempt's order its settling.
		if (err == nil && receipt != nil) || !unsettled || settled {
			break
		}
		// The earlier attempt's charge, if the bank took it, is recorded
		// (or given back) before this one charges: read again after.
		if err := s.settleLapsed(ctx, base); err != nil {
			outcome = core.Unsettled // its own order, outcome still unknown: kept for the next claimer
			return nil, "", err
		}
	}
	if errors.Is(err, rules.ErrDecisionNotFound) {
		s.misses.Fail(a.String(), s.Now())
	}
	if err != nil || receipt != nil {
		return receipt, "", err
	}
	if v.DecisionNo != target {
		return nil, v.DecisionNo, nil
	}

	// 2. Charge. The order ID is fixed by the caller, the key and the
	// decision, so a retry after a timeout finds the charge already made
	// instead of making another.
	ref, err := s.Gateway.Charge(ctx, order, amount)
	if errors.Is(err, rules.ErrGatewayTimeout) {
		// Name the order: a retry with the same key, or `jgctl payments
		// reconcile ORDER`, finds out whether the bank took the money.
		outcome = core.Unsettled
		return nil, "", rules.ErrGatewayTimeout.Withf("order %s", order)
	}
	if err != nil {
		if ctx.Err() != nil { // a charge cut short may have gone through
			outcome = core.Unsettled
		}
		return nil, "", err
	}
	// The money is taken: record it, or give it back, even if the caller
	// hangs up now.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()

	// 3. Apply. Everything is encoded before the write transaction, which
	// only re-checks what can have changed since the read: the decision
	// still names the record (an expired handling loses it), the handling
	// has not lapsed, the day (and so the late fee) is the same, and no
	// payment came first (the unique key).
	now := s.Now()
	p := rules.Payment{ID: "P" + v.DecisionNo, DecisionNo: v.DecisionNo, RecordNo: v.RecordNo, Fine: v.Fine, LateFee: amount.Sub(v.Fine),
		Amount: amount, PayerIDNumber: payer(a), GatewayRef: ref, OrderID: order, PaidAt: now, IdempotencyKey: r.IdempotencyKey}
	rawPayment, err := s.Store.EncodePayment(&p)
	if err != nil {
		return nil, "", err
	}
	rawAudit, err := s.Store.EncodeAudit(rules.AuditEntry{At: now, Actor: a.String(), Action: "pay", Subject: v.DecisionNo, Detail: p.ID + " " + amount.String()})
	if err != nil {
		return nil, "", err
	}
	var rawNote []byte
	if phone != "" {
		if rawNote, err = s.Store.EncodeNotification(rules.Notification{CreatedAt: now, To: phone, Template: "paid",
			Text: paidText(v.DecisionNo, amount, v.Points)}); err != nil {
			return nil, "", err
		}
	}
	keyRecord, err := s.Store.EncodeIdempotent(hash, api.Receipt{Payment: p})
	if err != nil {
		return nil, "", err
	}
	// The usual case in one store operation (one round trip on a
	// database), which writes nothing if anything changed since the read.
	sameDay := rules.DateOf(now) == rules.DateOf(viewed)
	written := false
	if sameDay && (v.Status != rules.StatusPending || now.Before(v.PendingUntil)) {
		written, err = s.Store.WritePayment(ctx, store.PaymentWrite{Scope: scope, Key: r.IdempotencyKey, Hash: hash, KeyRecord: keyRecord,
			DecisionNo: v.DecisionNo, RecordNo: v.RecordNo, Payment: rawPayment, Audit: rawAudit, Note: rawNote,
			ClaimDecision: target, ClaimOrder: base})
	}
	if written && err == nil {
		outcome = core.Recorded
		return &api.Receipt{Payment: p}, "", nil
	}
	// Otherwise the full transaction, which says what changed.
	full := func(tx store.Tx) error {
		receipt = nil
		if rec, ok, err := core.Replay[api.Receipt](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			if ok { // the same request, applied meanwhile by a retry that raced this one
				rec.Replayed = true
			}
			receipt = rec
			return err
		}
		still, err := tx.DecisionOf(v.DecisionNo, v.RecordNo)
		if err != nil {
			return err
		}
		if !sameDay || !still || (v.Status == rules.StatusPending && !now.Before(v.PendingUntil)) {
			// Something changed: take the slow path to say what.
			cur, rec, err := s.payable(tx, a, r)
			if err != nil || rec != nil {
				receipt = rec
				return err
			}
			if q := s.quote(*cur, rules.DateOf(now)); cur.DecisionNo != v.DecisionNo || !q.AmountDue.Equal(amount) {
				return rules.ErrPaymentChanged.Withf("charged %s, now due %s", amount, q.AmountDue)
			}
		}
		if err := tx.InsertEncodedPayment(v.DecisionNo, rawPayment); errors.Is(err, rules.ErrAlreadyPaid) {
			// Paid first by someone, or by this very request: replay or refuse.
			_, rec, perr := s.payable(tx, a, r)
			if perr == nil && rec == nil {
				perr = err
			}
			receipt = rec
			return perr
		} else if err != nil {
			return err
		}
		if err := tx.PutEncodedIdempotent(scope, r.IdempotencyKey, keyRecord); err != nil {
			return err
		}
		if err := tx.AppendAudit(rawAudit); err != nil {
			return err
		}
		if rawNote != nil {
			if err := tx.AppendNotification(rawNote); err != nil {
				return err
			}
		}
		receipt = &api.Receipt{Payment: p}
		return nil
	}
	if err == nil {
		err = s.Store.Update(ctx, full)
	}
	if err != nil || receipt.OrderID != order {
		// The money was taken but this order did not pay the decision (the
		// write failed, or another order paid first): give it back.
		if rerr := s.refundUnless(ctx, v.DecisionNo, order); rerr != nil {
			outcome = core.Unsettled
			if err == nil {
				err = rules.ErrAlreadyPaid.Withf("%s", v.DecisionNo)
			}
			return nil, "", refundFailed(order, err, rerr)
		}
	}
	return receipt, "", err
}

// reserve records that the key belongs to its request for good: the
// outcome of its attempt (order) is unknown, so the key must not pay
// anything else, in this process or any other. Best effort: the process
// keeps the key reserved too (core.Keys).
func (s *Service) reserve(ctx context.Context, scope, key, hash, order string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	_ = s.Store.Update(ctx, func(tx store.Tx) error { return tx.PutIdempotent(reservedPrefix+scope, key, hash, order) })
}

// reservedPrefix prefixes the scope of the keys reserved by reserve.
const reservedPrefix = "reserved:"

// settleTimeout bounds recording (or refunding) a charge the gateway took,
// once the caller is gone.
const settleTimeout = 30 * time.Second

// paidText is the text message telling the driver a decision is paid.
func paidText(decisionNo string, amount rules.Money, points int) string {
	return fmt.Sprintf("【交管】决定书%s已缴款%s元，记%d分。", decisionNo, amount, points)
}

// refundFailed says that an order's money was neither recorded (because of
// cause) nor given back (because of err), naming the order for staff.
func refundFailed(order string, cause, err error) error {
	return rules.ErrRefundFailed.Withf("order %s (%v; refund: %v)", order, cause, err)
}

// refundUnless refunds an order unless it is what paid the decision, and
// marks it refunded so that it is never charged again.
func (s *Service) refundUnless(ctx context.Context, decisionNo, order string) error {
	recorded, err := s.orderRecorded(ctx, decisionNo, order)
	if err != nil || recorded {
		return err
	}
	return s.refund(ctx, order)
}

// refund gives an order's money back and marks the order refunded.
// The mark comes first: an order marked but not given back is never
// charged or recorded again (its money waits for staff), while one given
// back but not marked could be recorded paid with no money.
func (s *Service) refund(ctx context.Context, order string) error {
	if err := s.Store.Update(ctx, func(tx store.Tx) error { return tx.PutIdempotent(refundedScope, order, "", struct{}{}) }); err != nil {
		return err
	}
	return s.Gateway.Refund(ctx, order)
}

// refunded reports whether an order was given back (or is being).
func refunded(tx store.Tx, order string) (bool, error) {
	_, ok, err := tx.Idempotent(refundedScope, order, "")
	return ok, err
}

// refundedScope keeps the orders given back: a gateway answers a second
// charge of an order with the first one, refunded or not.
const refundedScope = "refunded_order"

// freshOrder is base, or the first of its later orders not refunded.
func freshOrder(tx store.Tx, base string) (string, error) {
	for n := 0; ; n++ {
		order := nthOrder(base, n)
		back, err := refunded(tx, order)
		if err != nil || !back {
			return order, err
		}
	}
}

// nthOrder is the order a payment attempt charges after n of its orders
// were refunded: base, then base with the suffix "-rN".
func nthOrder(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + "-r" + strconv.Itoa(n)
}

// orderID names the gateway order of a payment attempt: the decision and
// a fingerprint of the caller and key, so that a retry finds the same order
// and a reconciliation can tell which decision an order paid.
func orderID(decisionNo string, a api.Actor, key string) string {
	return "ORD-" + decisionNo + "-" + core.RequestHash(struct{ Actor, Key string }{a.String(), key})[:16]
}

// orderRecorded reports whether the decision's payment came from this order.
func (s *Service) orderRecorded(ctx context.Context, decisionNo, order string) (bool, error) {
	recorded := false
	err := s.Store.View(ctx, func(tx store.Tx) error {
		p, err := tx.PaymentOfDecision(decisionNo)
		recorded = p != nil && p.OrderID == order
		return err
	})
	return recorded, err
}

// payer is the ID number a payment records as its payer ("" for staff).
func payer(a api.Actor) string {
	if a.Role == api.RolePerson {
		return a.IDNumber
	}
	return ""
}

// payable loads the record a payment request names and checks that it can
// be paid by this caller now. If this caller already paid it with the same
// idempotency key, it returns that receipt (marked replayed) instead.
func (s *Service) payable(tx store.Tx, a api.Actor, r api.PayRequest) (*rules.Violation, *api.Receipt, error) {
	v, err := s.payTarget(tx, a, r)
	if err != nil {
		return nil, nil, err
	}
	if v.Status == rules.StatusPaid {
		p, err := tx.PaymentOfDecision(v.DecisionNo)
		if err != nil {
			return nil, nil, err
		}
		// The same caller, key and decision make the same order: a replay.
		if p != nil && p.OrderID == orderID(v.DecisionNo, a, r.IdempotencyKey) {
			return nil, &api.Receipt{Payment: *p, Replayed: true}, nil
		}
		return nil, nil, rules.ErrAlreadyPaid.Withf("%s on %s", v.DecisionNo, rules.DateOf(v.PaidAt))
	}
	if v.Expire(s.Now()) {
		return nil, nil, rules.ErrHandlingExpired.Withf("%s", v.RecordNo)
	}
	if v.Status == rules.StatusUnhandled {
		return nil, nil, rules.ErrNoDecision.Withf("%s", v.RecordNo)
	}
	return v, nil, nil
}

// payTarget loads the record a payment request names.
func (s *Service) payTarget(tx store.Tx, a api.Actor, r api.PayRequest) (*rules.Violation, error) {
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
		if !a.IsStaff() {
			if err := ownRecord(tx, a, v); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// ownRecord checks that the record is the person's: decided to them, or of
// a vehicle bound to them.
func ownRecord(tx store.Tx, a api.Actor, v *rules.Violation) error {
	p, err := core.Registered(tx, a)
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
	if boundSince(bs, v) {
		return nil
	}
	return rules.ErrNotYours.Withf("%s", v.RecordNo)
}
