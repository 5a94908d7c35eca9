package rules_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/shopspring/decimal"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result
		fen     int64
		wantErr string // substring of the error
	}{
		{in: "200", want: "200.00", fen: 20000},
		{in: "200.5", want: "200.50", fen: 20050},
		{in: "200.50", want: "200.50", fen: 20050},
		{in: "0", want: "0.00", fen: 0},
		{in: "0.01", want: "0.01", fen: 1},
		{in: "33.33", want: "33.33", fen: 3333},
		{in: "1.000", want: "1.00", fen: 100}, // trailing zeros are not extra precision
		{in: "-0", want: "0.00", fen: 0},
		{in: "00012.3", want: "12.30", fen: 1230},
		{in: "-1", wantErr: "negative"},
		{in: "-0.01", wantErr: "negative"},
		{in: "-200.00", wantErr: "negative"},
		{in: "1.001", wantErr: "two decimals"},
		{in: "200.505", wantErr: "two decimals"},
		{in: "0.0010", wantErr: "two decimals"},
		{in: "", wantErr: "not a number"},
		{in: "abc", wantErr: "not a number"},
		{in: "12a", wantErr: "not a number"},
		{in: "1,000", wantErr: "not a number"},
		{in: " 200", wantErr: "not a number"},
		{in: "200 ", wantErr: "not a number"},
		{in: "¥200", wantErr: "not a number"},
		{in: "NaN", wantErr: "not a number"},
		{in: "Inf", wantErr: "not a number"},
		{in: "0x10", wantErr: "not a number"},
		{in: "1.2.3", wantErr: "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := rules.ParseMoney(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseMoney(%q) = %s, want an error", tt.in, m)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseMoney(%q) error %q does not mention %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMoney(%q): %v", tt.in, err)
			}
			if m.String() != tt.want {
				t.Errorf("ParseMoney(%q) = %s, want %s", tt.in, m, tt.want)
			}
			if m.FenValue() != tt.fen {
				t.Errorf("ParseMoney(%q).FenValue() = %d, want %d", tt.in, m.FenValue(), tt.fen)
			}
		})
	}
}

func TestMoneyConstructors(t *testing.T) {
	if got := rules.Yuan(200); got.String() != "200.00" || got.FenValue() != 20000 {
		t.Errorf("Yuan(200) = %s (%d fen)", got, got.FenValue())
	}
	if got := rules.Fen(20050); got.String() != "200.50" || !got.Equal(mustMoney(t, "200.5")) {
		t.Errorf("Fen(20050) = %s", got)
	}
	if got := rules.Fen(1); got.String() != "0.01" {
		t.Errorf("Fen(1) = %s", got)
	}
	var zero rules.Money
	if zero.String() != "0.00" || zero.FenValue() != 0 || !zero.Equal(rules.Yuan(0)) {
		t.Errorf("zero Money = %s", zero)
	}
}

