// Package clienttest is the contract-test suite every *client.Client
// transport must pass: the same scenarios, the same answers and the same
// typed errors, embedded or remote.
package clienttest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// Env is what a transport gives the suite: clients acting as any actor,
// all over one fresh store, with the suite's clock and gateway.
type Env struct {
	As func(api.Actor) *client.Client
	// Token returns a client that presents a bearer token.
	Token func(token string) *client.Client
}

// Factory builds a fresh Env for one test; now and gw must be used by the
// engine behind it.
type Factory func(t *testing.T, now func() time.Time, gw gateway.Gateway) Env

// Sample people and records (examples/*.csv).
const (
	Zhang        = "370102199003071238"
	Li           = "370203198507152012"
	Zhao         = "370104197802030030"
	RecCamera200 = "3701002026100100001" // 1625, 200 yuan, 6 points, camera, 鲁A12345
	RecParking   = "3701002026110500002" // 1039, 100 yuan, 0 points, camera
	RecOnsite    = "3701002026111200003" // decided to Zhang, served 2026-11-12, 50 yuan
	OnsiteNo     = "3701001234567890"
	RecNE3pts    = "3701002026111800006" // 1373, 200 yuan, 3 points, 鲁AD12345
	RecUnit500   = "3701002026102000005" // 500 yuan, unit's truck
)

// Clock is a settable test clock.
type Clock struct{ ns atomic.Int64 }

// NewClock starts at t.
func NewClock(t time.Time) *Clock { c := &Clock{}; c.Set(t); return c }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).In(rules.China) }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Start is the suite's "now": 2026-11-24 10:00 China time.
var Start = time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *Clock
	gw    *gateway.Sandbox
	staff *client.Client
	env   Env
}

func (f *fixture) as(id string) *client.Client {
	return f.env.As(api.Actor{Role: api.RolePerson, IDNumber: id})
}

func setup(t *testing.T, mk Factory) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), clock: NewClock(Start), gw: gateway.NewSandbox(gateway.Approve)}
	f.env = mk(t, f.clock.Now, f.gw)
	f.staff = f.env.As(api.Staff)
	if err := examples.Load(f.ctx, f.staff.Imports, func(file string, res *api.ImportResult) {
		if res.Rejected != 0 {
			t.Fatalf("import %s rejected %v", file, res.Rejects)
		}
	}); err != nil {
		t.Fatalf("import the examples: %v", err)
	}
	return f
}

// register registers and binds Zhang (vehicles and licence).
func (f *fixture) registerZhang() *client.Client {
	f.t.Helper()
	z := f.as(Zhang)
	f.must(z.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"}))
	f.must(z.Bindings.BindVehicle(f.ctx, api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}))
	f.must(z.Bindings.BindVehicle(f.ctx, api.BindVehicleRequest{Plate: "鲁AD12345", PlateType: "52"}))
	f.must(z.Bindings.BindLicence(f.ctx, api.BindLicenceRequest{}))
	return z
}

func (f *fixture) must(_ any, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

// Run runs the whole suite.
func Run(t *testing.T, mk Factory) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"ReimportAddsNoDuplicates", testReimport},
		{"Register", testRegister},
		{"BindOthersVehicle", testBindOther},
		{"ListOwnViolations", testList},
		{"HandleAndPay", testHandleAndPay},
		{"HandlingDenials", testDenials},
		{"PendingExpires", testExpiry},
		{"LateFeeAndPayForOthers", testLateFee},
		{"GatewayDeclineAndTimeout", testGateway},
		{"ConcurrentPayersPayOnce", testConcurrentPay},
		{"Accounts", testAccounts},
		{"Paging", testPaging},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, setup(t, mk)) })
	}
}

