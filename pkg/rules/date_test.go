package rules_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

func mustDate(t testing.TB, s string) rules.Date {
	t.Helper()
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "2024-03-04", want: "2024-03-04"},
		{in: "2024-02-29", want: "2024-02-29"}, // leap year
		{in: "2000-02-29", want: "2000-02-29"}, // divisible by 400
		{in: "1970-01-01", want: "1970-01-01"},
		{in: "1969-12-31", want: "1969-12-31"}, // the day before the epoch is a real date, not "unset"
		{in: "1949-10-01", want: "1949-10-01"},
		{in: "0001-01-01", want: "0001-01-01"},
		{in: "9999-12-31", want: "9999-12-31"},
		{in: "2023-02-29", wantErr: true}, // not a leap year
		{in: "1900-02-29", wantErr: true}, // century, not a leap year
		{in: "2024-04-31", wantErr: true},
		{in: "2024-13-01", wantErr: true},
		{in: "2024-00-10", wantErr: true},
		{in: "2024-01-00", wantErr: true},
		{in: "2024-1-5", wantErr: true},
		{in: "2024/01/05", wantErr: true},
		{in: "20240105", wantErr: true},
		{in: "", wantErr: true},
		{in: " 2024-01-05", wantErr: true},
		{in: "2024-01-05T00:00:00Z", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := rules.ParseDate(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tt.in, d)
				}
				if !d.IsZero() {
					t.Errorf("ParseDate(%q) returned non-zero %v with an error", tt.in, d)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if d.IsZero() {
				t.Fatalf("ParseDate(%q) is the zero (unset) date", tt.in)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("ParseDate(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewDateNormalises(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2024, time.March, 4, "2024-03-04"},
		{2023, time.February, 29, "2023-03-01"},
		{2024, time.February, 30, "2024-03-01"},
		{2024, time.December, 32, "2025-01-01"},
		{2024, time.January, 0, "2023-12-31"},
		{2024, 13, 1, "2025-01-01"},
		{2024, 0, 1, "2023-12-01"},
		{1969, time.December, 31, "1969-12-31"},
		{1900, time.January, 1, "1900-01-01"},
	}
	for _, tt := range tests {
		got := rules.NewDate(tt.y, tt.m, tt.d)
		if got.String() != tt.want {
			t.Errorf("NewDate(%d, %d, %d) = %q, want %q", tt.y, tt.m, tt.d, got, tt.want)
		}
		y, m, d := got.YMD()
		if want := mustDate(t, tt.want); got != want {
			t.Errorf("NewDate(%d, %d, %d) != ParseDate(%q)", tt.y, tt.m, tt.d, tt.want)
		}
		if wy, wm, wd := time.Date(tt.y, tt.m, tt.d, 0, 0, 0, 0, time.UTC).Date(); y != wy || m != wm || d != wd {
			t.Errorf("NewDate(%d, %d, %d).YMD() = %d-%d-%d, want %d-%d-%d", tt.y, tt.m, tt.d, y, m, d, wy, wm, wd)
		}
	}
}

func TestDateZero(t *testing.T) {
	var z rules.Date
	if !z.IsZero() {
		t.Fatal("zero Date is not IsZero")
	}
	if z.String() != "" {
		t.Errorf("zero Date String() = %q, want empty", z.String())
	}
	b, err := z.MarshalText()
	if err != nil || len(b) != 0 {
		t.Errorf("zero Date MarshalText() = %q, %v; want empty, nil", b, err)
	}
	// No real date in a wide range around the epoch may collide with "unset".
	for d := rules.NewDate(1900, 1, 1); d.Before(rules.NewDate(2100, 1, 1)); d = d.AddDays(1) {
		if d.IsZero() {
			y, m, dd := d.YMD()
			t.Fatalf("real date %d-%02d-%02d is IsZero", y, m, dd)
		}
	}
}

func TestDateString(t *testing.T) {
	tests := []struct {
		d    rules.Date
		want string
	}{
		{rules.NewDate(2024, 3, 4), "2024-03-04"},
		{rules.NewDate(2024, 12, 31), "2024-12-31"},
		{rules.NewDate(999, 1, 2), "0999-01-02"},
		{rules.NewDate(5, 6, 7), "0005-06-07"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-03-04", 15, "2024-03-19"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2024-12-31", 1, "2025-01-01"},
		{"2025-01-01", -1, "2024-12-31"},
		{"1970-01-01", -1, "1969-12-31"},
		{"1969-12-31", 1, "1970-01-01"},
		{"2024-09-16", 15, "2024-10-01"},
		{"2024-01-01", 366, "2025-01-01"},
		{"2024-05-05", 0, "2024-05-05"},
	}
	for _, tt := range tests {
		d := mustDate(t, tt.from)
		got := d.AddDays(tt.n)
		if got.String() != tt.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
		if n := got.DaysSince(d); n != tt.n {
			t.Errorf("%s.DaysSince(%s) = %d, want %d", got, d, n, tt.n)
		}
	}
}

func TestDateAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-29", 12, "2025-03-01"}, // time.AddDate semantics
		{"2024-02-29", 48, "2028-02-29"},
		{"2024-02-29", 24, "2026-03-01"},
		{"2019-08-20", 12, "2020-08-20"},
		{"2019-08-20", 12 * 5, "2024-08-20"},
		{"2024-01-31", 1, "2024-03-02"},
		{"2024-03-31", -1, "2024-03-02"},
		{"2024-11-15", 2, "2025-01-15"},
		{"2025-01-15", -2, "2024-11-15"},
		{"2024-06-30", 0, "2024-06-30"},
	}
	for _, tt := range tests {
		got := mustDate(t, tt.from).AddMonths(tt.n)
		if got.String() != tt.want {
			t.Errorf("%s.AddMonths(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
		// Same as time.AddDate.
		ref := mustDate(t, tt.from).Time().AddDate(0, tt.n, 0)
		if want := rules.DateOf(ref); got != want {
			t.Errorf("%s.AddMonths(%d) = %s, time.AddDate gives %s", tt.from, tt.n, got, want)
		}
	}
}

func TestDateWeekday(t *testing.T) {
	// Known anchors.
	anchors := map[string]time.Weekday{
		"1970-01-01": time.Thursday,
		"1969-12-31": time.Wednesday,
		"2024-03-04": time.Monday,
		"2024-10-01": time.Tuesday,
		"2024-10-12": time.Saturday,
		"2000-01-01": time.Saturday,
		"1949-10-01": time.Saturday,
	}
	for s, want := range anchors {
		if got := mustDate(t, s).Weekday(); got != want {
			t.Errorf("%s.Weekday() = %v, want %v", s, got, want)
		}
	}
	// Against time.Weekday over a long range on both sides of the epoch.
	start := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 80000; i += 7 + i%5 { // irregular step: hit every weekday
		tm := start.AddDate(0, 0, i)
		d := rules.NewDate(tm.Date())
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s.Weekday() = %v, time says %v", d, d.Weekday(), tm.Weekday())
		}
		if d.String() != tm.Format(time.DateOnly) {
			t.Fatalf("NewDate(%v).String() = %s", tm, d)
		}
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2026-11-24T17:00:00Z", "2026-11-25"}, // 01:00 next day in China
		{"2026-11-24T15:59:59Z", "2026-11-24"}, // 23:59:59 in China
		{"2026-11-24T16:00:00Z", "2026-11-25"}, // midnight in China
		{"2024-12-31T16:00:00Z", "2025-01-01"},
		{"2024-03-04T09:00:00+08:00", "2024-03-04"},
		{"2024-03-04T23:30:00-05:00", "2024-03-05"}, // 12:30 next day in China
		{"1969-12-31T15:59:59Z", "1969-12-31"},
	}
	for _, tt := range tests {
		tm, err := time.Parse(time.RFC3339, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := rules.DateOf(tm); got.String() != tt.want {
			t.Errorf("DateOf(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestDateTime(t *testing.T) {
	d := mustDate(t, "2026-11-25")
	got := d.Time()
	want := time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)
	if !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	if rules.DateOf(got) != d {
		t.Errorf("DateOf(Time()) = %s, want %s", rules.DateOf(got), d)
	}
}

func TestDateCompare(t *testing.T) {
	a, b := mustDate(t, "2024-03-04"), mustDate(t, "2024-03-05")
	if !a.Before(b) || a.After(b) || b.Before(a) || !b.After(a) {
		t.Error("Before/After wrong for consecutive days")
	}
	if a.Before(a) || a.After(a) {
		t.Error("a date is before or after itself")
	}
	if got := b.DaysSince(a); got != 1 {
		t.Errorf("DaysSince = %d, want 1", got)
	}
	if got := a.DaysSince(b); got != -1 {
		t.Errorf("DaysSince = %d, want -1", got)
	}
	if got := mustDate(t, "2025-01-01").DaysSince(mustDate(t, "2024-01-01")); got != 366 {
		t.Errorf("days in 2024 = %d, want 366", got)
	}
}

func TestDateTextRoundTrip(t *testing.T) {
	for _, s := range []string{"2024-02-29", "1969-12-31", "1970-01-01", "2026-11-25", "0001-01-01", "9999-12-31"} {
		d := mustDate(t, s)
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != s {
			t.Errorf("MarshalText(%s) = %q", s, b)
		}
		var back rules.Date
		if err := back.UnmarshalText(b); err != nil {
			t.Fatalf("UnmarshalText(%q): %v", b, err)
		}
		if back != d {
			t.Errorf("round trip of %s gave %s", s, back)
		}
	}
	// Empty text is the zero date, even over a set one.
	d := mustDate(t, "2024-01-01")
	if err := d.UnmarshalText(nil); err != nil || !d.IsZero() {
		t.Errorf("UnmarshalText(empty) = %v, %v; want zero, nil", d, err)
	}
	// Bad text is an error and leaves the value unchanged.
	d = mustDate(t, "2024-01-01")
	if err := d.UnmarshalText([]byte("2023-02-29")); err == nil {
		t.Error("UnmarshalText(2023-02-29) succeeded")
	}
	if d.String() != "2024-01-01" {
		t.Errorf("failed UnmarshalText changed the date to %s", d)
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		On  rules.Date `json:"on"`
		Opt rules.Date `json:"opt,omitempty"`
	}
	b, err := json.Marshal(doc{On: mustDate(t, "2024-10-08")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"on":"2024-10-08","opt":""}` {
		t.Errorf("Marshal = %s", b)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"on":"2024-02-29","opt":""}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.On.String() != "2024-02-29" || !back.Opt.IsZero() {
		t.Errorf("Unmarshal = %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"on":"2023-02-29"}`), &back); err == nil {
		t.Error("Unmarshal of 2023-02-29 succeeded")
	}
}

func TestDateKeyOrdering(t *testing.T) {
	dates := []string{"0001-01-01", "1900-01-01", "1949-10-01", "1969-12-31", "1970-01-01", "1970-01-02", "2024-02-28", "2024-02-29", "2024-03-01", "2099-12-31", "9999-12-31"}
	for i := 1; i < len(dates); i++ {
		a, b := mustDate(t, dates[i-1]).Key(), mustDate(t, dates[i]).Key()
		if bytes.Compare(a[:], b[:]) >= 0 {
			t.Errorf("Key(%s) = %x is not below Key(%s) = %x", dates[i-1], a, dates[i], b)
		}
	}
	// Consecutive days differ in key by exactly one.
	k1, k2 := mustDate(t, "2024-12-31").Key(), mustDate(t, "2025-01-01").Key()
	v1 := uint32(k1[0])<<24 | uint32(k1[1])<<16 | uint32(k1[2])<<8 | uint32(k1[3])
	v2 := uint32(k2[0])<<24 | uint32(k2[1])<<16 | uint32(k2[2])<<8 | uint32(k2[3])
	if v2-v1 != 1 {
		t.Errorf("keys of consecutive days differ by %d", v2-v1)
	}
	if mustDate(t, "2024-05-05").Key() != rules.NewDate(2024, 5, 5).Key() {
		t.Error("equal dates have different keys")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2023-02-29", "1969-12-31", "0000-01-01", "9999-12-31", "2024-1-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := rules.ParseDate(s)
		if err != nil {
			return
		}
		// Anything accepted prints back to itself and round-trips.
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if d.IsZero() {
			t.Fatalf("ParseDate(%q) accepted but IsZero", s)
		}
		tm, _ := time.Parse(time.DateOnly, s)
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s.Weekday() = %v, want %v", s, d.Weekday(), tm.Weekday())
		}
	})
}
