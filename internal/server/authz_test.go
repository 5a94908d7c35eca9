package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/clienttest"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Sample data (examples/*.csv) the authorization tests rely on.
const (
	azZhang       = clienttest.Zhang // 张三, file no 370100123456, owns 鲁A12345 (02) and 鲁AD12345 (52)
	azLi          = clienttest.Li    // 李四, file no 370200234567, owns 鲁B8G666 (02)
	azRecCamera   = clienttest.RecCamera200
	azRecOnsite   = clienttest.RecOnsite // decided to Zhang: decision azOnsiteNo
	azOnsiteNo    = clienttest.OnsiteNo
	azUnitCode    = "91370100MA3C4X5Y6W" // 济南顺达物流有限公司, owner of 鲁A6U789 (01)
	azUnitPlate   = "鲁A6U789"
	azPassword    = "zhang2026pw"
	azLiPassword  = "li2026pw99"
	azNewRecordNo = "3701002026112200009"
)

// azRoles are the callers of the authorization table, in column order:
// Zhang (the registered person whose data is at stake), Li (another
// registered person), the service accounts, the back office, and no token.
var azRoles = [...]string{"zhang", "li", "unit", "hospital", "bank", "staff", "admin", "none"}

// authzEnv is a served engine with the samples loaded, Zhang and Li
// registered (each with their licence and own small car bound) and a
// bearer token per role.
type authzEnv struct {
	e     *engine.Engine
	st    store.Store
	srv   *httptest.Server
	clock *clienttest.Clock
	tok   map[string]string // role → bearer token ("none" → "")
}

