package rules

import (
	"strconv"
	"time"
)

// China is the platform's time zone (UTC+8, no daylight saving). It is a
// fixed zone so that no tzdata is needed.
var China = time.FixedZone("CST", 8*3600)

// Date is a civil date (no time of day), counted as days since 1970-01-01.
// The zero value is "no date"; use IsZero to test it.
type Date struct{ d int32 } // d = days since 1970-01-01 + dateBias, so 0 means unset

// dateBias offsets the day count so that the unset value 0 lies far outside
// any real date (about the year -900): with a bias of 1, 1969-12-31 was
// indistinguishable from "no date".
const dateBias = 1 << 20

// NewDate returns the civil date y-m-d (normalised like time.Date).
func NewDate(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{int32(t.Unix()/86400 + dateBias)}
}

// unixDays returns the days since 1970-01-01.
func (d Date) unixDays() int64 { return int64(d.d) - dateBias }

// DateOf returns the date of t in China time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(China).Date()
	return NewDate(y, m, d)
}

// ParseDate parses YYYY-MM-DD and rejects impossible dates such as 2023-02-29.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return NewDate(t.Date()), nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.d == 0 }

// Time returns midnight of the date in China time.
func (d Date) Time() time.Time {
	y, m, dd := d.YMD()
	return time.Date(y, m, dd, 0, 0, 0, 0, China)
}

// YMD returns year, month and day.
func (d Date) YMD() (int, time.Month, int) {
	return time.Unix(d.unixDays()*86400, 0).UTC().Date()
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return time.Weekday((d.unixDays()%7 + 7 + 4) % 7) }

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return Date{d.d + int32(n)} }

// AddMonths returns d plus n calendar months (time.AddDate semantics:
// 29 February plus 12 months is 1 March).
func (d Date) AddMonths(n int) Date {
	y, m, dd := d.YMD()
	return NewDate(y, m+time.Month(n), dd)
}

// DaysSince returns d - e in days.
func (d Date) DaysSince(e Date) int { return int(d.d - e.d) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.d < e.d }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.d > e.d }

// Key returns a 4-byte big-endian sortable encoding (for store keys). The
// sign bit is flipped so that byte order matches date order for every value.
func (d Date) Key() [4]byte {
	v := uint32(d.d) ^ 1<<31
	return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// String formats the date as YYYY-MM-DD ("" when unset).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	y, m, dd := d.YMD()
	b := make([]byte, 0, 10)
	b = appendInt(b, y, 4)
	b = append(b, '-')
	b = appendInt(b, int(m), 2)
	b = append(b, '-')
	return string(appendInt(b, dd, 2))
}

func appendInt(b []byte, v, width int) []byte {
	n := 1 // digits of v
	for x := v; x >= 10; x /= 10 {
		n++
	}
	for ; v >= 0 && n < width; n++ {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(v), 10)
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; an empty string is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// AppendText appends YYYY-MM-DD (nothing for the zero date).
func (d Date) AppendText(b []byte) []byte {
	if d.IsZero() {
		return b
	}
	y, m, dd := d.YMD()
	b = appendInt(b, y, 4)
	b = append(b, '-')
	b = appendInt(b, int(m), 2)
	b = append(b, '-')
	return appendInt(b, dd, 2)
}
