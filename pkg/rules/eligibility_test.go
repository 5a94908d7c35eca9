package rules_test

import (
	"errors"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

// okCase is a record that may be handled online: an unhandled camera
// record of 200 yuan and 3 points, a bound vehicle and a normal licence.
func okCase(t *testing.T) rules.HandlingCase {
	t.Helper()
	return rules.HandlingCase{
		Violation: rules.Violation{
			RecordNo: "R1", Plate: "鲁A12345", PlateType: rules.PlateSmall, Code: "1625",
			Fine: rules.Yuan(200), Points: 3, Source: rules.SourceCamera, Status: rules.StatusUnhandled,
		},
		Licence: &rules.Licence{
			IDNumber: "11010519491231002X", FirstIssuedOn: mustDate(t, "2019-08-20"),
			ValidUntil: mustDate(t, "2029-08-20"), Status: rules.LicenceNormal,
		},
		VehicleBound: true,
		CyclePoints:  0,
		On:           mustDate(t, "2025-01-10"),
	}
}

func TestCheckOnlineHandling(t *testing.T) {
	p := rules.DefaultPolicy()
	tests := []struct {
		name   string
		modify func(*rules.HandlingCase)
		want   *rules.Error // nil: allowed
		code   string
	}{
		{"allowed", func(*rules.HandlingCase) {}, nil, ""},

		{"pending elsewhere", func(c *rules.HandlingCase) { c.Violation.Status = rules.StatusPending }, rules.ErrPendingElsewhere, "VIOLATION_PENDING"},
		{"unpaid decision", func(c *rules.HandlingCase) { c.Violation.Status = rules.StatusUnpaid }, rules.ErrNotUnhandled, "VIOLATION_NOT_UNHANDLED"},
		{"already paid", func(c *rules.HandlingCase) { c.Violation.Status = rules.StatusPaid }, rules.ErrNotUnhandled, "VIOLATION_NOT_UNHANDLED"},
		{"empty status", func(c *rules.HandlingCase) { c.Violation.Status = "" }, rules.ErrNotUnhandled, "VIOLATION_NOT_UNHANDLED"},

		{"on-site record", func(c *rules.HandlingCase) { c.Violation.Source = rules.SourceOnsite }, rules.ErrNotCamera, "EMON_NOT_CAMERA"},
		{"general procedure", func(c *rules.HandlingCase) { c.Violation.Source = rules.SourceGeneral }, rules.ErrNotCamera, "EMON_NOT_CAMERA"},

		{"fine exactly 200", func(c *rules.HandlingCase) { c.Violation.Fine = mustMoney(t, "200.00") }, nil, ""},
		{"fine 199.99", func(c *rules.HandlingCase) { c.Violation.Fine = mustMoney(t, "199.99") }, nil, ""},
		{"no fine (warning)", func(c *rules.HandlingCase) { c.Violation.Fine = rules.Yuan(0) }, nil, ""},
		{"fine 200.01", func(c *rules.HandlingCase) { c.Violation.Fine = mustMoney(t, "200.01") }, rules.ErrFineOverLimit, "EMON_FINE_OVER_LIMIT"},
		{"fine 500", func(c *rules.HandlingCase) { c.Violation.Fine = rules.Yuan(500) }, rules.ErrFineOverLimit, "EMON_FINE_OVER_LIMIT"},

		{"vehicle not bound", func(c *rules.HandlingCase) { c.VehicleBound = false }, rules.ErrVehicleNotBound, "EMON_VEHICLE_NOT_BOUND"},
		{"no licence", func(c *rules.HandlingCase) { c.Licence = nil }, rules.ErrNoLicence, "EMON_NO_LICENCE"},

		{"licence expired status", func(c *rules.HandlingCase) { c.Licence.Status = rules.LicenceExpired }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"licence detained", func(c *rules.HandlingCase) { c.Licence.Status = rules.LicenceDetained }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"licence suspended", func(c *rules.HandlingCase) { c.Licence.Status = rules.LicenceSuspended }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"licence revoked", func(c *rules.HandlingCase) { c.Licence.Status = rules.LicenceRevoked }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"licence cancelled", func(c *rules.HandlingCase) { c.Licence.Status = rules.LicenceCancelled }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"licence status unknown", func(c *rules.HandlingCase) { c.Licence.Status = "weird" }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"valid_until yesterday", func(c *rules.HandlingCase) { c.Licence.ValidUntil = mustDate(t, "2025-01-09") }, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
		{"valid_until today", func(c *rules.HandlingCase) { c.Licence.ValidUntil = mustDate(t, "2025-01-10") }, nil, ""},
		{"valid_until unset (permanent)", func(c *rules.HandlingCase) { c.Licence.ValidUntil = rules.Date{} }, nil, ""},

		{"points 8+3 = 11", func(c *rules.HandlingCase) { c.CyclePoints = 8 }, nil, ""},
		{"points 9+3 = 12", func(c *rules.HandlingCase) { c.CyclePoints = 9 }, rules.ErrPointsLimit, "EMON_POINTS_LIMIT"},
		{"points 11+0 = 11", func(c *rules.HandlingCase) { c.CyclePoints, c.Violation.Points = 11, 0 }, nil, ""},
		{"points 12+0 = 12", func(c *rules.HandlingCase) { c.CyclePoints, c.Violation.Points = 12, 0 }, rules.ErrPointsLimit, "EMON_POINTS_LIMIT"},
		{"points 0+12 = 12", func(c *rules.HandlingCase) { c.Violation.Points = 12 }, rules.ErrPointsLimit, "EMON_POINTS_LIMIT"},
		{"points 2+9 = 11", func(c *rules.HandlingCase) { c.CyclePoints, c.Violation.Points = 2, 9 }, nil, ""},
		{"points 5+9 = 14", func(c *rules.HandlingCase) { c.CyclePoints, c.Violation.Points = 5, 9 }, rules.ErrPointsLimit, "EMON_POINTS_LIMIT"},

		// The first denial wins, in the documented order.
		{"pending beats everything", func(c *rules.HandlingCase) {
			c.Violation.Status, c.Violation.Source, c.Violation.Fine, c.Licence = rules.StatusPending, rules.SourceOnsite, rules.Yuan(1000), nil
		}, rules.ErrPendingElsewhere, "VIOLATION_PENDING"},
		{"not camera beats fine", func(c *rules.HandlingCase) {
			c.Violation.Source, c.Violation.Fine = rules.SourceOnsite, rules.Yuan(1000)
		}, rules.ErrNotCamera, "EMON_NOT_CAMERA"},
		{"fine beats binding", func(c *rules.HandlingCase) {
			c.Violation.Fine, c.VehicleBound = rules.Yuan(1000), false
		}, rules.ErrFineOverLimit, "EMON_FINE_OVER_LIMIT"},
		{"binding beats licence", func(c *rules.HandlingCase) { c.VehicleBound, c.Licence = false, nil }, rules.ErrVehicleNotBound, "EMON_VEHICLE_NOT_BOUND"},
		{"licence beats points", func(c *rules.HandlingCase) {
			c.Licence.Status, c.CyclePoints = rules.LicenceDetained, 12
		}, rules.ErrLicenceAbnormal, "EMON_LICENCE_ABNORMAL"},
	}
	all := []*rules.Error{rules.ErrPendingElsewhere, rules.ErrNotUnhandled, rules.ErrNotCamera, rules.ErrFineOverLimit,
		rules.ErrVehicleNotBound, rules.ErrNoLicence, rules.ErrLicenceAbnormal, rules.ErrPointsLimit}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := okCase(t)
			tt.modify(&c)
			err := p.CheckOnlineHandling(c)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed, want %s", tt.code)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v is not %s", err, tt.code)
			}
			var e *rules.Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("error %v has code %q, want %q", err, e.Code, tt.code)
			}
			if got := rules.KindOf(err); got != tt.want.Kind {
				t.Errorf("KindOf = %v, want %v", got, tt.want.Kind)
			}
			for _, other := range all {
				if other.Code != tt.code && errors.Is(err, other) {
					t.Errorf("error %v also matches %s", err, other.Code)
				}
			}
		})
	}
}

