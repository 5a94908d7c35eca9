package rules_test

import (
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

func mustMoney(t testing.TB, s string) rules.Money {
	t.Helper()
	m, err := rules.ParseMoney(s)
	if err != nil {
		t.Fatalf("ParseMoney(%q): %v", s, err)
	}
	return m
}

func TestDefaultFeePolicy(t *testing.T) {
	p := rules.DefaultFeePolicy()
	if p.PaymentDays != 15 || p.DailyRatePercent != 3 || p.ExtendDueOnHoliday {
		t.Errorf("DefaultFeePolicy() = %+v, want 15 days, 3%%, no holiday extension", p)
	}
	if got := rules.DefaultPolicy().Fees; got != p {
		t.Errorf("DefaultPolicy().Fees = %+v, want %+v", got, p)
	}
}

func TestFeeDueDate(t *testing.T) {
	real := realCalendar(t)
	natural := rules.DefaultFeePolicy()
	extended := natural
	extended.ExtendDueOnHoliday = true
	tests := []struct {
		name   string
		p      rules.FeePolicy
		served string
		want   string
	}{
		{"example 1", natural, "2024-03-04", "2024-03-19"},
		{"example 4 natural", natural, "2024-09-16", "2024-10-01"},
		{"example 4 extended", extended, "2024-09-16", "2024-10-08"},
		{"natural ignores a Sunday", natural, "2024-03-09", "2024-03-24"},
		{"extended moves a Sunday", extended, "2024-03-09", "2024-03-25"},
		{"extended keeps a working day", extended, "2024-03-04", "2024-03-19"},
		{"extended keeps a make-up Saturday", extended, "2024-09-27", "2024-10-12"},
		{"month end", natural, "2024-01-31", "2024-02-15"},
		{"leap day", natural, "2024-02-14", "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.DueDate(mustDate(t, tt.served), real); got.String() != tt.want {
				t.Errorf("DueDate(%s) = %s, want %s", tt.served, got, tt.want)
			}
		})
	}
}

// TestQuoteWorkedExamples is the table of worked examples of the late fee
// (docs/rules.md).
func TestQuoteWorkedExamples(t *testing.T) {
	real := realCalendar(t)
	natural := rules.DefaultFeePolicy()
	extended := natural
	extended.ExtendDueOnHoliday = true
	// Examples 2 and 3 hold for "any" service date: D is its due date.
	const anyServed = "2024-05-06"
	d := mustDate(t, anyServed).AddDays(15)
	tests := []struct {
		name     string
		p        rules.FeePolicy
		fine     string
		served   string
		paid     string
		due      string
		lateDays int
		lateFee  string
		total    string
		capped   bool
	}{
		{"#1 paid on the due date", natural, "200", "2024-03-04", "2024-03-19", "2024-03-19", 0, "0.00", "200.00", false},
		{"#1b ten days late", natural, "200", "2024-03-04", "2024-03-29", "2024-03-19", 10, "60.00", "260.00", false},
		{"#2 D+33", natural, "50", anyServed, d.AddDays(33).String(), d.String(), 33, "49.50", "99.50", false},
		{"#2 D+34 reaches the cap", natural, "50", anyServed, d.AddDays(34).String(), d.String(), 34, "50.00", "100.00", true},
		{"#2 D+40 stays at the cap", natural, "50", anyServed, d.AddDays(40).String(), d.String(), 40, "50.00", "100.00", true},
		{"#3 D+20", natural, "150", anyServed, d.AddDays(20).String(), d.String(), 20, "90.00", "240.00", false},
		{"#4 natural", natural, "200", "2024-09-16", "2024-10-09", "2024-10-01", 8, "48.00", "248.00", false},
		{"#4 holiday extended", extended, "200", "2024-09-16", "2024-10-09", "2024-10-08", 1, "6.00", "206.00", false},
		// Around the examples.
		{"#1 paid early", natural, "200", "2024-03-04", "2024-03-10", "2024-03-19", 0, "0.00", "200.00", false},
		{"#1 paid on the service day", natural, "200", "2024-03-04", "2024-03-04", "2024-03-19", 0, "0.00", "200.00", false},
		{"#1 one day late", natural, "200", "2024-03-04", "2024-03-20", "2024-03-19", 1, "6.00", "206.00", false},
		{"#4 extended paid on the extended due date", extended, "200", "2024-09-16", "2024-10-08", "2024-10-08", 0, "0.00", "200.00", false},
		{"200 at D+33 is below the cap", natural, "200", anyServed, d.AddDays(33).String(), d.String(), 33, "198.00", "398.00", false},
		{"200 at D+34 is capped", natural, "200", anyServed, d.AddDays(34).String(), d.String(), 34, "200.00", "400.00", true},
		{"a year late is capped", natural, "100", anyServed, d.AddDays(365).String(), d.String(), 365, "100.00", "200.00", true},
		{"zero fine", natural, "0", anyServed, d.AddDays(10).String(), d.String(), 10, "0.00", "0.00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fine := mustMoney(t, tt.fine)
			q := tt.p.Quote(fine, mustDate(t, tt.served), mustDate(t, tt.paid), nil, real)
			checkQuote(t, q, tt.due, tt.lateDays, tt.lateFee, tt.total, tt.capped)
			if !q.Fine.Equal(fine) {
				t.Errorf("Fine = %s, want %s", q.Fine, fine)
			}
			if q.ServedOn.String() != tt.served || q.On.String() != tt.paid {
				t.Errorf("ServedOn, On = %s, %s; want %s, %s", q.ServedOn, q.On, tt.served, tt.paid)
			}
		})
	}
}

