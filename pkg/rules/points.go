package rules

// Cycle is a 12-month scoring cycle (记分周期), inclusive of both ends.
type Cycle struct {
	Start Date `json:"start"`
	End   Date `json:"end"`
}

// Contains reports whether d falls in the cycle.
func (c Cycle) Contains(d Date) bool { return !d.Before(c.Start) && !d.After(c.End) }

// CycleOn returns the scoring cycle containing on. Cycles run continuously
// in 12-month steps from the first issue date (记分办法 §3). A first issue on
// 29 February starts later cycles on 1 March in common years (time.AddDate
// normalisation; no rule found, domain-rules §2 [L]).
func CycleOn(firstIssued, on Date) Cycle {
	if on.Before(firstIssued) {
		return Cycle{Start: firstIssued, End: firstIssued.AddMonths(12).AddDays(-1)}
	}
	y1, _, _ := firstIssued.YMD()
	y2, _, _ := on.YMD()
	k := y2 - y1
	start := firstIssued.AddMonths(12 * k)
	if start.After(on) {
		k--
		start = firstIssued.AddMonths(12 * k)
	}
	return Cycle{Start: start, End: firstIssued.AddMonths(12 * (k + 1)).AddDays(-1)}
}

// ValidPoints reports whether p is a point value the law allows per
// violation: 0 (warning or no points), 1, 3, 6, 9 or 12 (记分办法 §7).
func ValidPoints(p int) bool {
	switch p {
	case 0, 1, 3, 6, 9, 12:
		return true
	}
	return false
}

// PointsEntry is one decided violation counted against a licence.
type PointsEntry struct {
	DecidedOn Date
	Points    int
	Paid      bool
}

// CycleTotal returns the points that count in the cycle containing on:
// those decided in the cycle, plus those of earlier decisions still unpaid,
// which carry over (记分办法 §15).
func CycleTotal(entries []PointsEntry, firstIssued, on Date) int {
	c := CycleOn(firstIssued, on)
	total := 0
	for _, e := range entries {
		if c.Contains(e.DecidedOn) || (e.DecidedOn.Before(c.Start) && !e.Paid) {
			total += e.Points
		}
	}
	return total
}