func TestCheckOnlineHandlingDetail(t *testing.T) {
	p := rules.DefaultPolicy()
	c := okCase(t)
	c.Violation.Fine = mustMoney(t, "200.01")
	err := p.CheckOnlineHandling(c)
	want := "the fine exceeds the online handling limit; handle it at a service window: 200.01 > 200.00 (EMON_FINE_OVER_LIMIT)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	c = okCase(t)
	c.CyclePoints = 9
	err = p.CheckOnlineHandling(c)
	var e *rules.Error
	if !errors.As(err, &e) || e.EN != "handling would bring the cycle points to the limit; handle it at a service window: 9 + 3 ≥ 12" {
		t.Errorf("points detail = %v", err)
	}
	// The sentinel itself is not modified by Withf.
	if rules.ErrFineOverLimit.EN != "the fine exceeds the online handling limit; handle it at a service window" {
		t.Errorf("sentinel changed: %q", rules.ErrFineOverLimit.EN)
	}
}

func TestCheckOnlineHandlingCustomPolicy(t *testing.T) {
	p := rules.DefaultPolicy()
	p.OnlineMaxFine = rules.Yuan(100)
	p.PointsLimit = 6
	c := okCase(t)
	c.Violation.Fine = rules.Yuan(100)
	c.CyclePoints = 2 // 2 + 3 = 5 < 6
	if err := p.CheckOnlineHandling(c); err != nil {
		t.Fatalf("denied: %v", err)
	}
	c.Violation.Fine = mustMoney(t, "100.01")
	if err := p.CheckOnlineHandling(c); !errors.Is(err, rules.ErrFineOverLimit) {
		t.Errorf("fine 100.01 with limit 100: %v", err)
	}
	c.Violation.Fine = rules.Yuan(100)
	c.CyclePoints = 3 // 3 + 3 = 6
	if err := p.CheckOnlineHandling(c); !errors.Is(err, rules.ErrPointsLimit) {
		t.Errorf("points 3+3 with limit 6: %v", err)
	}
}