func checkQuote(t *testing.T, q rules.FeeQuote, due string, lateDays int, lateFee, total string, capped bool) {
	t.Helper()
	if q.DueOn.String() != due {
		t.Errorf("DueOn = %s, want %s", q.DueOn, due)
	}
	if q.LateDays != lateDays {
		t.Errorf("LateDays = %d, want %d", q.LateDays, lateDays)
	}
	if q.LateFee.String() != lateFee {
		t.Errorf("LateFee = %s, want %s", q.LateFee, lateFee)
	}
	if q.AmountDue.String() != total {
		t.Errorf("AmountDue = %s, want %s", q.AmountDue, total)
	}
	if q.Capped != capped {
		t.Errorf("Capped = %v, want %v", q.Capped, capped)
	}
	if !q.AmountDue.Equal(q.Fine.Add(q.LateFee)) {
		t.Errorf("AmountDue %s != Fine %s + LateFee %s", q.AmountDue, q.Fine, q.LateFee)
	}
}

func TestQuoteNoDecision(t *testing.T) {
	// An unhandled camera record has no decision: no due date, no late fee,
	// however long ago it happened.
	fine := rules.Yuan(200)
	q := rules.DefaultFeePolicy().Quote(fine, rules.Date{}, mustDate(t, "2030-01-01"), nil, realCalendar(t))
	if !q.DueOn.IsZero() || !q.ServedOn.IsZero() {
		t.Errorf("DueOn, ServedOn = %q, %q; want both unset", q.DueOn, q.ServedOn)
	}
	if q.LateDays != 0 || q.Capped {
		t.Errorf("LateDays, Capped = %d, %v; want 0, false", q.LateDays, q.Capped)
	}
	if q.LateFee.String() != "0.00" || !q.AmountDue.Equal(fine) {
		t.Errorf("LateFee, AmountDue = %s, %s; want 0.00, 200.00", q.LateFee, q.AmountDue)
	}
}

