package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestImportRejectsAndSuspension checks row validation (each reject names
// its line, field and code), and that a suspension range stops the late fee.
func TestImportRejectsAndSuspension(t *testing.T) {
	now := time.Date(2026, 12, 31, 10, 0, 0, 0, rules.China)
	c, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), embedded.CreateIfMissing(), embedded.WithClock(func() time.Time { return now }), embedded.UnsafeNoSync())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	csv := `record_no,plate,plate_type,occurred_at,location,code,fine,points,source,decision_no,served_on,suspended_from,suspended_to
R1,鲁A12345,02,2026-11-01T08:00:00+08:00,x,1625,200,6,onsite,3701000000000001,2026-11-01,2026-11-20,2026-11-29
R2,鲁A12345,02,2026-11-01T08:00:00+08:00,x,1625,200,5,camera,,,,
R3,鲁AI2345,02,2026-11-01T08:00:00+08:00,x,1625,200,6,camera,,,,
R4,鲁A12345,02,not-a-time,x,1625,200,6,camera,,,,
R5,鲁A12345,02,2026-11-01T08:00:00+08:00,x,1625,999,6,camera,,,,
R6,鲁A12345,02,2026-11-01T08:00:00+08:00,x,1625,200,6,camera,3701000000000001,2026-11-01,,
R7,鲁A12345,02,2026-11-01T08:00:00+08:00,x,1625,200,6,camera,,,2026-11-20,2026-11-10
`
	var rejects []api.Reject
	res, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations}, strings.NewReader(csv), func(r api.Reject) { rejects = append(rejects, r) })
	if err != nil {
		t.Fatal(err)
	}
	want := []api.Reject{
		{Line: 3, Field: "points", Code: "POINTS_VALUE"},
		{Line: 4, Field: "plate", Code: "PLATE_FORMAT"},
		{Line: 5, Field: "occurred_at", Code: "TIME_FORMAT"},
		{Line: 6, Field: "fine", Code: "CODE_FINE_RANGE"},
		{Line: 8, Field: "suspended_to", Code: "SUSPENSION_RANGE"},
		{Line: 7, Field: "decision_no", Code: "DECISION_NO_DUPLICATE"},
	}
	if res.Inserted != 1 || res.Rejected != len(want) || len(rejects) != len(want) {
		t.Fatalf("result %+v, rejects %+v", res, rejects)
	}
	for i, w := range want {
		if g := rejects[i]; g.Line != w.Line || g.Field != w.Field || g.Code != w.Code {
			t.Errorf("reject %d = %+v, want line %d field %s code %s", i, g, w.Line, w.Field, w.Code)
		}
	}
	// Served 11-01, due 11-16; to 12-31 is 45 late days, 10 of them suspended
	// (11-20..11-29): 35 days × 6.00 = 210 > 200, so the cap applies. Check
	// instead on 12-10: 24 - 10 = 14 days × 6.00 = 84.00.
	now = time.Date(2026, 12, 10, 10, 0, 0, 0, rules.China)
	page, err := c.Violations.List(context.Background(), api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list = %+v, %v", page, err)
	}
	if v := page.Items[0]; v.LateFee.String() != "84.00" || v.AmountDue.String() != "284.00" {
		t.Fatalf("late fee %s, amount due %s; want 84.00 and 284.00", v.LateFee, v.AmountDue)
	}
}
