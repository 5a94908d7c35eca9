package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"io"
)

const (
	zhang = "370102199003071238" // owns 鲁A12345
	li    = "370203198507152012" // owns 鲁B8G666
)

// exampleEngine opens a store with the example data and 张三 and 李四
// registered.
func exampleEngine(t *testing.T) (*engine.Engine, *time.Time) {
	t.Helper()
	return paymentEngine(t, nil, nil)
}

func person(id string) api.Actor { return api.Actor{Role: api.RolePerson, IDNumber: id} }

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var re *rules.Error
	if !errors.As(err, &re) || re.Code != code {
		t.Fatalf("%s: got %v, want code %s", what, err, code)
	}
}

// TestPayKeyBelongsToCaller: a key used to pay one decision and reused for
// another is refused, not charged; the same request replays its receipt.
func TestPayKeyBelongsToCaller(t *testing.T) {
	e, _ := exampleEngine(t)
	ctx := context.Background()
	first, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k1"}, DecisionNo: "3701001234567890"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Pay(ctx, person(zhang), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k1"}, DecisionNo: "3701001234567890"})
	if err != nil || !again.Replayed || again.ID != first.ID {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	// Another caller's key of the same name is theirs: an ordinary refusal.
	_, err = e.Pay(ctx, person(li), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k1"}, DecisionNo: "3701001234567890"})
	wantCode(t, "another caller, same key", err, "DECISION_ALREADY_PAID")
	// The same key for another target is a different request.
	if _, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.BindLicence(ctx, person(zhang), api.BindLicenceRequest{}); err != nil {
		t.Fatal(err)
	}
	h, err := e.HandleViolation(ctx, person(zhang), api.HandleRequest{RecordNo: "3701002026110500002"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Pay(ctx, person(zhang), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k1"}, DecisionNo: h.DecisionNo})
	wantCode(t, "key reused for another decision", err, "IDEMPOTENCY_KEY_REUSED")
	_, err = e.Pay(ctx, person(zhang), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k1"}, RecordNo: "3701002026110500002"})
	wantCode(t, "key reused for a record", err, "IDEMPOTENCY_KEY_REUSED")
	page, err := e.ListViolations(ctx, api.Staff, api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range page.Items {
		if v.DecisionNo == h.DecisionNo && v.Status != rules.StatusPending {
			t.Errorf("the reused key paid %s: %s", h.DecisionNo, v.Status)
		}
	}
}

// TestRegistrationKeyCoversPersonAndPassword: a registration key reused
// for another person, or with another password, is refused.
func TestRegistrationKeyCoversPersonAndPassword(t *testing.T) {
	e, _ := exampleEngine(t)
	ctx := context.Background()
	const wang, zhao = "370602199211204522", "370104197802030030"
	anon := api.Actor{}
	reg := api.RegisterPersonRequest{Mutation: api.Mutation{IdempotencyKey: "r1"}, IDNumber: wang, Name: "王芳", Phone: "13700137000", FileNo: "370600345678", Password: "wangfang2026"}
	if _, err := e.RegisterPerson(ctx, anon, reg); err != nil {
		t.Fatal(err)
	}
	if p, err := e.RegisterPerson(ctx, anon, reg); err != nil || p.IDNumber != wang {
		t.Fatalf("replay = %+v, %v", p, err)
	}
	other := reg
	other.Password = "another2026"
	_, err := e.RegisterPerson(ctx, anon, other)
	wantCode(t, "same key, another password", err, "IDEMPOTENCY_KEY_REUSED")
	other.Password = ""
	_, err = e.RegisterPerson(ctx, anon, other)
	wantCode(t, "same key, no password", err, "IDEMPOTENCY_KEY_REUSED")
	// As the server calls it: acting as the person named in the body.
	zhaoReg := api.RegisterPersonRequest{Mutation: api.Mutation{IdempotencyKey: "r1"}, IDNumber: zhao, Name: "赵强", Phone: "13600136000", FileNo: "370100456789"}
	_, err = e.RegisterPerson(ctx, person(zhao), zhaoReg)
	wantCode(t, "same key, another person", err, "IDEMPOTENCY_KEY_REUSED")
	if _, err := e.Login(ctx, api.LoginRequest{IDNumber: wang, Password: "wangfang2026"}); err != nil {
		t.Fatalf("the first password no longer works: %v", err)
	}
	_, err = e.Whoami(ctx, person(zhao))
	wantCode(t, "the reused key registered 赵强", err, "PERSON_NOT_FOUND")
}

// TestRemoveAndApproveHonourKeys: removing a binding twice with one key
// answers as the first time; the key on another binding is refused.
func TestRemoveAndApproveHonourKeys(t *testing.T) {
	e, _ := exampleEngine(t)
	ctx := context.Background()
	own, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁AD12345", PlateType: "52"})
	if err != nil {
		t.Fatal(err)
	}
	rm := api.RemoveBindingRequest{Mutation: api.Mutation{IdempotencyKey: "d1"}, BindingID: own.ID}
	for i := range 2 {
		if err := e.RemoveBinding(ctx, person(zhang), rm); err != nil {
			t.Fatalf("remove #%d: %v", i+1, err)
		}
	}
	err = e.RemoveBinding(ctx, person(zhang), api.RemoveBindingRequest{Mutation: api.Mutation{IdempotencyKey: "d1"}, BindingID: other.ID})
	wantCode(t, "key reused on another binding", err, "IDEMPOTENCY_KEY_REUSED")
	if bs, err := e.ListBindings(ctx, person(zhang), api.ListBindingsRequest{}); err != nil || len(bs) != 1 || bs[0].ID != other.ID {
		t.Fatalf("bindings after = %+v, %v", bs, err)
	}

	req, err := e.BindVehicle(ctx, person(li), api.BindVehicleRequest{Plate: "鲁AD12345", PlateType: "52"})
	if err != nil {
		t.Fatal(err)
	}
	ap := api.ApproveRequest{Mutation: api.Mutation{IdempotencyKey: "a1"}, RequestID: req.RequestID}
	if _, err := e.ApproveBinding(ctx, person(zhang), ap); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ApproveBinding(ctx, person(zhang), ap); err != nil {
		t.Fatalf("approve replay: %v", err)
	}
	_, err = e.ApproveBinding(ctx, person(zhang), api.ApproveRequest{Mutation: ap.Mutation, RequestID: own.ID})
	wantCode(t, "approve key reused", err, "IDEMPOTENCY_KEY_REUSED")
}

func TestTokenLifetimes(t *testing.T) {
	e, now := exampleEngine(t)
	ctx := context.Background()
	for _, c := range []struct {
		role api.Role
		ttl  string
		code string
		want time.Duration
	}{
		{api.RoleStaff, "", "", 90 * 24 * time.Hour},
		{api.RoleAdmin, "", "", 30 * 24 * time.Hour},
		{api.RoleBank, "8760h", "", 8760 * time.Hour},
		{api.RoleStaff, "720h", "", 720 * time.Hour},
		{api.RoleStaff, "2161h", "TTL_TOO_LONG", 0},
		{api.RoleBank, "100000h", "TTL_TOO_LONG", 0},
		{api.RoleStaff, "3000000h", "TTL_TOO_LONG", 0},
		{api.RoleStaff, "-1h", "TTL_FORMAT", 0},
		{api.RoleStaff, "soon", "TTL_FORMAT", 0},
	} {
		tok, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: c.role, Name: "n", TTL: c.ttl})
		if c.code != "" {
			wantCode(t, string(c.role)+" "+c.ttl, err, c.code)
			if !strings.Contains(err.Error(), "at most") {
				t.Errorf("%s %s: the message does not give the maximum: %v", c.role, c.ttl, err)
			}
			continue
		}
		if err != nil || tok.ExpiresAt.Sub(*now) != c.want {
			t.Errorf("%s %q: expires %v, %v; want +%v", c.role, c.ttl, tok, err, c.want)
		}
	}
}

func TestIdentityChecks(t *testing.T) {
	e, _ := exampleEngine(t)
	ctx := context.Background()
	_, err := e.ListBindings(ctx, person(zhang), api.ListBindingsRequest{IDNumber: li})
	wantCode(t, "another person's bindings", err, "NOT_YOUR_BINDINGS")
	if _, err := e.ListBindings(ctx, person(zhang), api.ListBindingsRequest{IDNumber: zhang}); err != nil {
		t.Fatalf("own bindings by ID number: %v", err)
	}
	_, err = e.ListViolations(ctx, person(li), api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"})
	wantCode(t, "another person's vehicle's records", err, "NOT_YOUR_VEHICLE")
	if rules.KindOf(err).ExitCode() != 4 {
		t.Errorf("NOT_YOUR_VEHICLE exits %d, want 4", rules.KindOf(err).ExitCode())
	}
	_, err = e.Whoami(ctx, person("11010519491231002X"))
	wantCode(t, "whoami as an unregistered person", err, "PERSON_NOT_FOUND")
	if a, err := e.Whoami(ctx, person(zhang)); err != nil || a.IDNumber != zhang {
		t.Fatalf("whoami = %+v, %v", a, err)
	}
}

func TestPageLimits(t *testing.T) {
	e, _ := exampleEngine(t)
	ctx := context.Background()
	_, err := e.ListViolations(ctx, api.Staff, api.ListViolationsRequest{Status: "unhandled", Limit: core.MaxPage + 1})
	wantCode(t, "limit above the maximum", err, "LIMIT_TOO_LARGE")
	_, err = e.ListViolations(ctx, api.Staff, api.ListViolationsRequest{Limit: -1})
	wantCode(t, "negative limit", err, "QUERY_VALUE")
	_, err = e.Outbox(ctx, api.Staff, 0, core.MaxPage+1)
	wantCode(t, "outbox limit above the maximum", err, "LIMIT_TOO_LARGE")
	page, err := e.ListViolations(ctx, api.Staff, api.ListViolationsRequest{Status: "unhandled", Limit: 1})
	if err != nil || len(page.Items) != 1 || page.Next == "" {
		t.Fatalf("a page of one = %+v, %v", page, err)
	}
}

func TestLoginTokensAndThrottle(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "a.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	e := engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	const zhang = "370102199003071238"
	reg := api.RegisterPersonRequest{IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456", Password: "short"}
	if _, err := e.RegisterPerson(ctx, api.Staff, reg); !errors.Is(err, &rules.Error{Code: "PASSWORD_WEAK"}) {
		t.Fatalf("weak password: %v", err)
	}
	reg.Password = "zhangsan2026"
	if _, err := e.RegisterPerson(ctx, api.Staff, reg); err != nil {
		t.Fatal(err)
	}
	tok, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "zhangsan2026"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Authenticate(ctx, tok.Token)
	if err != nil || a != (api.Actor{Role: api.RolePerson, IDNumber: zhang}) {
		t.Fatalf("authenticate = %+v, %v", a, err)
	}
	// Persons may not mint tokens; staff may, and the embedded staff may bootstrap an admin.
	if _, err := e.CreateToken(ctx, a, api.TokenRequest{Role: api.RoleStaff, Name: "x"}); !errors.Is(err, rules.ErrStaffOnly) {
		t.Fatalf("person creating a token: %v", err)
	}
	admin, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleAdmin, Name: "root"})
	if err != nil {
		t.Fatal(err)
	}
	staffTok, err := e.CreateToken(ctx, api.Actor{Role: api.RoleAdmin, Name: "root"}, api.TokenRequest{Role: api.RoleStaff, Name: "ci", TTL: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateToken(ctx, api.Actor{Role: api.RoleStaff, Name: "ci"}, api.TokenRequest{Role: api.RoleAdmin, Name: "x"}); !errors.Is(err, rules.ErrAdminOnly) {
		t.Fatalf("staff creating an admin token: %v", err)
	}
	if a, err := e.Authenticate(ctx, admin.Token); err != nil || a.Role != api.RoleAdmin {
		t.Fatalf("admin token = %+v, %v", a, err)
	}
	// Expiry and revocation.
	now = now.Add(2 * time.Hour)
	if _, err := e.Authenticate(ctx, staffTok.Token); !errors.Is(err, rules.ErrUnauthenticated) {
		t.Fatalf("expired token: %v", err)
	}
	if err := e.Logout(ctx, tok.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Authenticate(ctx, tok.Token); !errors.Is(err, rules.ErrUnauthenticated) {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := e.Authenticate(ctx, "jg_forged"); !errors.Is(err, rules.ErrUnauthenticated) {
		t.Fatalf("forged token: %v", err)
	}
	// Five failures lock the ID number out, even for the right password.
	for range 5 {
		if _, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "wrong-one1"}); !errors.Is(err, rules.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "zhangsan2026"}); !errors.Is(err, rules.ErrTooManyAttempts) {
		t.Fatalf("after 5 failures: %v", err)
	}
	now = now.Add(15 * time.Minute)
	if _, err := e.Login(ctx, api.LoginRequest{IDNumber: zhang, Password: "zhangsan2026"}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// importer adapts the engine (as staff) to examples.Importer.
type importer struct{ e *engine.Engine }

func (i importer) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	return i.e.Import(ctx, api.Staff, r, data, onReject)
}

// lapsedClaims hands out claims as if another payer's claim on every
// decision had lapsed, leaving its order behind.
type lapsedClaims struct{ previous string }

func (l *lapsedClaims) ClaimDecision(context.Context, core.Claim, time.Duration) (string, func(core.Outcome), error) {
	p := l.previous
	l.previous = ""
	return p, func(core.Outcome) {}, nil
}

// TestLapsedClaimIsSettledFirst: a payer that died after the gateway took
// its money left a lapsed claim; the next payer's claim names that order,
// and the charge is recorded instead of charging the decision again.
func TestLapsedClaimIsSettledFirst(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "c.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	gw := gateway.NewSandbox(gateway.Approve)
	claims := &lapsedClaims{}
	e := engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }, Gateway: gw, Claims: claims})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	const dec = "3701001234567890"
	// The dead payer's charge: made at the gateway, never recorded.
	dead := "ORD-" + dec + "-0123456789abcdef"
	if _, err := gw.Charge(ctx, dead, rules.Fen(5000)); err != nil {
		t.Fatal(err)
	}
	claims.previous = dead
	_, err = e.Pay(ctx, person(li), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "k"}, DecisionNo: dec})
	wantCode(t, "paying after a lapsed, charged claim", err, "DECISION_ALREADY_PAID")
	if total, n := gw.Charged(); n != 1 || total.String() != "50.00" {
		t.Fatalf("gateway charged %s in %d orders, want the dead payer's 50.00 once", total, n)
	}
}

// TestBindingLimits: the store refuses another owner's vehicle beyond the
// person's and the vehicle's limits (pending requests count).
func TestBindingLimits(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	pol := rules.DefaultPolicy()
	pol.MaxOtherVehicles, pol.MaxOtherDrivers = 1, 1
	e := engine.New(engine.Config{Store: st, Policy: pol, Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	const wang = "370602199211204522"
	for _, r := range []api.RegisterPersonRequest{
		{IDNumber: li, Name: "李四", Phone: "13900139000", FileNo: "370200234567"},
		{IDNumber: wang, Name: "王芳", Phone: "13700137000", FileNo: "370600345678"},
	} {
		if _, err := e.RegisterPerson(ctx, api.Staff, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.BindVehicle(ctx, person(li), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.BindVehicle(ctx, person(li), api.BindVehicleRequest{Plate: "鲁AD12345", PlateType: "52"})
	wantCode(t, "a second other vehicle", err, "BIND_OTHER_VEHICLE_LIMIT")
	_, err = e.BindVehicle(ctx, person(wang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
	wantCode(t, "a second non-owner driver", err, "BIND_VEHICLE_DRIVER_LIMIT")
	_, err = e.BindVehicle(ctx, person(wang), api.BindVehicleRequest{Plate: "鲁A6U789", PlateType: "01"})
	wantCode(t, "a large vehicle of another owner", err, "BIND_OTHER_PLATE_TYPE")
}