func testReimport(t *testing.T, f *fixture) {
	fh, _ := examples.Files.Open("violations.csv")
	defer fh.Close()
	res, err := f.staff.Imports.Import(f.ctx, api.ImportRequest{Kind: api.ImportViolations}, fh, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 0 || res.Duplicates != 6 || res.Rows != 6 {
		t.Fatalf("re-import = %+v, want 0 inserted, 6 duplicates", res)
	}
	page, err := f.staff.Violations.List(f.ctx, api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 4 {
		t.Fatalf("鲁A12345 has %d records, want 4", len(page.Items))
	}
}

func testRegister(t *testing.T, f *fixture) {
	z := f.as(Zhang)
	_, err := z.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Zhang, Name: "张三", Phone: "13800138000", FileNo: "370100999999"})
	wantErr(t, err, rules.ErrIdentityMismatch)
	p, err := z.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Zhang, Name: "张三", Phone: "+86 138-0013-8000", FileNo: "370100123456"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Phone != "13800138000" || p.Via != "licence" {
		t.Fatalf("person = %+v", p)
	}
	_, err = z.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"})
	wantErr(t, err, rules.ErrAlreadyRegistered)
	// By a plate the person owns.
	l := f.as(Li)
	if _, err := l.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Li, Name: "李四", Phone: "13900139000", Plate: "鲁b·8g666", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	// Someone else's plate proves nothing.
	_, err = f.as(Zhao).Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Zhao, Name: "赵强", Phone: "13600136000", Plate: "鲁A12345", PlateType: "02"})
	wantErr(t, err, rules.ErrIdentityMismatch)
	_, err = f.as(Zhao).Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: "370104197802030031", Name: "赵强", Phone: "13600136000", FileNo: "370100456789"})
	if rules.KindOf(err) != rules.KindInvalid {
		t.Fatalf("bad check digit: err = %v, want invalid", err)
	}
}

func testBindOther(t *testing.T, f *fixture) {
	z := f.registerZhang()
	l := f.as(Li)
	f.must(l.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Li, Name: "李四", Phone: "13900139000", FileNo: "370200234567"}))
	res, err := l.Bindings.BindVehicle(f.ctx, api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rules.BindingPending || res.RequestID == "" || res.Own {
		t.Fatalf("binding = %+v, want a pending request", res.Binding)
	}
	// Only the owner approves.
	_, err = l.Bindings.Approve(f.ctx, api.ApproveRequest{RequestID: res.RequestID})
	wantErr(t, err, rules.ErrNotOwner)
	b, err := z.Bindings.Approve(f.ctx, api.ApproveRequest{RequestID: res.RequestID})
	if err != nil || b.Status != rules.BindingActive {
		t.Fatalf("approve = %+v, %v", b, err)
	}
	_, err = l.Bindings.BindVehicle(f.ctx, api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
	wantErr(t, err, rules.ErrAlreadyBound)
	// A unit's truck (plate type 01) cannot be bound by another person.
	_, err = l.Bindings.BindVehicle(f.ctx, api.BindVehicleRequest{Plate: "鲁A6U789", PlateType: "01"})
	wantErr(t, err, rules.ErrOtherPlateType)
	bs, err := l.Bindings.List(f.ctx, api.ListBindingsRequest{})
	if err != nil || len(bs) != 1 {
		t.Fatalf("Li's bindings = %v, %v", bs, err)
	}
	// Records before the binding date are not Li's to see.
	page, err := l.Violations.List(f.ctx, api.ListViolationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Fatalf("Li sees %d records of 鲁A12345 from before the binding", len(page.Items))
	}
}

func testList(t *testing.T, f *fixture) {
	z := f.registerZhang()
	page, err := z.Violations.List(f.ctx, api.ListViolationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]api.ViolationView{}
	for _, v := range page.Items {
		got[v.RecordNo] = v
	}
	if len(got) != 5 {
		t.Fatalf("Zhang sees %d records, want 5 (4 of 鲁A12345, 1 of 鲁AD12345)", len(got))
	}
	on := got[RecOnsite]
	if on.Status != rules.StatusUnpaid || on.DueOn.String() != "2026-11-27" || on.AmountDue.String() != "50.00" {
		t.Fatalf("onsite record = %+v", on)
	}
	page, err = z.Violations.List(f.ctx, api.ListViolationsRequest{Status: "unpaid"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("unpaid = %v, %v", page, err)
	}
	_, err = f.as(Li).Violations.List(f.ctx, api.ListViolationsRequest{})
	wantErr(t, err, rules.ErrPersonNotFound)
}

func testHandleAndPay(t *testing.T, f *fixture) {
	z := f.registerZhang()
	h, err := z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecCamera200})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.DecisionNo) != 16 || h.AmountDue.String() != "200.00" || h.OrderID == "" || !h.PendingUntil.Equal(Start.Add(30*time.Minute)) {
		t.Fatalf("handle = %+v", h)
	}
	r1, err := z.Payments.Pay(f.ctx, api.PayRequest{RecordNo: RecCamera200, Mutation: api.Mutation{IdempotencyKey: "k1"}})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Amount.String() != "200.00" || r1.DecisionNo != h.DecisionNo {
		t.Fatalf("receipt = %+v", r1)
	}
	r2, err := z.Payments.Pay(f.ctx, api.PayRequest{RecordNo: RecCamera200, Mutation: api.Mutation{IdempotencyKey: "k1"}})
	if err != nil || r2.ID != r1.ID || !r2.Replayed {
		t.Fatalf("replay = %+v, %v; want the first receipt", r2, err)
	}
	_, err = z.Payments.Pay(f.ctx, api.PayRequest{DecisionNo: h.DecisionNo, Mutation: api.Mutation{IdempotencyKey: "k2"}})
	wantErr(t, err, rules.ErrAlreadyPaid)
	if total, n := f.gw.Charged(); n != 1 || total.String() != "200.00" {
		t.Fatalf("gateway charged %s in %d charges", total, n)
	}
	// The sweep folds the payment into the record; it reads the same before and after.
	for i := range 2 {
		page, err := z.Violations.List(f.ctx, api.ListViolationsRequest{Status: "paid"})
		if err != nil || len(page.Items) != 1 || page.Items[0].PaymentID != r1.ID || page.Items[0].AmountDue.String() != "0.00" {
			t.Fatalf("paid records (pass %d) = %+v, %v", i, page, err)
		}
		if i == 0 {
			if sw, err := f.staff.Jobs.Sweep(f.ctx); err != nil || sw.Folded != 1 {
				t.Fatalf("sweep = %+v, %v", sw, err)
			}
		}
	}
	if r3, err := z.Payments.Pay(f.ctx, api.PayRequest{RecordNo: RecCamera200, Mutation: api.Mutation{IdempotencyKey: "k1"}}); err != nil || r3.ID != r1.ID {
		t.Fatalf("replay after the sweep = %+v, %v", r3, err)
	}
	// Points now count: 3 (unpaid onsite) + 6 = 9; 3 more would make 12.
	_, err = z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecNE3pts})
	wantErr(t, err, rules.ErrPointsLimit)
}

