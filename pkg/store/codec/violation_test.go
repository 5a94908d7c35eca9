package codec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

func TestViolationCodec(t *testing.T) {
	t0 := time.Date(2024, 3, 4, 9, 30, 0, 0, rules.China)
	viol := func(rn, plate string, st rules.Status) rules.Violation {
		return rules.Violation{RecordNo: rn, Plate: plate, PlateType: rules.PlateSmall, OccurredAt: t0, Location: "济南市经十路",
			Code: "1625", Description: "闯红灯", Fine: rules.Yuan(200), Points: 6, Source: rules.SourceCamera, Status: st}
	}
	full := viol("R1", "鲁A12345", rules.StatusPaid)
	full.DecisionNo, full.ServedOn, full.DriverIDNumber, full.PaymentID = "D1", rules.NewDate(2024, 3, 5), "P", "P0000000001"
	full.PaidAt = t0.Add(time.Hour)
	full.Suspensions = []rules.Suspension{{From: rules.NewDate(2024, 3, 25), To: rules.NewDate(2024, 3, 30)}}
	for _, v := range []rules.Violation{{}, viol("R", "", ""), full} {
		raw, err := EncodeViolation(&v)
		if err != nil {
			t.Fatal(err)
		}
		var got rules.Violation
		if err := DecodeViolation(raw, &got); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if a, b := jsonOf(got), jsonOf(v); a != b {
			t.Errorf("round trip:\n got %s\nwant %s", a, b)
		}
		// Every truncation and a trailing byte are errors, not panics.
		for i := range raw {
			if err := DecodeViolation(raw[:i], &got); err == nil {
				t.Errorf("truncated to %d of %d bytes: no error", i, len(raw))
			}
		}
		if err := DecodeViolation(append(bytes.Clone(raw), 0), &got); err == nil {
			t.Error("trailing byte: no error")
		}
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestKeyPartZeroByteRefused(t *testing.T) {
	if _, err := EncodeViolation(&rules.Violation{RecordNo: "R1", Plate: "鲁A\x0012"}); err == nil || !strings.Contains(err.Error(), "0 byte") {
		t.Fatalf("err = %v; want a 0-byte refusal", err)
	}
}
