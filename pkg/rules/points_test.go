package rules_test

import (
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

func TestCycleOn(t *testing.T) {
	tests := []struct {
		name       string
		first, on  string
		start, end string
	}{
		{"domain-rules §2 example", "2019-08-20", "2025-01-10", "2024-08-20", "2025-08-19"},
		{"on the anniversary", "2019-08-20", "2024-08-20", "2024-08-20", "2025-08-19"},
		{"the day before the anniversary", "2019-08-20", "2024-08-19", "2023-08-20", "2024-08-19"},
		{"last day of the cycle", "2019-08-20", "2025-08-19", "2024-08-20", "2025-08-19"},
		{"early in the calendar year", "2019-08-20", "2025-03-01", "2024-08-20", "2025-08-19"},
		{"late in the calendar year", "2019-08-20", "2024-12-31", "2024-08-20", "2025-08-19"},
		{"on the first issue day", "2019-08-20", "2019-08-20", "2019-08-20", "2020-08-19"},
		{"first cycle", "2019-08-20", "2020-01-01", "2019-08-20", "2020-08-19"},
		{"before the first issue", "2019-08-20", "2019-01-01", "2019-08-20", "2020-08-19"},
		{"long before the first issue", "2019-08-20", "2010-05-05", "2019-08-20", "2020-08-19"},
		{"first issued on 1 January", "2020-01-01", "2024-06-30", "2024-01-01", "2024-12-31"},
		{"first issued on 31 December", "2020-12-31", "2024-12-30", "2023-12-31", "2024-12-30"},
		{"first issued on 31 December, anniversary", "2020-12-31", "2024-12-31", "2024-12-31", "2025-12-30"},
		// 29 February: later cycles start on 1 March in common years
		// (AddDate normalisation; domain-rules §2 [L]).
		{"29 Feb, first cycle end", "2020-02-29", "2021-02-28", "2020-02-29", "2021-02-28"},
		{"29 Feb, common year", "2020-02-29", "2021-03-01", "2021-03-01", "2022-02-28"},
		{"29 Feb, before a leap year", "2020-02-29", "2024-02-28", "2023-03-01", "2024-02-28"},
		{"29 Feb, leap year", "2020-02-29", "2024-02-29", "2024-02-29", "2025-02-28"},
		{"29 Feb, after a leap year", "2020-02-29", "2025-03-01", "2025-03-01", "2026-02-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rules.CycleOn(mustDate(t, tt.first), mustDate(t, tt.on))
			if c.Start.String() != tt.start || c.End.String() != tt.end {
				t.Errorf("CycleOn(%s, %s) = %s..%s, want %s..%s", tt.first, tt.on, c.Start, c.End, tt.start, tt.end)
			}
		})
	}
}

func TestCycleOnContiguous(t *testing.T) {
	// Every date from the first issue on lies in its cycle, every cycle is
	// 365 or 366 days, and the cycles tile time without gaps or overlaps.
	for _, first := range []string{"2019-08-20", "2020-02-29", "2000-01-01", "1999-12-31", "2016-03-01"} {
		f := mustDate(t, first)
		var prev rules.Cycle
		for d := f; d.Before(f.AddDays(365 * 12)); d = d.AddDays(1) {
			c := rules.CycleOn(f, d)
			if !c.Contains(d) {
				t.Fatalf("first %s: CycleOn(%s) = %s..%s does not contain it", first, d, c.Start, c.End)
			}
			if n := c.End.DaysSince(c.Start) + 1; n != 365 && n != 366 {
				t.Fatalf("first %s: cycle %s..%s has %d days", first, c.Start, c.End, n)
			}
			if prev.Start.IsZero() {
				if c.Start != f {
					t.Fatalf("first %s: first cycle starts %s", first, c.Start)
				}
			} else if c != prev && c.Start != prev.End.AddDays(1) {
				t.Fatalf("first %s: cycle %s..%s does not follow %s..%s", first, c.Start, c.End, prev.Start, prev.End)
			}
			prev = c
		}
	}
}

