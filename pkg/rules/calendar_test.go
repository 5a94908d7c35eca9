package rules_test

// This file imports internal/refdata, which imports pkg/rules, so it must
// stay in the external test package.

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/rules"
)

var (
	realCalOnce sync.Once
	realCal     rules.Calendar
	realCalErr  error
)

// realCalendar returns the calendar from the embedded cn-holidays.tsv.
func realCalendar(t testing.TB) rules.Calendar {
	t.Helper()
	realCalOnce.Do(func() { realCal, realCalErr = refdata.Calendar("") })
	if realCalErr != nil {
		t.Fatalf("refdata.Calendar: %v", realCalErr)
	}
	return realCal
}

// smallCalendar is a hand-written calendar: a Thursday–Saturday holiday
// and a make-up Sunday.
func smallCalendar(t testing.TB) rules.Calendar {
	t.Helper()
	cal, err := refdata.ParseHolidays(strings.NewReader(
		"date\tkind\tname\n" +
			"2030-01-03\tholiday\tX\n" + // Thursday
			"2030-01-04\tholiday\tX\n" + // Friday
			"2030-01-05\tholiday\tX\n" + // Saturday
			"2030-01-13\tworkday\tX\n", // Sunday
	))
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestCalendarIsWorkday(t *testing.T) {
	real := realCalendar(t)
	tests := []struct {
		date string
		want bool
	}{
		{"2024-09-30", true},  // Monday before National Day
		{"2024-10-01", false}, // National Day, Tuesday
		{"2024-10-04", false}, // holiday on a Friday
		{"2024-10-05", false}, // holiday on a Saturday
		{"2024-10-07", false}, // last day of the holiday, a Monday
		{"2024-10-08", true},  // first working day after it
		{"2024-10-12", true},  // make-up working day, a Saturday
		{"2024-10-13", false}, // ordinary Sunday
		{"2024-09-29", true},  // make-up working day, a Sunday
		{"2024-02-04", true},  // make-up working day (Spring Festival), a Sunday
		{"2024-02-12", false}, // Spring Festival, Monday
		{"2024-02-18", true},  // make-up working day, a Sunday
		{"2024-01-01", false}, // New Year's Day, Monday
		{"2024-03-04", true},  // ordinary Monday
		{"2024-03-09", false}, // ordinary Saturday
		{"2024-03-10", false}, // ordinary Sunday
	}
	for _, tt := range tests {
		if got := real.IsWorkday(mustDate(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkday(%s %v) = %v, want %v", tt.date, mustDate(t, tt.date).Weekday(), got, tt.want)
		}
	}
}

func TestCalendarZeroValue(t *testing.T) {
	var c rules.Calendar
	d := mustDate(t, "2024-09-28") // Saturday
	for i := 0; i < 14; i++ {
		day := d.AddDays(i)
		want := day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
		if got := c.IsWorkday(day); got != want {
			t.Errorf("zero Calendar IsWorkday(%s %v) = %v, want %v", day, day.Weekday(), got, want)
		}
	}
	// National Day is an ordinary Tuesday without reference data.
	if !c.IsWorkday(mustDate(t, "2024-10-01")) {
		t.Error("zero Calendar treats 2024-10-01 as a holiday")
	}
}

func TestCalendarSmall(t *testing.T) {
	c := smallCalendar(t)
	tests := []struct {
		date string
		want bool
	}{
		{"2030-01-02", true},  // Wednesday
		{"2030-01-03", false}, // holiday Thursday
		{"2030-01-04", false}, // holiday Friday
		{"2030-01-05", false}, // holiday Saturday
		{"2030-01-06", false}, // Sunday
		{"2030-01-07", true},  // Monday
		{"2030-01-12", false}, // Saturday
		{"2030-01-13", true},  // make-up Sunday
	}
	for _, tt := range tests {
		if got := c.IsWorkday(mustDate(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestCalendarNextWorkday(t *testing.T) {
	real := realCalendar(t)
	tests := []struct {
		from, want string
	}{
		{"2024-10-01", "2024-10-08"}, // National Day → first day after the holiday
		{"2024-10-07", "2024-10-08"},
		{"2024-10-08", "2024-10-08"}, // already a working day
		{"2024-09-28", "2024-09-29"}, // Saturday → make-up Sunday
		{"2024-10-12", "2024-10-12"}, // make-up Saturday is itself a working day
		{"2024-10-13", "2024-10-14"}, // Sunday → Monday
		{"2024-03-09", "2024-03-11"}, // ordinary weekend
		{"2024-02-10", "2024-02-18"}, // Spring Festival → make-up Sunday 02-18
		{"2024-12-31", "2024-12-31"},
		{"2025-01-01", "2025-01-02"},
	}
	for _, tt := range tests {
		got := real.NextWorkday(mustDate(t, tt.from))
		if got.String() != tt.want {
			t.Errorf("NextWorkday(%s) = %s, want %s", tt.from, got, tt.want)
		}
		if !real.IsWorkday(got) {
			t.Errorf("NextWorkday(%s) = %s is not a working day", tt.from, got)
		}
	}
}

func TestCalendarAddWorkdays(t *testing.T) {
	real := realCalendar(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-09-30", 1, "2024-10-08"}, // the whole holiday is skipped
		{"2024-09-27", 1, "2024-09-29"}, // Friday + 1 → make-up Sunday
		{"2024-09-27", 2, "2024-09-30"},
		{"2024-09-27", 3, "2024-10-08"},
		{"2024-10-08", 3, "2024-10-11"}, // Tuesday + 3 → Friday
		{"2024-10-08", 4, "2024-10-12"}, // make-up Saturday counts
		{"2024-10-08", 5, "2024-10-14"}, // Sunday skipped
		{"2024-09-13", 1, "2024-09-14"}, // Friday + 1 → make-up Saturday before Mid-Autumn
		{"2024-09-14", 1, "2024-09-18"}, // Mid-Autumn 09-15..17 skipped
		{"2024-10-01", 1, "2024-10-08"}, // starting on a holiday
		{"2024-03-08", 1, "2024-03-11"}, // Friday + 1 → Monday
		{"2024-03-04", 5, "2024-03-11"},
		{"2024-03-04", 0, "2024-03-04"},  // zero: the date itself
		{"2024-03-09", 0, "2024-03-09"},  // even on a weekend
		{"2024-03-04", -3, "2024-03-04"}, // negative: no move
	}
	for _, tt := range tests {
		got := real.AddWorkdays(mustDate(t, tt.from), tt.n)
		if got.String() != tt.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestCalendarAddWorkdaysCountsExactly(t *testing.T) {
	// Property: AddWorkdays(d, n) lands on a working day, and exactly n
	// working days lie in (d, result].
	real := realCalendar(t)
	start := mustDate(t, "2024-01-01")
	for i := 0; i < 366; i += 3 {
		d := start.AddDays(i)
		for _, n := range []int{1, 2, 3, 5, 7, 10, 15} {
			got := real.AddWorkdays(d, n)
			if !real.IsWorkday(got) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not a working day", d, n, got)
			}
			count := 0
			for x := d.AddDays(1); !x.After(got); x = x.AddDays(1) {
				if real.IsWorkday(x) {
					count++
				}
			}
			if count != n {
				t.Fatalf("AddWorkdays(%s, %d) = %s spans %d working days", d, n, got, count)
			}
		}
	}
}
