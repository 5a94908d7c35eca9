package violations

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// view presents a record as of now: an expired pending handling shows as
// unhandled, and the late fee and amount due are computed for today.
func (s *Service) view(v rules.Violation, now time.Time) api.ViolationView {
	v.Expire(now)
	q := s.quote(v, rules.DateOf(now))
	out := api.ViolationView{Violation: v, DueOn: q.DueOn, LateFee: q.LateFee, AmountDue: q.AmountDue}
	if v.Status == rules.StatusPaid {
		out.LateFee, out.AmountDue = rules.Fen(0), rules.Fen(0)
	}
	return out
}

func (s *Service) quote(v rules.Violation, on rules.Date) rules.FeeQuote {
	served := v.ServedOn
	if v.Status == rules.StatusUnhandled {
		served = rules.Date{} // no decision, no late fee
	}
	return s.Policy.Fees.Quote(v.Fine, served, on, v.Suspensions, s.Calendar)
}

// QuoteFine computes the late fee and amount due of a fine.
func (s *Service) QuoteFine(ctx context.Context, r api.QuoteRequest) (*rules.FeeQuote, error) {
	if r.ServedOn.IsZero() {
		return nil, rules.ErrServedOnRequired
	}
	on := r.On
	if on.IsZero() {
		on = s.Today()
	}
	if on.Before(r.ServedOn) {
		return nil, rules.ErrDateBeforeService
	}
	q := s.Policy.Fees.Quote(r.Fine, r.ServedOn, on, r.Suspend, s.Calendar)
	return &q, nil
}