func testDenials(t *testing.T, f *fixture) {
	z := f.registerZhang()
	_, err := z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecOnsite})
	wantErr(t, err, rules.ErrNotUnhandled)
	_, err = z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecUnit500})
	wantErr(t, err, rules.ErrFineOverLimit)
	_, err = z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: "nope"})
	wantErr(t, err, rules.ErrRecordNotFound)
	_, err = f.staff.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecCamera200})
	wantErr(t, err, rules.ErrPersonOnly)
	_, err = f.staff.Payments.Pay(f.ctx, api.PayRequest{RecordNo: RecCamera200, Mutation: api.Mutation{IdempotencyKey: "x"}})
	wantErr(t, err, rules.ErrNoDecision)
	// A pending handling's points count: 3 (unpaid onsite) + 6 pending + 3 would reach 12.
	if _, err := z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecCamera200}); err != nil {
		t.Fatal(err)
	}
	_, err = z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecNE3pts})
	wantErr(t, err, rules.ErrPointsLimit)
}

func testExpiry(t *testing.T, f *fixture) {
	z := f.registerZhang()
	h, err := z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecParking})
	if err != nil {
		t.Fatal(err)
	}
	_, err = z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecParking})
	wantErr(t, err, rules.ErrPendingElsewhere)
	f.clock.Set(Start.Add(31 * time.Minute))
	_, err = f.staff.Payments.Pay(f.ctx, api.PayRequest{DecisionNo: h.DecisionNo, Mutation: api.Mutation{IdempotencyKey: "late"}})
	if !errors.Is(err, rules.ErrDecisionNotFound) && !errors.Is(err, rules.ErrHandlingExpired) {
		t.Fatalf("pay after expiry: %v", err)
	}
	sw, err := f.staff.Jobs.Sweep(f.ctx)
	if err != nil || sw.Expired != 1 {
		t.Fatalf("sweep = %+v, %v", sw, err)
	}
	page, err := f.staff.Violations.List(f.ctx, api.ListViolationsRequest{Status: "unhandled", Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range page.Items {
		found = found || v.RecordNo == RecParking
	}
	if !found {
		t.Fatal("expired handling did not return to unhandled")
	}
	if _, err := z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecParking}); err != nil {
		t.Fatalf("handle again after expiry: %v", err)
	}
}