func TestQuoteSuspensions(t *testing.T) {
	// Fine 200 served 2024-03-04: due 2024-03-19, paid 2024-03-29 is
	// 10 days late (03-20 … 03-29) without suspensions.
	cal := realCalendar(t)
	p := rules.DefaultFeePolicy()
	fine := rules.Yuan(200)
	served, paid := mustDate(t, "2024-03-04"), mustDate(t, "2024-03-29")
	s := func(from, to string) rules.Suspension {
		r := rules.Suspension{From: mustDate(t, from)}
		if to != "" {
			r.To = mustDate(t, to)
		}
		return r
	}
	tests := []struct {
		name     string
		susp     []rules.Suspension
		lateDays int
		lateFee  string
	}{
		{"none", nil, 10, "60.00"},
		{"empty", []rules.Suspension{}, 10, "60.00"},
		{"closed inside", []rules.Suspension{s("2024-03-22", "2024-03-24")}, 7, "42.00"},
		{"single day", []rules.Suspension{s("2024-03-25", "2024-03-25")}, 9, "54.00"},
		{"open from inside", []rules.Suspension{s("2024-03-25", "")}, 5, "30.00"},
		{"open from before due", []rules.Suspension{s("2024-03-10", "")}, 0, "0.00"},
		{"whole period and more", []rules.Suspension{s("2024-03-01", "2024-04-30")}, 0, "0.00"},
		{"before the due date only", []rules.Suspension{s("2024-03-05", "2024-03-10")}, 10, "60.00"},
		{"ends on the due date", []rules.Suspension{s("2024-03-05", "2024-03-19")}, 10, "60.00"},
		{"straddles the due date", []rules.Suspension{s("2024-03-15", "2024-03-21")}, 8, "48.00"},
		{"straddles the payment date", []rules.Suspension{s("2024-03-28", "2024-04-10")}, 8, "48.00"},
		{"after the payment date", []rules.Suspension{s("2024-04-01", "2024-04-05")}, 10, "60.00"},
		{"open after the payment date", []rules.Suspension{s("2024-03-30", "")}, 10, "60.00"},
		{"two disjoint", []rules.Suspension{s("2024-03-20", "2024-03-20"), s("2024-03-29", "2024-03-29")}, 8, "48.00"},
		{"overlapping counted once", []rules.Suspension{s("2024-03-21", "2024-03-25"), s("2024-03-23", "2024-03-27")}, 3, "18.00"},
		{"overlapping, reverse order", []rules.Suspension{s("2024-03-23", "2024-03-27"), s("2024-03-21", "2024-03-25")}, 3, "18.00"},
		{"nested", []rules.Suspension{s("2024-03-21", "2024-03-28"), s("2024-03-23", "2024-03-24")}, 2, "12.00"},
		{"identical twice", []rules.Suspension{s("2024-03-22", "2024-03-24"), s("2024-03-22", "2024-03-24")}, 7, "42.00"},
		{"adjacent", []rules.Suspension{s("2024-03-21", "2024-03-22"), s("2024-03-23", "2024-03-24")}, 6, "36.00"},
		{"closed inside open", []rules.Suspension{s("2024-03-26", ""), s("2024-03-27", "2024-03-28")}, 6, "36.00"},
		{"open and closed overlapping", []rules.Suspension{s("2024-03-27", ""), s("2024-03-20", "2024-03-28")}, 0, "0.00"},
		{"reversed range counts nothing", []rules.Suspension{s("2024-03-25", "2024-03-22")}, 10, "60.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p.Quote(fine, served, paid, tt.susp, cal)
			total := fine.Add(mustMoney(t, tt.lateFee)).String()
			checkQuote(t, q, "2024-03-19", tt.lateDays, tt.lateFee, total, false)
		})
	}
}

func TestQuoteSuspensionBelowCap(t *testing.T) {
	// Fine 50 at D+40 is capped; ten suspended days bring it to 30 late
	// days, 45.00, below the cap.
	p := rules.DefaultFeePolicy()
	served := mustDate(t, "2024-05-06")
	d := served.AddDays(15)
	susp := []rules.Suspension{{From: d.AddDays(5), To: d.AddDays(14)}}
	q := p.Quote(rules.Yuan(50), served, d.AddDays(40), susp, rules.Calendar{})
	checkQuote(t, q, d.String(), 30, "45.00", "95.00", false)
}

func TestQuoteRounding(t *testing.T) {
	// Fines with fen: the fee is computed in fen and rounded half-up.
	p := rules.DefaultFeePolicy()
	served := mustDate(t, "2024-05-06")
	d := served.AddDays(15)
	tests := []struct {
		fine     string
		lateDays int
		lateFee  string
		total    string
		capped   bool
	}{
		{"33.33", 1, "1.00", "34.33", false},   // 99.99 fen → 100
		{"33.33", 3, "3.00", "36.33", false},   // 299.97 fen → 300
		{"33.33", 10, "10.00", "43.33", false}, // 999.9 fen → 1000
		{"33.50", 1, "1.01", "34.51", false},   // 100.5 fen → 101 (half up)
		{"0.50", 1, "0.02", "0.52", false},     // 1.5 fen → 2 (half up)
		{"0.50", 3, "0.05", "0.55", false},     // 4.5 fen → 5 (half up)
		{"0.11", 1, "0.00", "0.11", false},     // 0.33 fen → 0
		{"0.17", 1, "0.01", "0.18", false},     // 0.51 fen → 1
		{"33.34", 1, "1.00", "34.34", false},   // 100.02 fen → 100
		{"33.33", 33, "33.00", "66.33", false}, // 3299.67 fen → 3300, below 3333
		{"33.33", 34, "33.33", "66.66", true},  // capped at the fine
		{"0.01", 17, "0.01", "0.02", false},    // 0.51 fen → 1 = the fine, not yet "over"
		{"0.01", 34, "0.01", "0.02", true},     // 1.02 fen → 1, capped
	}
	for _, tt := range tests {
		q := p.Quote(mustMoney(t, tt.fine), served, d.AddDays(tt.lateDays), nil, rules.Calendar{})
		if q.LateFee.String() != tt.lateFee || q.AmountDue.String() != tt.total || q.LateDays != tt.lateDays {
			t.Errorf("fine %s, %d days late: fee %s, total %s, days %d; want %s, %s, %d",
				tt.fine, tt.lateDays, q.LateFee, q.AmountDue, q.LateDays, tt.lateFee, tt.total, tt.lateDays)
		}
		if tt.capped && !q.Capped {
			t.Errorf("fine %s, %d days late: not capped", tt.fine, tt.lateDays)
		}
		if q.LateFee.Cmp(q.Fine) > 0 {
			t.Errorf("fine %s: late fee %s exceeds the fine", tt.fine, q.LateFee)
		}
	}
}