// ListViolations lists records. A person sees those of their active
// vehicle bindings (for another owner's vehicle, from the binding date)
// and of their licence; staff filter by plate, driver or status, or page
// through all records.
func (s *Service) ListViolations(ctx context.Context, a api.Actor, r api.ListViolationsRequest) (*api.ViolationPage, error) {
	q := store.ViolationQuery{Driver: r.Driver, After: r.After}
	var err error
	if q.Limit, err = core.PageLimit(r.Limit, 0); err != nil {
		return nil, err
	}
	if r.Status != "" {
		var st rules.Status
		if st, err = rules.ParseStatus(r.Status); err != nil {
			return nil, err
		}
		q.Status = st
	}
	if r.Plate != "" {
		if r.PlateType == "" {
			return nil, rules.ErrPlateTypeRequired
		}
		if q.PlateType, err = rules.ParsePlateType(r.PlateType); err != nil {
			return nil, err
		}
		if q.Plate, err = rules.CheckPlate(r.Plate, q.PlateType); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	page := &api.ViolationPage{Items: []api.ViolationView{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		var recs []rules.Violation
		var err error
		if a.IsStaff() {
			if q.Limit == 0 {
				q.Limit = core.DefaultPage
			}
			recs, err = staffViolations(tx, q)
		} else {
			recs, err = s.personsViolations(tx, a, q)
		}
		if err != nil {
			return err
		}
		page.Items = slices.Grow(page.Items, len(recs))
		for _, v := range recs {
			vv := s.view(v, now)
			if q.Status != "" && vv.Status != q.Status {
				continue
			}
			page.Items = append(page.Items, vv)
		}
		if q.Limit > 0 && len(recs) == q.Limit {
			page.Next = recs[len(recs)-1].RecordNo
			if q.Status == rules.StatusPaid && q.Plate == "" && q.Driver == "" {
				page.Next = recs[len(recs)-1].DecisionNo // paid records page by decision
			}
		}
		return nil
	})
	return page, err
}

// staffViolations reads records for a staff query. A pending handling whose
// time is up reads as unhandled (view), so an unhandled query also reads
// pending records; the caller filters the views by status.
func staffViolations(tx store.Tx, q store.ViolationQuery) ([]rules.Violation, error) {
	if q.Status != rules.StatusUnhandled {
		return tx.Violations(q)
	}
	if q.Plate != "" || q.Driver != "" {
		q.Status = ""
		return tx.Violations(q)
	}
	recs, err := tx.Violations(q)
	if err != nil {
		return nil, err
	}
	q.Status = rules.StatusPending
	pending, err := tx.Violations(q)
	if err != nil {
		return nil, err
	}
	recs = append(recs, pending...)
	slices.SortFunc(recs, func(x, y rules.Violation) int { return strings.Compare(x.RecordNo, y.RecordNo) })
	if q.Limit > 0 && len(recs) > q.Limit {
		recs = recs[:q.Limit]
	}
	return recs, nil
}

func (s *Service) personsViolations(tx store.Tx, a api.Actor, q store.ViolationQuery) ([]rules.Violation, error) {
	p, err := core.Registered(tx, a)
	if err != nil {
		return nil, err
	}
	if q.Driver != "" && q.Driver != p.IDNumber {
		return nil, rules.ErrNotYours.Withf("driver %s", q.Driver)
	}
	bindings, err := tx.BindingsOf(p.IDNumber)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []rules.Violation
	add := func(vs []rules.Violation, since time.Time) {
		for _, v := range vs {
			if !seen[v.RecordNo] && !v.OccurredAt.Before(since) {
				seen[v.RecordNo] = true
				out = append(out, v)
			}
		}
	}
	for _, b := range bindings {
		if b.Status != rules.BindingActive {
			continue
		}
		switch {
		case b.Kind == rules.BindLicence && (q.Plate == "" || q.Driver != ""):
			vs, err := tx.Violations(store.ViolationQuery{Driver: p.IDNumber})
			if err != nil {
				return nil, err
			}
			add(vs, time.Time{})
		case b.Kind == rules.BindVehicle && q.Driver == "" && (q.Plate == "" || (q.Plate == b.Plate && q.PlateType == b.PlateType)):
			vs, err := tx.Violations(store.ViolationQuery{Plate: b.Plate, PlateType: b.PlateType})
			if err != nil {
				return nil, err
			}
			var since time.Time
			if !b.Own {
				since = activeFrom(b)
			}
			add(vs, since)
		}
	}
	if q.Plate != "" && len(out) == 0 && !boundTo(bindings, q.Plate, q.PlateType) {
		return nil, rules.ErrNotYourVehicle.WithField("plate").Withf("%s", q.Plate)
	}
	slices.SortFunc(out, func(x, y rules.Violation) int { return x.OccurredAt.Compare(y.OccurredAt) })
	return out, nil
}

// boundSince reports whether the record's vehicle is bound to the person:
// their own, or another owner's with the record dated from the approval on.
func boundSince(bs []rules.Binding, v *rules.Violation) bool {
	for _, b := range bs {
		if b.Kind == rules.BindVehicle && b.Status == rules.BindingActive && b.Plate == v.Plate && b.PlateType == v.PlateType &&
			(b.Own || !v.OccurredAt.Before(activeFrom(b))) {
			return true
		}
	}
	return false
}

// activeFrom is when a binding took effect; bindings stored before that
// was recorded count from their request.
func activeFrom(b rules.Binding) time.Time {
	if b.ActiveFrom.IsZero() {
		return b.CreatedAt
	}
	return b.ActiveFrom
}

func boundTo(bs []rules.Binding, plate string, pt rules.PlateType) bool {
	for _, b := range bs {
		if b.Kind == rules.BindVehicle && b.Status == rules.BindingActive && b.Plate == plate && b.PlateType == pt {
			return true
		}
	}
	return false
}

// cyclePoints returns the points counting in the person's current cycle:
// decisions issued to them that took effect (unpaid onsite decisions, paid
// online handlings), with unpaid ones from earlier cycles carried over.
//
// A pending online handling that has not lapsed counts too: it becomes
// paid if its payment arrives, so two handlings started together cannot
// together pass the limit that each alone respects.
func cyclePoints(tx store.Tx, l *rules.Licence, now time.Time) (int, error) {
	vs, err := tx.Violations(store.ViolationQuery{Driver: l.IDNumber})
	if err != nil {
		return 0, err
	}
	var entries []rules.PointsEntry
	for _, v := range vs {
		v.Expire(now)
		if v.Status == rules.StatusPaid || v.Status == rules.StatusUnpaid || v.Status == rules.StatusPending {
			entries = append(entries, rules.PointsEntry{DecidedOn: v.ServedOn, Points: v.Points, Paid: v.Status == rules.StatusPaid})
		}
	}
	return rules.CycleTotal(entries, l.FirstIssuedOn, rules.DateOf(now)), nil
}

// HandleViolation starts the online handling of a camera record: after
// the eligibility checks it creates a pending decision and its payment
// order. Only a successful payment completes it; unpaid, it expires.
func (s *Service) HandleViolation(ctx context.Context, a api.Actor, r api.HandleRequest) (*api.HandleResult, error) {
	if r.RecordNo == "" {
		return nil, rules.ErrRecordNoRequired
	}
	scope := core.KeyScope("handle", a)
	hash := core.RequestHash(r)
	out, _, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*api.HandleResult, error) {
		p, err := core.Registered(tx, a)
		if err != nil {
			return nil, err
		}
		old, err := tx.Violation(r.RecordNo)
		if err != nil {
			return nil, err
		}
		if old == nil {
			return nil, rules.ErrRecordNotFound.Withf("%s", r.RecordNo)
		}
		v := *old
		now := s.Now()
		today := rules.DateOf(now)
		v.Expire(now)
		bindings, err := tx.BindingsOf(p.IDNumber)
		if err != nil {
			return nil, err
		}
		c := rules.HandlingCase{Violation: v, On: today, VehicleBound: boundSince(bindings, &v)}
		for _, b := range bindings {
			if b.Status == rules.BindingActive && b.Kind == rules.BindLicence {
				if c.Licence, err = tx.Licence(p.IDNumber); err != nil {
					return nil, err
				}
			}
		}
		if c.Licence != nil {
			if err := tx.HoldLicence(p.IDNumber); err != nil { // two handlings of one driver: one at a time
				return nil, err
			}
			if c.CyclePoints, err = cyclePoints(tx, c.Licence, now); err != nil {
				return nil, err
			}
		}
		if err := s.Policy.CheckOnlineHandling(c); err != nil {
			return nil, err
		}
		no, err := tx.NextDecisionNo(s.Region)
		if err != nil {
			return nil, err
		}
		v.Status, v.DecisionNo, v.ServedOn, v.DriverIDNumber = rules.StatusPending, no, today, p.IDNumber
		v.PendingUntil = now.Add(s.Policy.HandlingTTL).Truncate(time.Second)
		if err := tx.PutViolation(&v, old); err != nil {
			return nil, err
		}
		if err := s.Audit(tx, a, "handle_violation", v.RecordNo, no); err != nil {
			return nil, err
		}
		q := s.quote(v, today)
		order := rules.PaymentOrder{DecisionNo: no, RecordNo: v.RecordNo, IDNumber: p.IDNumber, Amount: q.AmountDue, CreatedAt: now, ExpiresAt: v.PendingUntil}
		if err := tx.InsertOrder(&order); err != nil {
			return nil, err
		}
		if err := s.Notify(tx, p.Phone, "handle", fmt.Sprintf("【交管】您的违法记录%s已受理，决定书编号%s，请于%s前缴纳罚款%s元。",
			v.RecordNo, no, v.PendingUntil.In(rules.China).Format("15:04"), q.AmountDue)); err != nil {
			return nil, err
		}
		return &api.HandleResult{OrderID: order.ID, RecordNo: v.RecordNo, DecisionNo: no, Fine: v.Fine, Points: v.Points, AmountDue: q.AmountDue, PendingUntil: v.PendingUntil}, nil
	})
	return out, err
}