// newAuthzEnv builds the environment. With passwords, Zhang and Li also
// get passwords (argon2id: slow, so only the login tests ask for it).
func newAuthzEnv(t *testing.T, passwords bool) *authzEnv {
	t.Helper()
	ctx := t.Context()
	clock := clienttest.NewClock(clienttest.Start)
	e, st := openEngine(t, clock.Now, gateway.NewSandbox(gateway.Approve))
	srv := httptest.NewServer(server.New(e, server.Options{}))
	t.Cleanup(srv.Close)
	env := &authzEnv{e: e, st: st, srv: srv, clock: clock, tok: map[string]string{"none": ""}}
	for role, req := range map[string]api.TokenRequest{
		"zhang":    {Role: api.RolePerson, Name: azZhang},
		"li":       {Role: api.RolePerson, Name: azLi},
		"unit":     {Role: api.RoleUnit, Name: "顺达物流"},
		"hospital": {Role: api.RoleHospital, Name: "齐鲁医院"},
		"bank":     {Role: api.RoleBank, Name: "工商银行"},
		"staff":    {Role: api.RoleStaff, Name: "authz-staff"},
		"admin":    {Role: api.RoleAdmin, Name: "authz-admin"},
	} {
		tok, err := e.CreateToken(ctx, api.Staff, req)
		if err != nil {
			t.Fatalf("token for %s: %v", role, err)
		}
		env.tok[role] = tok.Token
	}
	c, err := client.New(srv.URL, client.WithToken(env.tok["staff"]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := examples.Load(ctx, c.Imports, func(file string, res *api.ImportResult) {
		if res.Rejected != 0 {
			t.Fatalf("import %s rejected %v", file, res.Rejects)
		}
	}); err != nil {
		t.Fatalf("load the examples over HTTP: %v", err)
	}
	zhang := map[string]string{"id_number": azZhang, "name": "张三", "phone": "13800138000", "licence_file_no": "370100123456"}
	li := map[string]string{"id_number": azLi, "name": "李四", "phone": "13900139000", "licence_file_no": "370200234567"}
	if passwords {
		zhang["password"], li["password"] = azPassword, azLiPassword
	}
	env.mustOK(t, "POST", "/v1/persons", "", jsonOf(t, zhang))
	env.mustOK(t, "POST", "/v1/persons", "", jsonOf(t, li))
	env.mustOK(t, "POST", "/v1/bindings/vehicles", env.tok["zhang"], `{"plate":"鲁A12345","plate_type":"02"}`)
	env.mustOK(t, "POST", "/v1/bindings/licence", env.tok["zhang"], "")
	env.mustOK(t, "POST", "/v1/bindings/vehicles", env.tok["li"], `{"plate":"鲁B8G666","plate_type":"02"}`)
	env.mustOK(t, "POST", "/v1/bindings/licence", env.tok["li"], "")
	return env
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// answer is one HTTP answer; code is the error code of an error answer.
type answer struct {
	status int
	code   string
	field  string
	header http.Header
	body   []byte
}

func (a answer) String() string { return fmt.Sprintf("HTTP %d %s", a.status, bytes.TrimSpace(a.body)) }

// call sends one request: token "" sends no Authorization header, body ""
// sends no body, hdr adds or overrides headers (an empty value removes
// the header).
func (env *authzEnv) call(t *testing.T, method, path, token, body string, hdr map[string]string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, env.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := env.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", method, path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: raw}
	if resp.StatusCode >= 400 {
		var eb server.ErrorBody
		if json.Unmarshal(raw, &eb) == nil {
			a.code, a.field = eb.Error.Code, eb.Error.Field
		}
	}
	return a
}

func (env *authzEnv) mustOK(t *testing.T, method, path, token, body string) answer {
	t.Helper()
	a := env.call(t, method, path, token, body, nil)
	if a.status != http.StatusOK {
		t.Fatalf("%s %s = %v, want 200", method, path, a)
	}
	return a
}

func decodeInto[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, raw, err)
	}
	return v
}

// state is what a refused call must leave unchanged: the audit log, the
// outbox, every record's status and decision, both people's bindings,
// the sample unit's registration and the payments made.
type state struct {
	audit, outbox int
	violations    string
	bindings      string
	unit          bool
	payments      string
}

func (env *authzEnv) snapshot(t *testing.T) state {
	t.Helper()
	var s state
	err := env.st.View(t.Context(), func(tx store.Tx) error {
		log, err := tx.AuditLog(0, 0)
		s.audit = len(log)
		if err != nil {
			return err
		}
		u, err := tx.Unit(azUnitCode)
		s.unit = u != nil
		if err != nil {
			return err
		}
		p, err := tx.PaymentOfDecision(azOnsiteNo)
		if p != nil {
			s.payments = p.ID + " " + p.PayerIDNumber
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	staff := env.tok["staff"]
	s.outbox = len(decodeInto[[]rules.Notification](t, env.mustOK(t, "GET", "/v1/outbox", staff, "").body))
	var vs []string
	for _, v := range decodeInto[api.ViolationPage](t, env.mustOK(t, "GET", "/v1/violations", staff, "").body).Items {
		vs = append(vs, v.RecordNo+"="+string(v.Status)+"/"+v.DecisionNo+"/"+v.DriverIDNumber)
	}
	s.violations = strings.Join(vs, " ")
	var bs []string
	for _, id := range []string{azZhang, azLi} {
		for _, b := range decodeInto[[]rules.Binding](t, env.mustOK(t, "GET", "/v1/bindings?id_number="+id, staff, "").body) {
			bs = append(bs, b.ID+"="+b.IDNumber+"/"+b.Plate+"/"+b.Status)
		}
	}
	s.bindings = strings.Join(bs, " ")
	return s
}

func (env *authzEnv) violation(t *testing.T, recordNo string) api.ViolationView {
	t.Helper()
	for _, v := range decodeInto[api.ViolationPage](t, env.mustOK(t, "GET", "/v1/violations", env.tok["staff"], "").body).Items {
		if v.RecordNo == recordNo {
			return v
		}
	}
	t.Fatalf("record %s not found", recordNo)
	return api.ViolationView{}
}

// expect is one cell of the table: 200, or the exact status and error code
// (code "" accepts any code). bug marks a cell that fails because of a
// known bug in the code under test.
type expect struct {
	status int
	code   string
	bug    string
}

var (
	allowed    = expect{status: http.StatusOK}
	unauth     = expect{status: http.StatusUnauthorized, code: "UNAUTHENTICATED"}
	staffOnly  = expect{status: http.StatusForbidden, code: "STAFF_ONLY"}
	personOnly = expect{status: http.StatusForbidden, code: "PERSON_ONLY"}
	adminOnly  = expect{status: http.StatusForbidden, code: "ADMIN_ONLY"}
	notYours   = expect{status: http.StatusForbidden, code: "NOT_YOUR_RECORD"}
	notOwner   = expect{status: http.StatusForbidden, code: "NOT_OWNER"}
	notBound   = expect{status: http.StatusUnprocessableEntity, code: "EMON_VEHICLE_NOT_BOUND"}

	notYourBindings = expect{status: http.StatusForbidden, code: "NOT_YOUR_BINDINGS"}
	notYourVehicle  = expect{status: http.StatusForbidden, code: "NOT_YOUR_VEHICLE"}
)

// TestAuthorizationMatrix runs every operation as every role, each cell on
// a fresh store: allowed calls answer 200 (and do what they should),
// refused calls answer the exact status and code and write nothing.
func TestAuthorizationMatrix(t *testing.T) {
	newCSV := "record_no,plate,plate_type,occurred_at,code,fine,points,source\n" +
		azNewRecordNo + ",鲁A12345,02,2026-11-22T08:00:00+08:00,1625,200,6,camera\n"
	ops := []struct {
		name         string
		method, path string
		body         string
		key          bool // send an Idempotency-Key
		want         [len(azRoles)]expect
		check        func(t *testing.T, env *authzEnv, role string, a answer)
	}{
		{
			name: "import", method: "POST", path: "/v1/imports/violations?format=csv", body: newCSV,
			want: [...]expect{staffOnly, staffOnly, staffOnly, staffOnly, staffOnly, allowed, allowed, unauth},
			check: func(t *testing.T, env *authzEnv, _ string, a answer) {
				if res := decodeInto[api.ImportResult](t, a.body); res.Inserted != 1 || res.Rejected != 0 {
					t.Errorf("import = %+v, want 1 inserted", res)
				}
				if v := env.violation(t, azNewRecordNo); v.Status != rules.StatusUnhandled {
					t.Errorf("imported record = %+v", v)
				}
			},
		},
		{
			name: "sweep", method: "POST", path: "/v1/sweep",
			want: [...]expect{staffOnly, staffOnly, staffOnly, staffOnly, staffOnly, allowed, allowed, unauth},
		},
		{
			name: "outbox list", method: "GET", path: "/v1/outbox",
			want: [...]expect{staffOnly, staffOnly, staffOnly, staffOnly, staffOnly, allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, _ string, a answer) {
				// Registering Zhang and Li each queued an SMS.
				if n := len(decodeInto[[]rules.Notification](t, a.body)); n < 2 {
					t.Errorf("outbox has %d messages, want at least 2", n)
				}
			},
		},
		{
			name: "token create staff", method: "POST", path: "/v1/tokens", body: `{"role":"staff","name":"ops-2"}`,
			want:  [...]expect{staffOnly, staffOnly, staffOnly, staffOnly, staffOnly, allowed, allowed, unauth},
			check: checkToken(api.RoleStaff),
		},
		{
			name: "token create admin", method: "POST", path: "/v1/tokens", body: `{"role":"admin","name":"root-2"}`,
			want:  [...]expect{staffOnly, staffOnly, staffOnly, staffOnly, staffOnly, adminOnly, allowed, unauth},
			check: checkToken(api.RoleAdmin),
		},
		{
			name: "token create person", method: "POST", path: "/v1/tokens", body: `{"role":"person","name":"` + azZhang + `"}`,
			want:  [...]expect{staffOnly, staffOnly, staffOnly, staffOnly, staffOnly, allowed, allowed, unauth},
			check: checkToken(api.RolePerson),
		},
		{
			name: "list violations own", method: "GET", path: "/v1/violations",
			want: [...]expect{allowed, allowed, personOnly, personOnly, personOnly, allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, role string, a answer) {
				want := map[string][]string{
					"zhang": {"3701002026100100001", "3701002026110500002", "3701002026111200003", "3701002026112000007"},
					"li":    {"3702002026101500004", "3702002026112100008"},
				}[role]
				page := decodeInto[api.ViolationPage](t, a.body)
				var got []string
				for _, v := range page.Items {
					got = append(got, v.RecordNo)
				}
				slices.Sort(got)
				if want == nil { // staff: every record
					if len(got) != 8 {
						t.Errorf("staff sees %d records %v, want all 8", len(got), got)
					}
				} else if !slices.Equal(got, want) {
					t.Errorf("%s sees %v, want exactly %v", role, got, want)
				}
			},
		},
		{
			name: "list violations by Zhang's driver filter", method: "GET", path: "/v1/violations?driver_id_number=" + azZhang,
			want: [...]expect{allowed, notYours, personOnly, personOnly, personOnly, allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, _ string, a answer) {
				page := decodeInto[api.ViolationPage](t, a.body)
				if len(page.Items) != 1 || page.Items[0].RecordNo != azRecOnsite {
					t.Errorf("driver filter = %+v, want only %s", page.Items, azRecOnsite)
				}
			},
		},
		{
			name: "list violations by Zhang's plate", method: "GET", path: "/v1/violations?plate=" + url.QueryEscape("鲁A12345") + "&plate_type=02",
			want: [...]expect{allowed, notYourVehicle, personOnly, personOnly, personOnly, allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, _ string, a answer) {
				page := decodeInto[api.ViolationPage](t, a.body)
				if len(page.Items) != 4 {
					t.Errorf("鲁A12345 has %d records, want 4", len(page.Items))
				}
				for _, v := range page.Items {
					if v.Plate != "鲁A12345" {
						t.Errorf("plate filter leaked %+v", v)
					}
				}
			},
		},
		{
			// A person naming someone else is refused, never answered with
			// their own bindings.
			name: "list bindings of Zhang", method: "GET", path: "/v1/bindings?id_number=" + azZhang,
			want: [...]expect{allowed, notYourBindings, personOnly, personOnly, personOnly, allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, role string, a answer) {
				owner := azZhang
				bs := decodeInto[[]rules.Binding](t, a.body)
				if len(bs) != 2 {
					t.Errorf("%s listed %d bindings, want 2", role, len(bs))
				}
				for _, b := range bs {
					if b.IDNumber != owner {
						t.Errorf("%s listed a binding of %s: %+v", role, b.IDNumber, b)
					}
				}
			},
		},
		{
			name: "list bindings as staff without id_number", method: "GET", path: "/v1/bindings",
			want: [...]expect{allowed, allowed, personOnly, personOnly, personOnly,
				{status: http.StatusBadRequest, code: "ID_NUMBER_REQUIRED"}, {status: http.StatusBadRequest, code: "ID_NUMBER_REQUIRED"}, unauth},
		},
		{
			// Zhang's second car: his own at once, Li's a request to Zhang.
			name: "bind vehicle", method: "POST", path: "/v1/bindings/vehicles", body: `{"plate":"鲁AD12345","plate_type":"52"}`, key: true,
			want: [...]expect{allowed, allowed, personOnly, personOnly, personOnly, personOnly, personOnly, unauth},
			check: func(t *testing.T, _ *authzEnv, role string, a answer) {
				b := decodeInto[api.BindResult](t, a.body)
				switch {
				case role == "zhang" && (b.Status != rules.BindingActive || !b.Own || b.IDNumber != azZhang):
					t.Errorf("Zhang's own car: %+v, want active and own", b.Binding)
				case role == "li" && (b.Status != rules.BindingPending || b.Own || b.RequestID == "" || b.IDNumber != azLi):
					t.Errorf("Li binding Zhang's car: %+v, want a pending request", b.Binding)
				}
			},
		},
		{
			name: "handle a record", method: "POST", path: "/v1/violations/" + azRecCamera + "/handle", key: true,
			want: [...]expect{allowed, notBound, personOnly, personOnly, personOnly, personOnly, personOnly, unauth},
			check: func(t *testing.T, env *authzEnv, _ string, a answer) {
				res := decodeInto[api.HandleResult](t, a.body)
				v := env.violation(t, azRecCamera)
				if res.DecisionNo == "" || v.Status != rules.StatusPending || v.DecisionNo != res.DecisionNo || v.DriverIDNumber != azZhang {
					t.Errorf("handle = %+v, record now %+v", res, v.Violation)
				}
			},
		},
		{
			name: "pay by decision number", method: "POST", path: "/v1/payments", body: `{"decision_no":"` + azOnsiteNo + `"}`, key: true,
			want:  [...]expect{allowed, allowed, allowed, allowed, allowed, allowed, allowed, unauth},
			check: checkPaid,
		},
		{
			name: "pay by record number", method: "POST", path: "/v1/payments", body: `{"record_no":"` + azRecOnsite + `"}`, key: true,
			want:  [...]expect{allowed, notYours, personOnly, personOnly, personOnly, allowed, allowed, unauth},
			check: checkPaid,
		},
		{
			name: "fines quote", method: "POST", path: "/v1/fines/quote", body: `{"fine":"200","served_on":"2026-10-01","on":"2026-11-24"}`,
			want: [...]expect{allowed, allowed, allowed, allowed, allowed, allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, _ string, a answer) {
				q := decodeInto[rules.FeeQuote](t, a.body)
				if !q.Fine.Equal(rules.Yuan(200)) || q.AmountDue.Cmp(q.Fine) < 0 {
					t.Errorf("quote = %+v", q)
				}
			},
		},
		{
			// docs/sdk.md: "staff, or the agent".
			name: "register unit with Li as agent", method: "POST", path: "/v1/units", key: true,
			body: `{"credit_code":"` + azUnitCode + `","name":"济南顺达物流有限公司","agent_id_number":"` + azLi + `"}`,
			want: [...]expect{notOwner, allowed,
				{status: http.StatusForbidden},
				{status: http.StatusForbidden},
				{status: http.StatusForbidden},
				allowed, allowed, unauth},
			check: func(t *testing.T, _ *authzEnv, _ string, a answer) {
				if u := decodeInto[rules.Unit](t, a.body); u.CreditCode != azUnitCode || u.AgentIDNumber != azLi {
					t.Errorf("unit = %+v", u)
				}
			},
		},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			for i, role := range azRoles {
				want := op.want[i]
				t.Run(role, func(t *testing.T) {
					if want.bug != "" {
						t.Skip(want.bug)
					}
					t.Parallel()
					env := newAuthzEnv(t, false)
					before := env.snapshot(t)
					var hdr map[string]string
					if op.key {
						hdr = map[string]string{"Idempotency-Key": "authz-" + role}
					}
					a := env.call(t, op.method, op.path, env.tok[role], op.body, hdr)
					if want.status == http.StatusOK {
						if a.status != http.StatusOK {
							t.Fatalf("%s %s as %s = %v, want 200", op.method, op.path, role, a)
						}
						if op.check != nil {
							op.check(t, env, role, a)
						}
						return
					}
					if a.status != want.status || (want.code != "" && a.code != want.code) {
						t.Fatalf("%s %s as %s = %v, want %d %s", op.method, op.path, role, a, want.status, want.code)
					}
					if a.status == http.StatusUnauthorized && a.header.Get("WWW-Authenticate") == "" {
						t.Errorf("401 without WWW-Authenticate")
					}
					if after := env.snapshot(t); after != before {
						t.Errorf("refused call wrote:\nbefore %+v\nafter  %+v", before, after)
					}
				})
			}
		})
	}
}

// checkToken checks a created token: the role asked for, and it works.
func checkToken(role api.Role) func(t *testing.T, env *authzEnv, _ string, a answer) {
	return func(t *testing.T, env *authzEnv, _ string, a answer) {
		tok := decodeInto[api.Token](t, a.body)
		if tok.Token == "" || tok.Actor.Role != role {
			t.Fatalf("token = %+v, want a %s token", tok, role)
		}
		who := decodeInto[api.Actor](t, env.mustOK(t, "GET", "/v1/whoami", tok.Token, "").body)
		if who != tok.Actor {
			t.Errorf("whoami = %+v, want %+v", who, tok.Actor)
		}
	}
}

// checkPaid checks the receipt of the onsite decision and that the record
// reads as paid.
func checkPaid(t *testing.T, env *authzEnv, role string, a answer) {
	rc := decodeInto[api.Receipt](t, a.body)
	payer := map[string]string{"zhang": azZhang, "li": azLi}[role]
	if rc.DecisionNo != azOnsiteNo || rc.RecordNo != azRecOnsite || rc.PayerIDNumber != payer || rc.Replayed {
		t.Errorf("receipt = %+v, want decision %s paid by %q", rc.Payment, azOnsiteNo, payer)
	}
	if v := env.violation(t, azRecOnsite); v.Status != rules.StatusPaid {
		t.Errorf("record after paying = %s, want paid", v.Status)
	}
}

// TestBadRequests sends malformed or unauthorised requests: each answers a
// 4xx with a stable error code and writes nothing.
func TestBadRequests(t *testing.T) {
	env := newAuthzEnv(t, false)
	ctx := t.Context()
	mint := func(t *testing.T, req api.TokenRequest) string {
		t.Helper()
		tok, err := env.e.CreateToken(ctx, api.Staff, req)
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	pay := `{"decision_no":"` + azOnsiteNo + `"}`
	payKey := map[string]string{"Idempotency-Key": "bad-request"}
	type badCase struct {
		name         string
		method, path string
		token        func(t *testing.T) string // nil: Zhang's token
		body         string
		hdr          map[string]string
		status       int
		code         string // "" accepts any code
		field        string // "" accepts any field
		bug          string
		check        func(t *testing.T, a answer)
	}
	zhang := func(*testing.T) string { return env.tok["zhang"] }
	staff := func(*testing.T) string { return env.tok["staff"] }
	none := func(*testing.T) string { return "" }
	cases := []badCase{
		{name: "malformed JSON", method: "POST", path: "/v1/payments", body: `{"decision_no":`, hdr: payKey, status: 400, code: "BAD_JSON", field: "body"},
		{name: "not JSON at all", method: "POST", path: "/v1/payments", body: `decision_no=` + azOnsiteNo, hdr: payKey, status: 400, code: "BAD_JSON"},
		{name: "unknown field", method: "POST", path: "/v1/payments", body: `{"decision_no":"` + azOnsiteNo + `","amount":"0.01"}`, hdr: payKey, status: 400, code: "BAD_JSON"},
		{name: "two JSON values", method: "POST", path: "/v1/payments", body: pay + " " + pay, hdr: payKey, status: 400, code: "BAD_JSON"},
		{
			name: "trailing bracket after the JSON value", method: "POST", path: "/v1/payments", body: pay + "]", hdr: payKey, status: 400, code: "BAD_JSON",
		},
		{
			name: "trailing brace after the JSON value", method: "POST", path: "/v1/tokens", token: staff, body: `{"role":"staff","name":"x"}}`, status: 400, code: "BAD_JSON",
		},
		{name: "oversized body", method: "POST", path: "/v1/payments", body: `{"decision_no":"` + strings.Repeat("3", 1<<20+100) + `"}`, hdr: payKey, status: 400, code: "BODY_TOO_LARGE", field: "body"},
		{
			name: "oversized body: small JSON value padded past 1 MiB", method: "POST", path: "/v1/payments", body: pay + strings.Repeat(" ", 2<<20), hdr: payKey,
			status: 400, code: "BODY_TOO_LARGE", field: "body",
		},
		{name: "number for a string", method: "POST", path: "/v1/payments", body: `{"decision_no":` + azOnsiteNo + `}`, hdr: payKey, status: 400, code: "BAD_JSON"},
		{name: "string for a number", method: "POST", path: "/v1/fines/quote", body: `{"fine":"200","served_on":"2026-10-01","suspensions":"none"}`, status: 400, code: "BAD_JSON"},
		{name: "array for an object", method: "POST", path: "/v1/bindings/vehicles", body: `["鲁AD12345","52"]`, status: 400, code: "BAD_JSON"},
		{name: "array for a string", method: "POST", path: "/v1/tokens", token: staff, body: `{"role":["staff"],"name":"x"}`, status: 400, code: "BAD_JSON"},
		{name: "payment without a key", method: "POST", path: "/v1/payments", body: pay, status: 400, code: "IDEMPOTENCY_KEY_REQUIRED"},
		{name: "payment naming both targets", method: "POST", path: "/v1/payments", body: `{"decision_no":"` + azOnsiteNo + `","record_no":"` + azRecOnsite + `"}`, hdr: payKey, status: 400, code: "PAY_TARGET"},
		{name: "missing token", method: "POST", path: "/v1/payments", token: none, body: pay, hdr: payKey, status: 401, code: "UNAUTHENTICATED"},
		{name: "forged token", method: "POST", path: "/v1/payments", token: func(*testing.T) string { return "jg_" + strings.Repeat("A", 43) }, body: pay, hdr: payKey, status: 401, code: "UNAUTHENTICATED"},
		{
			name: "expired token (ttl 1ns, clock +1s)", method: "POST", path: "/v1/payments", body: pay, hdr: payKey, status: 401, code: "UNAUTHENTICATED",
			token: func(t *testing.T) string {
				tok := mint(t, api.TokenRequest{Role: api.RolePerson, Name: azZhang, TTL: "1ns"})
				env.clock.Set(env.clock.Now().Add(time.Second))
				return tok
			},
		},
		{
			name: "token at its expiry instant", method: "GET", path: "/v1/whoami", status: 401, code: "UNAUTHENTICATED",
			token: func(t *testing.T) string {
				tok := mint(t, api.TokenRequest{Role: api.RoleStaff, Name: "short", TTL: "1h"})
				env.mustOK(t, "GET", "/v1/whoami", tok, "")
				env.clock.Set(env.clock.Now().Add(time.Hour))
				return tok
			},
		},
		{
			name: "revoked token", method: "POST", path: "/v1/payments", body: pay, hdr: payKey, status: 401, code: "UNAUTHENTICATED",
			token: func(t *testing.T) string {
				tok := mint(t, api.TokenRequest{Role: api.RolePerson, Name: azZhang})
				env.mustOK(t, "POST", "/v1/logout", tok, "")
				return tok
			},
		},
		{
			name: "logout twice", method: "POST", path: "/v1/logout", status: 401, code: "UNAUTHENTICATED",
			token: func(t *testing.T) string {
				tok := mint(t, api.TokenRequest{Role: api.RoleBank, Name: "bye"})
				env.mustOK(t, "POST", "/v1/logout", tok, "")
				return tok
			},
		},
		{name: "raw token without Bearer", method: "POST", path: "/v1/payments", token: none, body: pay,
			hdr: map[string]string{"Idempotency-Key": "bad-request", "Authorization": env.tok["zhang"]}, status: 401, code: "UNAUTHENTICATED"},
		{name: "Basic scheme", method: "POST", path: "/v1/payments", token: none, body: pay,
			hdr: map[string]string{"Idempotency-Key": "bad-request", "Authorization": "Basic " + env.tok["zhang"]}, status: 401, code: "UNAUTHENTICATED"},
		{name: "Bearer with no token", method: "GET", path: "/v1/whoami", token: none,
			hdr: map[string]string{"Authorization": "Bearer "}, status: 401, code: "UNAUTHENTICATED"},
		{name: "X-Jgctl-As with a person token", method: "POST", path: "/v1/violations/" + azRecCamera + "/handle", token: func(*testing.T) string { return env.tok["li"] },
			hdr: map[string]string{"X-Jgctl-As": azZhang, "Idempotency-Key": "as"}, status: 403, code: "STAFF_ONLY"},
		{name: "X-Jgctl-As with a bank token", method: "GET", path: "/v1/violations", token: func(*testing.T) string { return env.tok["bank"] },
			hdr: map[string]string{"X-Jgctl-As": azZhang}, status: 403, code: "STAFF_ONLY"},
		{name: "X-Jgctl-As an unregistered person", method: "POST", path: "/v1/violations/" + azRecCamera + "/handle", token: staff,
			hdr: map[string]string{"X-Jgctl-As": "370104197802030030", "Idempotency-Key": "as"}, status: 404, code: "PERSON_NOT_FOUND"},
		{name: "unknown route", method: "GET", path: "/v1/nope", status: 404},
		// Not NOT_FOUND, the code of a missing record: a client must tell the two apart.
		{name: "unknown route answers the JSON error body", method: "GET", path: "/v1/nope", status: 404, code: "ROUTE_NOT_FOUND"},
		{name: "wrong method answers the JSON error body", method: "DELETE", path: "/v1/payments", token: staff, status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "limit=-1", method: "GET", path: "/v1/violations?limit=-1", token: staff, status: 400, code: "QUERY_VALUE", field: "limit"},
		{name: "limit=ten", method: "GET", path: "/v1/violations?limit=ten", token: staff, status: 400, code: "QUERY_VALUE", field: "limit"},
		{name: "status=bogus", method: "GET", path: "/v1/violations?status=bogus", token: staff, status: 400, code: "STATUS_UNKNOWN", field: "status"},
		{name: "plate without plate_type", method: "GET", path: "/v1/violations?plate=" + url.QueryEscape("鲁A12345"), token: staff, status: 400, code: "PLATE_TYPE_REQUIRED"},
		{name: "outbox after=-5", method: "GET", path: "/v1/outbox?after=-5", token: staff, status: 400, code: "QUERY_VALUE", field: "after"},
		{name: "import chunk_size=x", method: "POST", path: "/v1/imports/violations?chunk_size=x", token: staff,
			body: "record_no,plate,plate_type,occurred_at,code,fine,points,source\n", status: 400, code: "QUERY_VALUE", field: "chunk_size"},
		{name: "import of an unknown kind", method: "POST", path: "/v1/imports/people", token: staff,
			body: "id_number\n" + azZhang + "\n", status: 400, code: "IMPORT_KIND"},
		{name: "token with an unknown role", method: "POST", path: "/v1/tokens", token: staff, body: `{"role":"root","name":"x"}`, status: 400, code: "ROLE_UNKNOWN"},
		{name: "token with a bad ttl", method: "POST", path: "/v1/tokens", token: staff, body: `{"role":"bank","name":"x","ttl":"-1h"}`, status: 400, code: "TTL_FORMAT"},
		{name: "CJK plate in the query (positive control)", method: "GET", path: "/v1/violations?plate=%E9%B2%81A12345&plate_type=02", token: staff, status: 200,
			check: func(t *testing.T, a answer) {
				page := decodeInto[api.ViolationPage](t, a.body)
				if len(page.Items) != 4 {
					t.Errorf("鲁A12345 has %d records, want 4", len(page.Items))
				}
				for _, v := range page.Items {
					if v.Plate != "鲁A12345" || v.PlateType != "02" {
						t.Errorf("record of another plate: %+v", v.Violation)
					}
				}
			}},
		{name: "X-Jgctl-As with a staff token (positive control)", method: "GET", path: "/v1/violations", token: staff,
			hdr: map[string]string{"X-Jgctl-As": azLi}, status: 200,
			check: func(t *testing.T, a answer) {
				for _, v := range decodeInto[api.ViolationPage](t, a.body).Items {
					if v.Plate != "鲁B8G666" {
						t.Errorf("staff acting as Li sees %+v", v.Violation)
					}
				}
			}},
	}
	// Sequential: the cases share one store and the expiry cases move its clock.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.bug != "" {
				t.Skip(c.bug)
			}
			token := zhang
			if c.token != nil {
				token = c.token
			}
			tok := token(t)
			before := env.snapshot(t)
			a := env.call(t, c.method, c.path, tok, c.body, c.hdr)
			if a.status != c.status || (c.code != "" && a.code != c.code) || (c.field != "" && a.field != c.field) {
				t.Fatalf("%s %s = %v (field %q), want %d %s %s", c.method, c.path, a, a.field, c.status, c.code, c.field)
			}
			if a.status == http.StatusUnauthorized && a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			if a.status >= 400 && a.code != "" && !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("error answer with Content-Type %q", a.header.Get("Content-Type"))
			}
			if c.check != nil {
				c.check(t, a)
			}
			if after := env.snapshot(t); after != before {
				t.Errorf("request wrote:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	// The decision the malformed payments named is still unpaid.
	if v := env.violation(t, azRecOnsite); v.Status != rules.StatusUnpaid {
		t.Errorf("%s is %s after the bad requests, want unpaid", azRecOnsite, v.Status)
	}
}

// TestLoginThrottling: five wrong passwords lock the ID number out, even
// for the right password, until the 15-minute window passes; other people
// are not affected, and nothing is written meanwhile.
func TestLoginThrottling(t *testing.T) {
	env := newAuthzEnv(t, true)
	login := func(id, pw string) answer {
		return env.call(t, "POST", "/v1/login", "", jsonOf(t, api.LoginRequest{IDNumber: id, Password: pw}), nil)
	}
	// The right password works, and the token is Zhang's.
	a := login(azZhang, azPassword)
	if a.status != http.StatusOK {
		t.Fatalf("login = %v", a)
	}
	tok := decodeInto[api.Token](t, a.body)
	if who := decodeInto[api.Actor](t, env.mustOK(t, "GET", "/v1/whoami", tok.Token, "").body); who.Role != api.RolePerson || who.IDNumber != azZhang {
		t.Fatalf("whoami after login = %+v", who)
	}

	before := env.snapshot(t)
	steps := []struct {
		name, id, pw string
		status       int
		code         string
	}{
		{"wrong 1", azZhang, "wrong-pass-1", 403, "BAD_CREDENTIALS"},
		{"wrong 2", azZhang, "wrong-pass-2", 403, "BAD_CREDENTIALS"},
		{"wrong 3", azZhang, "wrong-pass-3", 403, "BAD_CREDENTIALS"},
		{"wrong 4", azZhang, "wrong-pass-4", 403, "BAD_CREDENTIALS"},
		{"wrong 5", azZhang, "wrong-pass-5", 403, "BAD_CREDENTIALS"},
		{"right, locked out", azZhang, azPassword, 429, "TOO_MANY_ATTEMPTS"},
		{"wrong, locked out", azZhang, "wrong-pass-6", 429, "TOO_MANY_ATTEMPTS"},
		{"unknown ID number", "370104197802030030", azPassword, 403, "BAD_CREDENTIALS"},
		{"empty body", "", "", 403, "BAD_CREDENTIALS"},
	}
	for _, s := range steps {
		a := login(s.id, s.pw)
		if a.status != s.status || a.code != s.code {
			t.Fatalf("%s: login = %v, want %d %s", s.name, a, s.status, s.code)
		}
	}
	if after := env.snapshot(t); after != before {
		t.Errorf("failed logins wrote:\nbefore %+v\nafter  %+v", before, after)
	}
	// Malformed login bodies are bad requests, not attempts.
	if a := env.call(t, "POST", "/v1/login", "", `{"id_number":"`+azLi+`","password":"x","otp":"1"}`, nil); a.status != 400 || a.code != "BAD_JSON" {
		t.Errorf("login with an unknown field = %v, want 400 BAD_JSON", a)
	}
	// Li is not locked out by Zhang's failures.
	if a := login(azLi, azLiPassword); a.status != http.StatusOK {
		t.Errorf("Li's login while Zhang is locked out = %v", a)
	}
	// The earlier token still works: the lockout is for logins only.
	env.mustOK(t, "GET", "/v1/whoami", tok.Token, "")
	// Still locked just before the window ends; free after.
	env.clock.Set(env.clock.Now().Add(15*time.Minute - time.Second))
	if a := login(azZhang, azPassword); a.code != "TOO_MANY_ATTEMPTS" {
		t.Errorf("login 1 s before the window ends = %v, want TOO_MANY_ATTEMPTS", a)
	}
	env.clock.Set(env.clock.Now().Add(time.Second))
	if a := login(azZhang, azPassword); a.status != http.StatusOK {
		t.Errorf("login after the window = %v, want 200", a)
	}
}

// TestLoginThrottlingConcurrent: guesses sent at once must not get more
// than five tries past the throttle.
func TestLoginThrottlingConcurrent(t *testing.T) {
	env := newAuthzEnv(t, true)
	const n = 12
	var wg sync.WaitGroup
	codes := make([]string, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			body := jsonOf(t, api.LoginRequest{IDNumber: azZhang, Password: fmt.Sprintf("guess-%02d", i)})
			req, _ := http.NewRequest("POST", env.srv.URL+"/v1/login", strings.NewReader(body))
			resp, err := env.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var eb server.ErrorBody
			json.NewDecoder(resp.Body).Decode(&eb)
			codes[i] = eb.Error.Code
		})
	}
	close(start)
	wg.Wait()
	checked := 0
	for _, c := range codes {
		if c == "BAD_CREDENTIALS" {
			checked++
		}
	}
	if checked > 5 {
		t.Errorf("%d of %d concurrent guesses were checked (%v), want at most 5", checked, n, codes)
	}
}