func TestQuoteCapFlag(t *testing.T) {
	// Every whole-yuan fine reaches the cap on the 34th late day (⌈100/3⌉).
	p := rules.DefaultFeePolicy()
	served := mustDate(t, "2024-05-06")
	d := served.AddDays(15)
	for _, yuan := range []int64{1, 20, 50, 100, 150, 200, 500, 2000} {
		fine := rules.Yuan(yuan)
		for days := 0; days <= 40; days++ {
			q := p.Quote(fine, served, d.AddDays(days), nil, rules.Calendar{})
			wantCapped := days >= 34
			if q.Capped != wantCapped {
				t.Fatalf("fine %d, %d days: Capped = %v, want %v", yuan, days, q.Capped, wantCapped)
			}
			wantFen := yuan * 3 * int64(days)
			if wantFen > yuan*100 {
				wantFen = yuan * 100
			}
			if q.LateFee.FenValue() != wantFen {
				t.Fatalf("fine %d, %d days: late fee %s, want %d fen", yuan, days, q.LateFee, wantFen)
			}
		}
	}
}

func TestQuoteCustomRate(t *testing.T) {
	p := rules.FeePolicy{PaymentDays: 30, DailyRatePercent: 5}
	served := mustDate(t, "2024-01-01")
	q := p.Quote(rules.Yuan(100), served, mustDate(t, "2024-02-05"), nil, rules.Calendar{})
	// due 2024-01-31, 5 days late at 5 %.
	checkQuote(t, q, "2024-01-31", 5, "25.00", "125.00", false)
	q = p.Quote(rules.Yuan(100), served, mustDate(t, "2024-02-20"), nil, rules.Calendar{})
	checkQuote(t, q, "2024-01-31", 20, "100.00", "200.00", true)
}

func FuzzQuote(f *testing.F) {
	f.Add(int64(20000), 40, 3, 10, 5, false)
	f.Add(int64(5000), 34, 0, 0, 0, true)
	f.Add(int64(3333), 1, -5, 3, 2, false)
	f.Add(int64(1), 100, 0, 100, 0, true)
	f.Fuzz(func(t *testing.T, fineFen int64, late, suspStart, suspLen, extra int, extend bool) {
		if fineFen < 0 || fineFen > 1e9 || late < -1000 || late > 5000 {
			return
		}
		p := rules.DefaultFeePolicy()
		p.ExtendDueOnHoliday = extend
		served := rules.NewDate(2024, 9, 1)
		due := p.DueDate(served, rules.Calendar{})
		on := due.AddDays(late)
		var susp []rules.Suspension
		if suspLen >= 0 && suspLen < 2000 && suspStart > -2000 && suspStart < 2000 {
			s := rules.Suspension{From: due.AddDays(suspStart)}
			if extra%2 == 0 {
				s.To = s.From.AddDays(suspLen)
			}
			susp = append(susp, s, s) // a duplicate must not count twice
		}
		fine := rules.Fen(fineFen)
		q := p.Quote(fine, served, on, susp, rules.Calendar{})
		if q.LateDays < 0 || q.LateDays > max(late, 0) {
			t.Fatalf("LateDays = %d for %d days after due", q.LateDays, late)
		}
		if q.LateFee.Sign() < 0 || q.LateFee.Cmp(fine) > 0 {
			t.Fatalf("late fee %s outside [0, %s]", q.LateFee, fine)
		}
		if !q.AmountDue.Equal(fine.Add(q.LateFee)) {
			t.Fatalf("AmountDue %s != %s + %s", q.AmountDue, fine, q.LateFee)
		}
		if late <= 0 && !q.LateFee.IsZero() {
			t.Fatalf("late fee %s when paid %d days after due", q.LateFee, late)
		}
		// One more day never lowers the fee.
		q2 := p.Quote(fine, served, on.AddDays(1), susp, rules.Calendar{})
		if q2.LateFee.Cmp(q.LateFee) < 0 {
			t.Fatalf("fee fell from %s to %s the next day", q.LateFee, q2.LateFee)
		}
	})
}
