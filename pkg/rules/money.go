package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an amount in yuan with at most two decimals (fen). It marshals
// to JSON as a string with exactly two decimals ("200.00").
type Money struct{ decimal.Decimal }

// Yuan returns v yuan.
func Yuan(v int64) Money { return Money{decimal.NewFromInt(v)} }

// Fen returns v fen (1/100 yuan).
func Fen(v int64) Money { return Money{decimal.New(v, -2)} }

// ParseMoney parses "200", "200.5" or "200.50"; more than two decimals or a
// negative amount is an error.
func ParseMoney(s string) (Money, error) {
	// Plain decimal notation only: decimal.NewFromString also takes
	// exponents ("1e1000"), whose size would overflow FenValue.
	if strings.TrimLeft(strings.TrimPrefix(s, "-"), "0123456789.") != "" {
		return Money{}, fmt.Errorf("not a number: %q", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Money{}, fmt.Errorf("not a number: %q", s)
	}
	if d.IsNegative() {
		return Money{}, fmt.Errorf("negative amount: %s", s)
	}
	if !d.Equal(d.Truncate(2)) {
		return Money{}, fmt.Errorf("more than two decimals: %s", s)
	}
	if d.Cmp(maxMoney) >= 0 {
		return Money{}, fmt.Errorf("amount too large: %s", s)
	}
	return Money{d}, nil
}

// maxMoney bounds amounts so that fen (and 3 % of them per day, times a
// few thousand days) stay far inside int64.
var maxMoney = decimal.New(1, 12)

// FenValue returns the amount in fen.
func (m Money) FenValue() int64 { return m.Shift(2).IntPart() }

// String formats with exactly two decimals.
func (m Money) String() string { return string(m.appendFixed(nil)) }

// appendFixed appends the amount with two decimals; whole fen (every
// amount ParseMoney accepts) take a fast integer path.
func (m Money) appendFixed(b []byte) []byte {
	if fen, ok := m.smallFen(); ok {
		if fen < 0 {
			b = append(b, '-')
			fen = -fen
		}
		b = strconv.AppendInt(b, fen/100, 10)
		return append(b, '.', byte('0'+fen%100/10), byte('0'+fen%10))
	}
	return append(b, m.StringFixed(2)...)
}

// smallFen returns the amount in fen when it is whole fen below 10^15
// (every amount the platform handles), without allocating.
func (m Money) smallFen() (int64, bool) {
	exp := m.Exponent()
	if exp < -2 || exp > 0 || m.NumDigits() > 15 {
		return 0, false
	}
	fen := m.CoefficientInt64()
	for ; exp > -2; exp-- {
		fen *= 10
	}
	return fen, true
}

// MarshalJSON writes "200.00".
func (m Money) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 16), '"')
	return append(m.appendFixed(b), '"'), nil
}

// UnmarshalJSON accepts "200.00" or 200; null leaves m unchanged (the
// encoding/json convention).
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	p, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = p
	return nil
}

// Add returns m + o.
func (m Money) Add(o Money) Money { return Money{m.Decimal.Add(o.Decimal)} }

// Sub returns m - o.
func (m Money) Sub(o Money) Money { return Money{m.Decimal.Sub(o.Decimal)} }

// Cmp compares m with o.
func (m Money) Cmp(o Money) int { return m.Decimal.Cmp(o.Decimal) }

// Equal reports whether m and o are the same amount.
func (m Money) Equal(o Money) bool { return m.Decimal.Equal(o.Decimal) }

// Format prints the amount with two decimals for every verb (decimal's own
// Formatter would print "200" for %s).
func (m Money) Format(f fmt.State, verb rune) { f.Write(m.appendFixed(nil)) }

// AppendText appends the amount with two decimals (for hand-written JSON).
func (m Money) AppendText(b []byte) []byte { return m.appendFixed(b) }
