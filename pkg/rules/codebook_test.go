package rules_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

func testBook(t *testing.T) rules.CodeBook {
	return rules.NewCodeBook([]rules.ViolationCode{
		{Code: "1625", Description: "闯红灯", Points: 6, FineMin: rules.Yuan(20), FineMax: rules.Yuan(200)},
		{Code: "1039", Description: "违停", Points: 0, FineMin: rules.Yuan(20), FineMax: rules.Yuan(200)},
		{Code: "1711", Description: "醉驾", Points: 12}, // no administrative fine range
		{Code: "9999", Description: "只有上限", Points: 3, FineMax: mustMoney(t, "50.50")},
	})
}

func TestCodeBookCheck(t *testing.T) {
	b := testBook(t)
	tests := []struct {
		name   string
		code   string
		points int
		fine   string
		want   string // error code, "" for none
		field  string
	}{
		{"matching", "1625", 6, "200", "", ""},
		{"lower bound", "1625", 6, "20", "", ""},
		{"upper bound", "1625", 6, "200.00", "", ""},
		{"inside", "1625", 6, "150.50", "", ""},
		{"points mismatch", "1625", 3, "200", "CODE_POINTS_MISMATCH", "points"},
		{"points given for a 0-point code", "1039", 1, "100", "CODE_POINTS_MISMATCH", "points"},
		{"points mismatch beats fine", "1625", 3, "5000", "CODE_POINTS_MISMATCH", "points"},
		{"below the range", "1625", 6, "19.99", "CODE_FINE_RANGE", "fine"},
		{"above the range", "1625", 6, "200.01", "CODE_FINE_RANGE", "fine"},
		{"zero fine below the range", "1039", 0, "0", "CODE_FINE_RANGE", "fine"},
		{"no range: any fine", "1711", 12, "0", "", ""},
		{"no range: huge fine", "1711", 12, "5000", "", ""},
		{"no range: points still checked", "1711", 6, "0", "CODE_POINTS_MISMATCH", "points"},
		{"max only: zero ok", "9999", 3, "0", "", ""},
		{"max only: at max", "9999", 3, "50.50", "", ""},
		{"max only: above", "9999", 3, "50.51", "CODE_FINE_RANGE", "fine"},
		{"unknown code passes", "0000", 9, "99999", "", ""},
		{"empty code passes", "", 5, "1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.Check(tt.code, tt.points, mustMoney(t, tt.fine))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var e *rules.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v, want *rules.Error %s", err, tt.want)
			}
			if e.Code != tt.want || e.Field != tt.field || e.Kind != rules.KindInvalid {
				t.Errorf("Check = code %s field %s kind %v; want %s, %s, invalid", e.Code, e.Field, e.Kind, tt.want, tt.field)
			}
			if !strings.Contains(e.EN, "code "+tt.code) {
				t.Errorf("message %q does not name the code", e.EN)
			}
		})
	}
}

func TestCodeBookMessages(t *testing.T) {
	b := testBook(t)
	err := b.Check("1625", 6, mustMoney(t, "250"))
	want := "fine: the fine is outside the violation code's statutory range: code 1625 allows 20.00 to 200.00, the record has 250.00 (CODE_FINE_RANGE)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	err = b.Check("1625", 3, rules.Yuan(200))
	want = "points: points do not match the violation code: code 1625 carries 6 points, the record has 3 (CODE_POINTS_MISMATCH)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestCodeBookLookup(t *testing.T) {
	b := testBook(t)
	if b.Len() != 4 {
		t.Errorf("Len = %d, want 4", b.Len())
	}
	if got := b.Description("1625"); got != "闯红灯" {
		t.Errorf("Description(1625) = %q", got)
	}
	if got := b.Description("nope"); got != "" {
		t.Errorf("Description(unknown) = %q", got)
	}
	// Later entries with the same code replace earlier ones.
	b = rules.NewCodeBook([]rules.ViolationCode{{Code: "1", Points: 1}, {Code: "1", Points: 3}})
	if b.Len() != 1 || b.Check("1", 3, rules.Yuan(0)) != nil {
		t.Errorf("duplicate code: Len %d, Check %v", b.Len(), b.Check("1", 3, rules.Yuan(0)))
	}
}

func TestCodeBookZeroValue(t *testing.T) {
	var b rules.CodeBook
	if b.Len() != 0 || b.Description("1625") != "" {
		t.Error("zero CodeBook is not empty")
	}
	if err := b.Check("1625", 2, rules.Yuan(1_000_000)); err != nil {
		t.Errorf("zero CodeBook refused: %v", err)
	}
}

// ---- errors.go ----

func TestErrorIsByCode(t *testing.T) {
	base := rules.ErrFineOverLimit
	copies := []error{
		base,
		base.WithField("fine"),
		base.Withf("%s > %s", "250.00", "200.00"),
		base.WithField("fine").Withf("x"),
		base.Withf("a").Withf("b"),
		fmt.Errorf("wrapped: %w", base.Withf("x")),
		fmt.Errorf("twice: %w", fmt.Errorf("once: %w", base.WithField("f"))),
		&rules.Error{Code: "EMON_FINE_OVER_LIMIT"}, // decoded from another transport
		errors.Join(errors.New("other"), base.WithField("x")),
	}
	for i, err := range copies {
		if !errors.Is(err, rules.ErrFineOverLimit) {
			t.Errorf("copy %d (%v) is not ErrFineOverLimit", i, err)
		}
		if errors.Is(err, rules.ErrPointsLimit) {
			t.Errorf("copy %d (%v) matches ErrPointsLimit", i, err)
		}
		if rules.KindOf(err) != rules.KindDenied && i != 7 {
			t.Errorf("copy %d: KindOf = %v, want denied", i, rules.KindOf(err))
		}
	}
	// A target with the same code matches whatever its messages say.
	if !errors.Is(rules.ErrNotFound, &rules.Error{Code: "NOT_FOUND", EN: "different"}) {
		t.Error("match by code failed")
	}
	// Non-*Error targets never match.
	if errors.Is(rules.ErrNotFound, errors.New("NOT_FOUND")) {
		t.Error("matched a plain error")
	}
	if errors.Is(errors.New("not found"), rules.ErrNotFound) {
		t.Error("a plain error matched a sentinel")
	}
}