func testLateFee(t *testing.T, f *fixture) {
	f.registerZhang()
	// Served 2026-11-12, due 2026-11-27; paid 2026-12-07: 10 late days × 1.50.
	f.clock.Set(time.Date(2026, 12, 7, 9, 0, 0, 0, rules.China))
	li := f.as(Li)
	f.must(li.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Li, Name: "李四", Phone: "13900139000", FileNo: "370200234567"}))
	r, err := li.Payments.Pay(f.ctx, api.PayRequest{DecisionNo: OnsiteNo, Mutation: api.Mutation{IdempotencyKey: "li-pays"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.LateFee.String() != "15.00" || r.Amount.String() != "65.00" || r.PayerIDNumber != Li {
		t.Fatalf("receipt = %+v", r)
	}
	// Anyone may pay by decision number, but by record number only one's own.
	_, err = li.Payments.Pay(f.ctx, api.PayRequest{RecordNo: RecCamera200, Mutation: api.Mutation{IdempotencyKey: "li-2"}})
	wantErr(t, err, rules.ErrNotYours)
	q, err := f.staff.Fines.Quote(f.ctx, api.QuoteRequest{Fine: rules.Yuan(200), ServedOn: rules.NewDate(2024, 3, 4), On: rules.NewDate(2024, 3, 29)})
	if err != nil || q.LateFee.String() != "60.00" || q.AmountDue.String() != "260.00" {
		t.Fatalf("quote = %+v, %v", q, err)
	}
}

func testGateway(t *testing.T, f *fixture) {
	z := f.registerZhang()
	h, err := z.Violations.Handle(f.ctx, api.HandleRequest{RecordNo: RecCamera200})
	if err != nil {
		t.Fatal(err)
	}
	f.gw.SetMode(gateway.Decline)
	_, err = z.Payments.Pay(f.ctx, api.PayRequest{DecisionNo: h.DecisionNo, Mutation: api.Mutation{IdempotencyKey: "d1"}})
	wantErr(t, err, rules.ErrPaymentDeclined)
	f.gw.SetMode(gateway.Timeout)
	_, err = z.Payments.Pay(f.ctx, api.PayRequest{DecisionNo: h.DecisionNo, Mutation: api.Mutation{IdempotencyKey: "t1"}})
	// A transport that retries keyed requests by itself (HTTP) recovers the
	// timed-out charge on its own; one that does not reports the timeout.
	if err != nil {
		wantErr(t, err, rules.ErrGatewayTimeout)
		page, _ := z.Violations.List(f.ctx, api.ListViolationsRequest{Status: "pending"})
		if len(page.Items) != 1 {
			t.Fatalf("after a timeout the record should still be pending, got %v", page.Items)
		}
		// The error names the order; reconciling it finds the money the
		// bank took and records the payment, once.
		order := err.(*rules.Error).EN[strings.LastIndex(err.(*rules.Error).EN, "ORD-"):]
		for i, wantApplied := range []bool{true, false} {
			res, err := f.staff.Payments.Reconcile(f.ctx, api.ReconcileRequest{OrderID: order})
			if err != nil || !res.GatewayPaid || res.Applied != wantApplied || res.DecisionNo != h.DecisionNo {
				t.Fatalf("reconcile %d = %+v, %v", i, res, err)
			}
		}
	}
	f.gw.SetMode(gateway.Approve)
	r, err := z.Payments.Pay(f.ctx, api.PayRequest{DecisionNo: h.DecisionNo, Mutation: api.Mutation{IdempotencyKey: "t1"}})
	if err != nil {
		t.Fatal(err)
	}
	if total, n := f.gw.Charged(); n != 1 || !total.Equal(r.Amount) {
		t.Fatalf("charged %s in %d charges; the retry must reuse the timed-out charge", total, n)
	}
}

func testConcurrentPay(t *testing.T, f *fixture) {
	var wg sync.WaitGroup
	var ok, paid atomic.Int32
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half name the decision, half the record: all are one decision.
			req := api.PayRequest{DecisionNo: OnsiteNo, Mutation: api.Mutation{IdempotencyKey: string(rune('a' + i))}}
			if i%2 == 1 {
				req.DecisionNo, req.RecordNo = "", RecOnsite
			}
			_, err := f.staff.Payments.Pay(f.ctx, req)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, rules.ErrAlreadyPaid):
				paid.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || paid.Load() != 15 {
		t.Fatalf("%d payments succeeded and %d saw already-paid; want 1 and 15", ok.Load(), paid.Load())
	}
	if _, n := f.gw.Charged(); n != 1 || f.gw.Orders() != 1 {
		t.Fatalf("gateway holds %d charges of %d orders, want 1 of 1 (nobody charged and refunded)", n, f.gw.Orders())
	}
}

func testAccounts(t *testing.T, f *fixture) {
	who, err := f.staff.Accounts.Whoami(f.ctx)
	if err != nil || who.Role != api.RoleStaff {
		t.Fatalf("staff whoami = %+v, %v", who, err)
	}
	tok, err := f.staff.Accounts.CreateToken(f.ctx, api.TokenRequest{Role: api.RoleBank, Name: "icbc", TTL: "720h"})
	if err != nil || tok.Token == "" || tok.Actor != (api.Actor{Role: api.RoleBank, Name: "icbc"}) {
		t.Fatalf("create a bank token = %+v, %v", tok, err)
	}
	bank := f.env.Token(tok.Token)
	if who, err := bank.Accounts.Whoami(f.ctx); err != nil || *who != tok.Actor {
		t.Fatalf("bank whoami = %+v, %v", who, err)
	}
	_, err = bank.Accounts.CreateToken(f.ctx, api.TokenRequest{Role: api.RoleStaff, Name: "x"})
	wantErr(t, err, rules.ErrStaffOnly)

	z := f.as(Zhang)
	f.must(z.Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456", Password: "zhangsan2026"}))
	_, err = z.Accounts.Login(f.ctx, api.LoginRequest{IDNumber: Zhang, Password: "not-my-password"})
	wantErr(t, err, rules.ErrBadCredentials)
	login, err := z.Accounts.Login(f.ctx, api.LoginRequest{IDNumber: Zhang, Password: "zhangsan2026"})
	if err != nil || login.Token == "" || login.Actor != (api.Actor{Role: api.RolePerson, IDNumber: Zhang}) {
		t.Fatalf("login = %+v, %v", login, err)
	}
	session := f.env.Token(login.Token)
	if who, err := session.Accounts.Whoami(f.ctx); err != nil || *who != login.Actor {
		t.Fatalf("whoami after login = %+v, %v", who, err)
	}
	if err := session.Accounts.Logout(f.ctx); err != nil {
		t.Fatalf("logout: %v", err)
	}
	_, err = session.Accounts.Whoami(f.ctx)
	wantErr(t, err, rules.ErrUnauthenticated)
	wantErr(t, session.Accounts.Logout(f.ctx), rules.ErrUnauthenticated)
}

func testPaging(t *testing.T, f *fixture) {
	f.registerZhang()
	f.must(f.as(Li).Accounts.RegisterPerson(f.ctx, api.RegisterPersonRequest{IDNumber: Li, Name: "李四", Phone: "13900139000", FileNo: "370200234567"}))
	whole, err := f.staff.Violations.List(f.ctx, api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		t.Fatal(err)
	}
	var paged []string
	for v, err := range f.staff.Violations.All(f.ctx, api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02", Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, v.RecordNo)
	}
	if len(paged) != len(whole.Items) || len(paged) < 2 {
		t.Fatalf("pages of 1 gave %v, one page %d records", paged, len(whole.Items))
	}
	for i, v := range whole.Items {
		if paged[i] != v.RecordNo {
			t.Fatalf("pages of 1 gave %v, want the order of one page", paged)
		}
	}
	_, err = f.staff.Violations.List(f.ctx, api.ListViolationsRequest{Limit: api.MaxPageSize + 1})
	wantErr(t, err, rules.ErrQueryValue)

	all, err := f.staff.Outbox.List(f.ctx, api.OutboxRequest{})
	if err != nil || len(all) < 2 {
		t.Fatalf("outbox = %v, %v; want the registrations' messages", all, err)
	}
	var seqs []uint64
	for n, err := range f.staff.Outbox.All(f.ctx, api.OutboxRequest{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, n.Seq)
	}
	if len(seqs) != len(all) || seqs[0] != all[0].Seq || seqs[len(seqs)-1] != all[len(all)-1].Seq {
		t.Fatalf("outbox pages of 1 gave %v, want the %d messages of one page", seqs, len(all))
	}
	rest, err := f.staff.Outbox.List(f.ctx, api.OutboxRequest{After: int64(all[0].Seq)})
	if err != nil || len(rest) != len(all)-1 {
		t.Fatalf("outbox after %d = %d messages, %v", all[0].Seq, len(rest), err)
	}
}