func TestMoneyArithmetic(t *testing.T) {
	a, b := mustMoney(t, "200.50"), mustMoney(t, "0.55")
	if got := a.Add(b); got.String() != "201.05" {
		t.Errorf("Add = %s", got)
	}
	// Add does not modify its operands.
	if a.String() != "200.50" || b.String() != "0.55" {
		t.Errorf("operands changed: %s, %s", a, b)
	}
	tests := []struct {
		a, b string
		cmp  int
	}{
		{"200", "200.00", 0},
		{"200.00", "200.01", -1},
		{"200.01", "200", 1},
		{"0", "0.00", 0},
	}
	for _, tt := range tests {
		x, y := mustMoney(t, tt.a), mustMoney(t, tt.b)
		if got := x.Cmp(y); got != tt.cmp {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.cmp)
		}
		if got := x.Equal(y); got != (tt.cmp == 0) {
			t.Errorf("Equal(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
	// Equal amounts with different scales are Equal although their
	// representations differ.
	if !rules.Yuan(2).Equal(rules.Fen(200)) {
		t.Error("Yuan(2) != Fen(200)")
	}
}

func TestMoneyMarshalJSON(t *testing.T) {
	tests := []struct {
		m    rules.Money
		want string
	}{
		{rules.Yuan(200), `"200.00"`},
		{rules.Fen(20050), `"200.50"`},
		{mustMoney(t, "200.5"), `"200.50"`},
		{rules.Fen(1), `"0.01"`},
		{rules.Money{}, `"0.00"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(%s) = %s, want %s", tt.m, b, tt.want)
		}
	}
	// Inside a struct, also through a pointer.
	type doc struct {
		Fine rules.Money  `json:"fine"`
		Late *rules.Money `json:"late"`
	}
	late := rules.Fen(600)
	b, err := json.Marshal(doc{Fine: rules.Yuan(200), Late: &late})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"fine":"200.00","late":"6.00"}` {
		t.Errorf("Marshal(doc) = %s", b)
	}
}

func TestMoneyUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: `"200.5"`, want: "200.50"},
		{in: `"200.50"`, want: "200.50"},
		{in: `"200"`, want: "200.00"},
		{in: `200`, want: "200.00"},
		{in: `200.5`, want: "200.50"},
		{in: `0.01`, want: "0.01"},
		{in: `"-1"`, wantErr: true},
		{in: `-1`, wantErr: true},
		{in: `"1.001"`, wantErr: true},
		{in: `1.001`, wantErr: true},
		{in: `"abc"`, wantErr: true},
		{in: `""`, wantErr: true},
		{in: `true`, wantErr: true},
		{in: `[1]`, wantErr: true},
		{in: `{"a":1}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var m rules.Money
			err := json.Unmarshal([]byte(tt.in), &m)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %s, want an error", tt.in, m)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if m.String() != tt.want {
				t.Errorf("Unmarshal(%s) = %s, want %s", tt.in, m, tt.want)
			}
		})
	}
	// null leaves the value alone, like encoding/json does for other types.
	m := rules.Yuan(7)
	if err := json.Unmarshal([]byte(`null`), &m); err != nil || m.String() != "7.00" {
		t.Errorf("Unmarshal(null) = %s, %v; want 7.00 unchanged", m, err)
	}
	var doc struct {
		Fine rules.Money `json:"fine"`
	}
	if err := json.Unmarshal([]byte(`{"fine":null}`), &doc); err != nil || !doc.Fine.IsZero() {
		t.Errorf(`Unmarshal({"fine":null}) = %s, %v`, doc.Fine, err)
	}
	// Round trip.
	for _, s := range []string{"0.00", "0.01", "200.00", "200.50", "12345.67"} {
		in := mustMoney(t, s)
		b, _ := json.Marshal(in)
		var out rules.Money
		if err := json.Unmarshal(b, &out); err != nil || !out.Equal(in) {
			t.Errorf("round trip of %s: %s, %v", s, out, err)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	m := rules.Yuan(200)
	tests := []struct {
		format string
		arg    any
		want   string
	}{
		{"%s", m, "200.00"},
		{"%v", m, "200.00"},
		{"%+v", m, "200.00"},
		{"%v", rules.Fen(20050), "200.50"},
		{"%s", mustMoney(t, "0.5"), "0.50"},
		{"%v", &m, "200.00"},
		{"%v", []rules.Money{rules.Yuan(1), rules.Fen(5)}, "[1.00 0.05]"},
		{"%v", struct{ Fine rules.Money }{rules.Yuan(3)}, "{3.00}"},
		{"fine %s yuan", rules.Fen(6000), "fine 60.00 yuan"},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.format, tt.arg); got != tt.want {
			t.Errorf("Sprintf(%q, %v) = %q, want %q", tt.format, tt.arg, got, tt.want)
		}
	}
	if got := fmt.Sprint(m); got != "200.00" {
		t.Errorf("Sprint = %q", got)
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"200", "200.5", "200.50", "-1", "1.001", "abc", "1e2", "0.01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := rules.ParseMoney(s)
		if err != nil {
			return
		}
		if m.Sign() < 0 {
			t.Fatalf("ParseMoney(%q) = %s is negative", s, m)
		}
		str := m.String()
		if i := strings.IndexByte(str, '.'); i < 0 || len(str)-i != 3 {
			t.Fatalf("ParseMoney(%q).String() = %q, want two decimals", s, str)
		}
		back, err := rules.ParseMoney(str)
		if err != nil || !back.Equal(m) {
			t.Fatalf("String() %q does not parse back: %v", str, err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var j rules.Money
		if err := json.Unmarshal(b, &j); err != nil || !j.Equal(m) {
			t.Fatalf("JSON round trip of %s: %s, %v", m, j, err)
		}
	})
}

func TestParseMoneyPlainNotationOnly(t *testing.T) {
	// Exponents and signs are not money; huge amounts would overflow fen.
	for _, s := range []string{"1e2", "2E2", "1e1000", "1E-2", "+5", "999999999999.99" + "9", "1000000000000", "99999999999999999999999.99"} {
		if m, err := rules.ParseMoney(s); err == nil {
			t.Errorf("ParseMoney(%q) = %s, want an error", s, m)
		}
	}
	m, err := rules.ParseMoney("999999999999.99")
	if err != nil || m.FenValue() != 99999999999999 {
		t.Errorf("ParseMoney(largest) = %s (%d fen), %v", m, m.FenValue(), err)
	}
}

// String's integer fast path must print what decimal's own formatting
// prints, on both sides of its limits (exponent and digit count).
func TestMoneyStringMatchesDecimal(t *testing.T) {
	for _, d := range []decimal.Decimal{
		decimal.New(0, 0), decimal.New(0, -2), decimal.New(5, -1), decimal.New(-5, -1), decimal.New(20050, -2),
		decimal.New(7, 0), decimal.New(7, 1), decimal.New(7, -3), decimal.New(123456789, -3),
		decimal.New(999999999999999, -2), decimal.New(1000000000000000, -2), decimal.New(-999999999999999, 0),
		decimal.New(1, 15), decimal.New(-1, 15), decimal.RequireFromString("12345678901234567890.12"),
	} {
		if got, want := (rules.Money{Decimal: d}).String(), d.StringFixed(2); got != want {
			t.Errorf("Money(%s).String() = %q, want %q", d, got, want)
		}
	}
}
