package rules

// FeePolicy holds the settings of the late-fee rule (加处罚款).
type FeePolicy struct {
	// PaymentDays is the payment period in natural days after the decision
	// is served (道交法 §108, 处罚法 §67): 15.
	PaymentDays int `json:"payment_days"`
	// DailyRatePercent is the late fee per day in percent of the fine
	// (道交法 §109, 处罚法 §72): 3.
	DailyRatePercent int64 `json:"daily_rate_percent"`
	// ExtendDueOnHoliday moves a due date that falls on a non-working day
	// to the next working day. The statute is silent (domain-rules §1,
	// [L/M]); default false: strict natural days, as in the worked examples.
	ExtendDueOnHoliday bool `json:"extend_due_on_holiday"`
}

// DefaultFeePolicy returns the documented defaults.
func DefaultFeePolicy() FeePolicy {
	return FeePolicy{PaymentDays: 15, DailyRatePercent: 3}
}

// Suspension is an inclusive date range during which no late fee accrues
// (行政复议 or 行政诉讼 pending, 处罚法 §73). An open range has a zero To.
type Suspension struct {
	From Date `json:"from"`
	To   Date `json:"to,omitzero"`
}

// FeeQuote is the amount due on a given date.
type FeeQuote struct {
	Fine      Money `json:"fine"`
	ServedOn  Date  `json:"served_on,omitzero"`
	DueOn     Date  `json:"due_on,omitzero"`
	On        Date  `json:"on"`
	LateDays  int   `json:"late_days"`
	LateFee   Money `json:"late_fee"`
	AmountDue Money `json:"amount_due"`
	Capped    bool  `json:"capped"`
}

// DueDate returns the last day to pay without a late fee: the service date
// plus PaymentDays natural days (the service day itself not counted),
// moved to the next working day when the policy says so.
func (p FeePolicy) DueDate(servedOn Date, cal Calendar) Date {
	due := servedOn.AddDays(p.PaymentDays)
	if p.ExtendDueOnHoliday {
		due = cal.NextWorkday(due)
	}
	return due
}

// Quote computes the late fee and amount due for a fine whose decision was
// served on servedOn, paid on date on. A zero servedOn means no decision
// exists yet, so there is no late fee. Days inside a suspension do not
// count. The fee is exact in fen (half-up if a fine ever has fen), capped
// at the fine itself (处罚法 §72, 强制法 §45).
func (p FeePolicy) Quote(fine Money, servedOn, on Date, suspensions []Suspension, cal Calendar) FeeQuote {
	q := FeeQuote{Fine: fine, ServedOn: servedOn, On: on, AmountDue: fine}
	if servedOn.IsZero() {
		q.LateFee = Fen(0)
		return q
	}
	q.DueOn = p.DueDate(servedOn, cal)
	q.LateDays = max(0, on.DaysSince(q.DueOn)-suspendedDays(q.DueOn.AddDays(1), on, suspensions))
	fineFen := fine.FenValue()
	lateFen := (fineFen*p.DailyRatePercent*int64(q.LateDays) + 50) / 100
	if lateFen >= fineFen && fineFen > 0 && q.LateDays > 0 { // a zero fine (warning) has no cap to reach
		lateFen, q.Capped = fineFen, true
	}
	q.LateFee, q.AmountDue = Fen(lateFen), Fen(fineFen+lateFen)
	return q
}

// suspendedDays counts the days in [from, to] covered by at least one suspension.
func suspendedDays(from, to Date, s []Suspension) int {
	n := 0
	for d := from; !d.After(to); {
		end, ok := coveredUntil(d, to, s)
		if !ok {
			d = nextSuspensionStart(d, to, s)
			continue
		}
		n += end.DaysSince(d) + 1
		d = end.AddDays(1)
	}
	return n
}

// coveredUntil returns the last day (≤ to) of the longest suspension covering d.
func coveredUntil(d, to Date, s []Suspension) (Date, bool) {
	var end Date
	ok := false
	for _, r := range s {
		if d.Before(r.From) || (!r.To.IsZero() && d.After(r.To)) {
			continue
		}
		e := r.To
		if e.IsZero() || e.After(to) {
			e = to
		}
		if !ok || e.After(end) {
			end, ok = e, true
		}
	}
	return end, ok
}

// nextSuspensionStart returns the first suspension start after d, or to+1.
func nextSuspensionStart(d, to Date, s []Suspension) Date {
	next := to.AddDays(1)
	for _, r := range s {
		if r.From.After(d) && r.From.Before(next) {
			next = r.From
		}
	}
	return next
}