func TestLicenceUsable(t *testing.T) {
	on := mustDate(t, "2025-01-10")
	tests := []struct {
		status     rules.LicenceStatus
		validUntil string
		want       bool
	}{
		{rules.LicenceNormal, "", true},
		{rules.LicenceNormal, "2025-01-10", true},
		{rules.LicenceNormal, "2025-01-11", true},
		{rules.LicenceNormal, "2025-01-09", false},
		{rules.LicenceExpired, "2030-01-01", false},
		{rules.LicenceDetained, "", false},
		{rules.LicenceSuspended, "", false},
		{rules.LicenceRevoked, "", false},
		{rules.LicenceCancelled, "", false},
		{"", "", false}, // unparsed empty status is not "normal"
	}
	for _, tt := range tests {
		l := rules.Licence{Status: tt.status}
		if tt.validUntil != "" {
			l.ValidUntil = mustDate(t, tt.validUntil)
		}
		if got := rules.LicenceUsable(l, on); got != tt.want {
			t.Errorf("LicenceUsable(%q, valid until %q) = %v, want %v", tt.status, tt.validUntil, got, tt.want)
		}
	}
}

// checkBindOther is the engine's check of another owner's vehicle: its
// plate type (rules), then the limits (which the store holds).
func checkBindOther(p rules.Policy, t rules.PlateType, personOthers, vehicleDrivers int) error {
	if err := p.CheckOtherPlateType(t); err != nil {
		return err
	}
	return rules.CheckBindLimits(personOthers, vehicleDrivers, p.MaxOtherVehicles, p.MaxOtherDrivers)
}

func TestCheckBindOther(t *testing.T) {
	p := rules.DefaultPolicy()
	tests := []struct {
		name           string
		pt             rules.PlateType
		others, driver int
		want           *rules.Error
	}{
		{"small car, none yet", rules.PlateSmall, 0, 0, nil},
		{"small new-energy car", rules.PlateNESmall, 0, 0, nil},
		{"two others, two drivers", rules.PlateSmall, 2, 2, nil},
		{"third other vehicle is the limit", rules.PlateSmall, 3, 0, rules.ErrTooManyOthers},
		{"beyond the vehicle limit", rules.PlateSmall, 7, 0, rules.ErrTooManyOthers},
		{"vehicle has three drivers", rules.PlateNESmall, 0, 3, rules.ErrTooManyDrivers},
		{"both limits: person first", rules.PlateSmall, 3, 3, rules.ErrTooManyOthers},
		{"large car", rules.PlateLarge, 0, 0, rules.ErrOtherPlateType},
		{"large new-energy car", rules.PlateNELarge, 0, 0, rules.ErrOtherPlateType},
		{"motorcycle", rules.PlateMotorcycle, 0, 0, rules.ErrOtherPlateType},
		{"coach", rules.PlateCoach, 0, 0, rules.ErrOtherPlateType},
		{"unknown type", "99", 0, 0, rules.ErrOtherPlateType},
		{"plate type beats limits", rules.PlateTrailer, 3, 3, rules.ErrOtherPlateType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkBindOther(p, tt.pt, tt.others, tt.driver)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %s", err, tt.want.Code)
			}
			if rules.KindOf(err) != rules.KindDenied {
				t.Errorf("KindOf = %v, want denied", rules.KindOf(err))
			}
		})
	}
	// Limits follow the policy.
	p.MaxOtherVehicles, p.MaxOtherDrivers = 5, 1
	p.OtherVehiclePlateTypes = []rules.PlateType{rules.PlateLarge}
	if err := checkBindOther(p, rules.PlateLarge, 4, 0); err != nil {
		t.Errorf("custom policy, 4 of 5: %v", err)
	}
	if err := checkBindOther(p, rules.PlateSmall, 0, 0); !errors.Is(err, rules.ErrOtherPlateType) {
		t.Errorf("custom policy, small car: %v", err)
	}
	if err := checkBindOther(p, rules.PlateLarge, 0, 1); !errors.Is(err, rules.ErrTooManyDrivers) {
		t.Errorf("custom policy, 1 of 1 drivers: %v", err)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := rules.DefaultPolicy()
	if p.OnlineMaxFine.String() != "200.00" || p.PointsLimit != 12 || p.MaxOtherVehicles != 3 || p.MaxOtherDrivers != 3 {
		t.Errorf("DefaultPolicy() = %+v", p)
	}
	if len(p.OtherVehiclePlateTypes) != 2 || p.OtherVehiclePlateTypes[0] != rules.PlateSmall || p.OtherVehiclePlateTypes[1] != rules.PlateNESmall {
		t.Errorf("OtherVehiclePlateTypes = %v", p.OtherVehiclePlateTypes)
	}
	if p.HandlingTTL.Minutes() != 30 {
		t.Errorf("HandlingTTL = %v", p.HandlingTTL)
	}
}
