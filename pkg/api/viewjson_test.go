package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// reflected is ViolationView without its MarshalJSON: what encoding/json
// makes of the struct tags, which the hand-written encoder must equal.
type reflected struct {
	rules.Violation
	DueOn     rules.Date  `json:"due_on,omitzero"`
	LateFee   rules.Money `json:"late_fee"`
	AmountDue rules.Money `json:"amount_due"`
}

func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return buf.Bytes()
}

func TestViolationViewJSONMatchesReflection(t *testing.T) {
	at := time.Date(2026, 11, 1, 8, 15, 30, 123456789, rules.China)
	full := ViolationView{Violation: rules.Violation{RecordNo: "V1", Plate: "鲁A12345", PlateType: "02", OccurredAt: at,
		Location: "经十路 \"100\" 号\\<&>\n\t\x01\u2028", Code: "1625", Description: "闯红灯\xff", Fine: rules.Fen(20050), Points: 6,
		Source: rules.SourceOnsite, Status: rules.StatusPaid, DecisionNo: "3701000000000001", ServedOn: rules.NewDate(2026, 11, 2),
		DriverIDNumber: "370102199003071238", Suspensions: []rules.Suspension{{From: rules.NewDate(2026, 11, 3)}, {From: rules.NewDate(2026, 11, 5), To: rules.NewDate(2026, 11, 6)}},
		PendingUntil: at.Add(time.Hour), PaidAt: at.Add(2 * time.Hour), PaymentID: "P1"},
		DueOn: rules.NewDate(2026, 11, 17), LateFee: rules.Yuan(12), AmountDue: rules.Fen(21250)}
	for name, v := range map[string]ViolationView{
		"full":    full,
		"minimal": {Violation: rules.Violation{RecordNo: "V2", Fine: rules.Yuan(0)}, LateFee: rules.Fen(0), AmountDue: rules.Fen(0)},
	} {
		got, want := encode(v), encode(reflected(v))
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "鲁A", "a\"b\\c", "\x00\x1f\x7f", "\xff\xfe", "\u2028\u2029", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		want := encode(s)
		if !bytes.Equal(got, want[:len(want)-1]) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestViolationPageJSONMatchesReflection(t *testing.T) {
	type reflectedPage struct {
		Items []reflected `json:"items"`
		Next  string      `json:"next,omitempty"`
	}
	v := ViolationView{Violation: rules.Violation{RecordNo: "V2", Fine: rules.Yuan(0)}, LateFee: rules.Fen(0), AmountDue: rules.Fen(0)}
	for _, p := range []ViolationPage{{Items: []ViolationView{}}, {Items: []ViolationView{v, v}, Next: "V2"}} {
		want := reflectedPage{Items: []reflected{}, Next: p.Next}
		for _, it := range p.Items {
			want.Items = append(want.Items, reflected(it))
		}
		if got, w := encode(p), encode(want); !bytes.Equal(got, w) {
			t.Errorf("got %s\nwant %s", got, w)
		}
	}
}