func TestErrorCopiesDoNotModifySentinel(t *testing.T) {
	before := *rules.ErrVehicleNotFound
	f := rules.ErrVehicleNotFound.WithField("plate")
	w := rules.ErrVehicleNotFound.Withf("鲁A%05d", 1)
	if *rules.ErrVehicleNotFound != before {
		t.Fatalf("sentinel changed: %+v", *rules.ErrVehicleNotFound)
	}
	if f == rules.ErrVehicleNotFound || w == rules.ErrVehicleNotFound {
		t.Fatal("WithField/Withf returned the sentinel itself")
	}
	if f.Field != "plate" || f.EN != before.EN || f.Code != before.Code || f.Kind != before.Kind {
		t.Errorf("WithField = %+v", *f)
	}
	if w.EN != before.EN+": 鲁A00001" || w.ZH != before.ZH+"：鲁A00001" || w.Field != "" {
		t.Errorf("Withf = %+v", *w)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *rules.Error
		want string
	}{
		{rules.ErrNotFound, "not found (NOT_FOUND)"},
		{rules.ErrNotFound.WithField("plate"), "plate: not found (NOT_FOUND)"},
		{rules.ErrNotFound.Withf("鲁A12345"), "not found: 鲁A12345 (NOT_FOUND)"},
		{rules.ErrIDFormat, "id_number: malformed ID number (ID_FORMAT)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	e := rules.ErrNotFound
	if e.Message("zh") != "未找到" || e.Message("en") != "not found" || e.Message("") != "not found" {
		t.Errorf("Message: zh %q, en %q", e.Message("zh"), e.Message("en"))
	}
	if got := (&rules.Error{EN: "only en"}).Message("zh"); got != "only en" {
		t.Errorf("Message(zh) without ZH = %q", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		err  error
		want rules.Kind
	}{
		{nil, rules.KindInternal},
		{errors.New("boom"), rules.KindInternal},
		{rules.ErrNotFound, rules.KindNotFound},
		{rules.ErrStoreLocked.Withf("x"), rules.KindUnavailable},
		{rules.ErrAlreadyPaid, rules.KindConflict},
		{rules.ErrStaffOnly, rules.KindForbidden},
		{rules.ErrNotCamera, rules.KindDenied},
		{rules.ErrPlateFormat.WithField("f"), rules.KindInvalid},
		{fmt.Errorf("ctx: %w", rules.ErrGatewayTimeout), rules.KindUnavailable},
	}
	for _, tt := range tests {
		if got := rules.KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestKindNames(t *testing.T) {
	want := map[rules.Kind]string{
		rules.KindInternal: "internal", rules.KindInvalid: "invalid", rules.KindNotFound: "not_found",
		rules.KindForbidden: "forbidden", rules.KindDenied: "denied", rules.KindConflict: "conflict",
		rules.KindUnavailable: "unavailable",
	}
	for k, name := range want {
		if k.String() != name {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), name)
		}
		if back := rules.ParseKind(name); back != k {
			t.Errorf("ParseKind(%q) = %v, want %v", name, back, k)
		}
	}
	if got := rules.Kind(200).String(); got != "internal" {
		t.Errorf("unknown Kind String() = %q", got)
	}
	for _, s := range []string{"", "Denied", "nope", "not-found"} {
		if got := rules.ParseKind(s); got != rules.KindInternal {
			t.Errorf("ParseKind(%q) = %v, want internal", s, got)
		}
	}
}

func TestSentinelCodesUnique(t *testing.T) {
	all := []*rules.Error{
		rules.ErrNotFound, rules.ErrPersonNotFound, rules.ErrLicenceNotFound, rules.ErrVehicleNotFound,
		rules.ErrRecordNotFound, rules.ErrDecisionNotFound, rules.ErrRequestNotFound, rules.ErrBindingNotFound,
		rules.ErrAlreadyRegistered, rules.ErrIdentityMismatch, rules.ErrAlreadyBound, rules.ErrNotOwner,
		rules.ErrNotYours, rules.ErrStaffOnly, rules.ErrPersonOnly, rules.ErrIdempotencyReuse,
		rules.ErrPaymentDeclined, rules.ErrGatewayTimeout, rules.ErrStoreLocked, rules.ErrStoreUnavailable,
		rules.ErrDuplicateDecision, rules.ErrDuplicateRecord, rules.ErrHandlingExpired, rules.ErrPaymentChanged,
		rules.ErrNotCamera, rules.ErrFineOverLimit, rules.ErrPointsLimit, rules.ErrLicenceAbnormal,
		rules.ErrNoLicence, rules.ErrVehicleNotBound, rules.ErrNotUnhandled, rules.ErrTooManyOthers,
		rules.ErrTooManyDrivers, rules.ErrOtherPlateType, rules.ErrAlreadyPaid, rules.ErrNoDecision,
		rules.ErrPendingElsewhere,
	}
	seen := map[string]bool{}
	for _, e := range all {
		if e.Code == "" || e.EN == "" || e.ZH == "" {
			t.Errorf("incomplete sentinel %+v", *e)
		}
		if seen[e.Code] {
			t.Errorf("code %s used twice", e.Code)
		}
		seen[e.Code] = true
	}
}
