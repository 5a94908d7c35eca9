package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestShowViolation: staff see any record; a person their own (decided to
// them, or of a vehicle bound to them, another owner's from the binding
// date on); another's record is NOT_YOUR_RECORD and an unknown number
// RECORD_NOT_FOUND for everyone. The amounts are as of the engine's today.
func TestShowViolation(t *testing.T) {
	e, now := exampleEngine(t)
	ctx := context.Background()
	const (
		camera200 = "3701002026100100001" // 鲁A12345, 2026-10-01, before Li's binding
		later     = "3701002026112500009" // 鲁A12345, 2026-11-25, after it
		liDriving = "3701002026112600010" // the unit's truck, decided to Li
		onsite    = "3701002026111200003" // decided to Zhang, his own car
	)
	if _, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	req, err := e.BindVehicle(ctx, person(li), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ApproveBinding(ctx, person(zhang), api.ApproveRequest{RequestID: req.RequestID}); err != nil {
		t.Fatal(err)
	}
	// Served 2026-11-12, due 2026-11-27; on 2026-12-07: 10 late days × 1.50.
	*now = time.Date(2026, 12, 7, 9, 0, 0, 0, rules.China)
	csv := "record_no,plate,plate_type,occurred_at,code,fine,points,source,decision_no,served_on,driver_id_number\n" +
		later + ",鲁A12345,02,2026-11-25T08:00:00+08:00,1625,200,6,camera,,,\n" +
		liDriving + ",鲁A6U789,01,2026-11-26T08:00:00+08:00,1362,50,3,onsite,3701001234567899,2026-11-26," + li + "\n"
	if res, err := e.Import(ctx, api.Staff, api.ImportRequest{Kind: api.ImportViolations}, strings.NewReader(csv), nil); err != nil || res.Inserted != 2 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	unit := api.Actor{Role: api.RoleUnit, Name: "顺达物流"}
	tests := []struct {
		name     string
		as       api.Actor
		recordNo string
		code     string
	}{
		{"staff, a record of nobody's", api.Staff, "3701002026102000005", ""},
		{"staff, unknown", api.Staff, "3701002026999999999", "RECORD_NOT_FOUND"},
		{"decided to the person", person(zhang), onsite, ""},
		{"decided to the person, vehicle not bound", person(li), liDriving, ""},
		{"the person's own vehicle", person(zhang), camera200, ""},
		{"another owner's vehicle, from the binding date", person(li), later, ""},
		{"another owner's vehicle, before the binding date", person(li), camera200, "NOT_YOUR_RECORD"},
		{"decided to another", person(li), onsite, "NOT_YOUR_RECORD"},
		{"another's vehicle, never bound", person(zhang), "3702002026101500004", "NOT_YOUR_RECORD"},
		{"person, unknown", person(li), "3701002026999999999", "RECORD_NOT_FOUND"},
		{"person, no record number", person(li), "", "RECORD_NO_REQUIRED"},
		{"unregistered person", person("370104197802030030"), onsite, "PERSON_NOT_FOUND"},
		{"service account", unit, onsite, "PERSON_ONLY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := e.ShowViolation(ctx, tc.as, api.ShowViolationRequest{RecordNo: tc.recordNo})
			if tc.code != "" {
				wantCode(t, tc.name, err, tc.code)
				if v != nil {
					t.Errorf("refused, yet answered %+v", v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.RecordNo != tc.recordNo {
				t.Errorf("record %s, want %s", v.RecordNo, tc.recordNo)
			}
		})
	}
	v, err := e.ShowViolation(ctx, person(zhang), api.ShowViolationRequest{RecordNo: onsite})
	if err != nil || v.DueOn.String() != "2026-11-27" || v.LateFee.String() != "15.00" || v.AmountDue.String() != "65.00" {
		t.Fatalf("onsite record on 2026-12-07 = %+v, %v; want due 2026-11-27, late fee 15.00, amount due 65.00", v, err)
	}
}