func TestCycleContains(t *testing.T) {
	c := rules.Cycle{Start: mustDate(t, "2024-08-20"), End: mustDate(t, "2025-08-19")}
	for s, want := range map[string]bool{
		"2024-08-19": false, "2024-08-20": true, "2025-01-10": true, "2025-08-19": true, "2025-08-20": false,
	} {
		if got := c.Contains(mustDate(t, s)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestValidPoints(t *testing.T) {
	valid := map[int]bool{0: true, 1: true, 3: true, 6: true, 9: true, 12: true}
	for p := -3; p <= 30; p++ {
		if got := rules.ValidPoints(p); got != valid[p] {
			t.Errorf("ValidPoints(%d) = %v, want %v", p, got, valid[p])
		}
	}
}

func TestCycleTotal(t *testing.T) {
	// First issued 2019-08-20; on 2025-01-10 the cycle is 2024-08-20..2025-08-19.
	first, on := "2019-08-20", "2025-01-10"
	e := func(decided string, points int, paid bool) rules.PointsEntry {
		return rules.PointsEntry{DecidedOn: mustDate(t, decided), Points: points, Paid: paid}
	}
	tests := []struct {
		name    string
		entries []rules.PointsEntry
		want    int
	}{
		{"none", nil, 0},
		{"in cycle, unpaid", []rules.PointsEntry{e("2024-10-01", 6, false)}, 6},
		{"in cycle, paid still counts", []rules.PointsEntry{e("2024-09-01", 3, true)}, 3},
		{"first day of the cycle", []rules.PointsEntry{e("2024-08-20", 3, true)}, 3},
		{"the day itself", []rules.PointsEntry{e("2025-01-10", 1, true)}, 1},
		{"earlier cycle, paid: cleared", []rules.PointsEntry{e("2024-05-02", 3, true)}, 0},
		{"earlier cycle's last day, paid: cleared", []rules.PointsEntry{e("2024-08-19", 6, true)}, 0},
		{"earlier cycle, unpaid: carried over", []rules.PointsEntry{e("2024-05-01", 6, false)}, 6},
		{"earlier cycle's last day, unpaid: carried over", []rules.PointsEntry{e("2024-08-19", 6, false)}, 6},
		{"several cycles back, unpaid: carried over", []rules.PointsEntry{e("2021-01-01", 1, false)}, 1},
		{"next cycle: not counted", []rules.PointsEntry{e("2025-08-20", 3, false)}, 0},
		{"mixed", []rules.PointsEntry{
			e("2024-09-01", 3, true),  // in cycle
			e("2024-10-01", 6, false), // in cycle
			e("2024-05-01", 6, false), // carried over
			e("2024-05-02", 3, true),  // cleared
			e("2022-01-01", 1, false), // carried over
			e("2023-11-11", 12, true), // cleared
			e("2025-09-01", 3, false), // next cycle
			e("2024-12-01", 0, false), // warning
		}, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.CycleTotal(tt.entries, mustDate(t, first), mustDate(t, on)); got != tt.want {
				t.Errorf("CycleTotal = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCycleTotalAcrossAnniversary(t *testing.T) {
	// The same entries give different totals either side of the anniversary.
	first := mustDate(t, "2019-08-20")
	entries := []rules.PointsEntry{
		{DecidedOn: mustDate(t, "2024-07-01"), Points: 6, Paid: true},
		{DecidedOn: mustDate(t, "2024-07-02"), Points: 3, Paid: false},
	}
	if got := rules.CycleTotal(entries, first, mustDate(t, "2024-08-19")); got != 9 {
		t.Errorf("before the anniversary: %d, want 9", got)
	}
	if got := rules.CycleTotal(entries, first, mustDate(t, "2024-08-20")); got != 3 {
		t.Errorf("on the anniversary: %d, want 3 (only the unpaid record carries over)", got)
	}
}
