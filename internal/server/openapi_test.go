package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/openapi"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// loadSpec loads and validates the generated OpenAPI document.
func loadSpec(t *testing.T) (*openapi3.T, []byte) {
	t.Helper()
	raw := openapi.JSON()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("not a valid OpenAPI document: %v", err)
	}
	return doc, raw
}

// TestOpenAPIForGenerators checks what generated clients rely on: acting
// as a person declared once (a security scheme, not a parameter of every
// operation), a default error response on every operation, shared enums
// by reference, money input as a string only, the token of a new token
// required, the outbox cursor an int64 like seq.
func TestOpenAPIForGenerators(t *testing.T) {
	doc, raw := loadSpec(t)
	if doc.Components.SecuritySchemes["actAs"] == nil {
		t.Error("no actAs security scheme")
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			for _, p := range op.Parameters {
				if p.Value.Name == "X-Jgctl-As" {
					t.Errorf("%s declares X-Jgctl-As as a parameter", key)
				}
			}
			if def := op.Responses.Default(); def == nil || def.Ref != "#/components/responses/Error" {
				t.Errorf("%s: no default error response", key)
			}
		}
	}
	if s := doc.Components.Schemas["MoneyInput"].Value; s.Type == nil || !s.Type.Is("string") || s.Pattern == "" || s.OneOf != nil {
		t.Errorf("MoneyInput = %+v, want a string with a pattern", s)
	}
	if !slices.Contains(doc.Components.Schemas["Token"].Value.Required, "token") {
		t.Error("Token.token is not required")
	}
	for _, p := range doc.Paths.Find("/v1/outbox").Get.Parameters {
		if p.Value.Name == "after" && p.Value.Schema.Value.Format != "int64" {
			t.Errorf("outbox after has format %q, want int64", p.Value.Schema.Value.Format)
		}
	}
	if seq := doc.Components.Schemas["Notification"].Value.Properties["seq"].Value; seq.Format != "int64" {
		t.Errorf("Notification.seq has format %q, want int64", seq.Format)
	}
	if strings.Count(string(raw), `"unhandled"`) != 1 {
		t.Error("the violation statuses are listed more than once (want one shared ViolationStatus)")
	}
	if login := doc.Paths.Find("/v1/login").Post.Description; !strings.Contains(login, "429 TOO_MANY_ATTEMPTS") {
		t.Errorf("login description %q does not say a lockout is 429", login)
	}
}

// TestRoutesServeTheDeclarations sends a request to every declared
// operation: each is routed (no ROUTE_NOT_FOUND or METHOD_NOT_ALLOWED), and
// a path that no declaration has is not.
func TestRoutesServeTheDeclarations(t *testing.T) {
	e := specEngine(t, time.Now)
	h := server.New(e, server.Options{Metrics: server.NewMetrics()})
	for _, op := range api.Operations() {
		i := op.Info()
		path := strings.NewReplacer("{kind}", "violations", "{id}", "x", "{record_no}", "x").Replace(i.Path)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(i.Method, path, nil))
		if w.Code == http.StatusNotFound && strings.Contains(w.Body.String(), "ROUTE_NOT_FOUND") || w.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s %s (%s) is not served: %d %s", i.Method, i.Path, i.ID, w.Code, w.Body)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/undeclared", nil))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"code":"ROUTE_NOT_FOUND"`) {
		t.Errorf("an undeclared path answers %d %s", w.Code, w.Body)
	}
}

// specJSONFields lists the JSON names of a struct's fields (embedded structs
// flattened, as encoding/json does) and whether each may be omitted.
func specJSONFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range specJSONFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
	}
	return out
}

// TestOpenAPISchemas checks the component schemas against the Go types:
// the same JSON property names, and for answers, required exactly when
// the field has neither omitempty nor omitzero.
func TestOpenAPISchemas(t *testing.T) {
	doc, _ := loadSpec(t)
	answers := []struct {
		schema string
		typ    any
	}{
		{"Error", server.ErrorBody{}},
		{"ErrorDetail", server.ErrorBody{}.Error},
		{"Actor", api.Actor{}},
		{"Token", api.Token{}},
		{"Reject", api.Reject{}},
		{"ImportResult", api.ImportResult{}},
		{"Person", rules.Person{}},
		{"Unit", rules.Unit{}},
		{"Binding", rules.Binding{}},
		{"Binding", api.BindResult{}},
		{"Suspension", rules.Suspension{}},
		{"ViolationView", api.ViolationView{}},
		{"ViolationPage", api.ViolationPage{}},
		{"HandleResult", api.HandleResult{}},
		{"Receipt", api.Receipt{}},
		{"Payment", rules.Payment{}},
		{"ReconcileResult", api.ReconcileResult{}},
		{"FeeQuote", rules.FeeQuote{}},
		{"SweepResult", api.SweepResult{}},
		{"Notification", rules.Notification{}},
	}
	requests := []struct {
		schema string
		typ    any
	}{
		{"LoginRequest", api.LoginRequest{}},
		{"TokenRequest", api.TokenRequest{}},
		{"RegisterPersonRequest", api.RegisterPersonRequest{}},
		{"RegisterUnitRequest", api.RegisterUnitRequest{}},
		{"BindVehicleRequest", api.BindVehicleRequest{}},
		{"BindLicenceRequest", api.BindLicenceRequest{}},
		{"ApproveRequest", api.ApproveRequest{}},
		{"HandleRequest", api.HandleRequest{}},
		{"PayRequest", api.PayRequest{}},
		{"QuoteRequest", api.QuoteRequest{}},
		{"ReconcileRequest", api.ReconcileRequest{}},
		{"BankNotification", gateway.Charge{}},
		{"EmptyBody", struct{}{}},
	}
	check := func(name string, typ any, answer bool) {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("components.schemas.%s is missing", name)
			return
		}
		s := ref.Value
		fields := specJSONFields(reflect.TypeOf(typ))
		var props, want []string
		for p := range s.Properties {
			props = append(props, p)
		}
		for f := range fields {
			want = append(want, f)
		}
		sort.Strings(props)
		sort.Strings(want)
		if !slices.Equal(props, want) {
			t.Errorf("%s (%T): properties %v, Go fields %v", name, typ, props, want)
		}
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("%s: additionalProperties should be false", name)
		}
		if !answer {
			for _, r := range s.Required {
				if _, ok := fields[r]; !ok {
					t.Errorf("%s: required %q is not a field", name, r)
				}
			}
			return
		}
		var req []string
		for f, optional := range fields {
			if !optional {
				req = append(req, f)
			}
		}
		sort.Strings(req)
		got := slices.Clone(s.Required)
		sort.Strings(got)
		if !slices.Equal(got, req) {
			t.Errorf("%s (%T): required %v, Go fields without omitempty/omitzero %v", name, typ, got, req)
		}
	}
	for _, a := range answers {
		check(a.schema, a.typ, true)
	}
	for _, r := range requests {
		check(r.schema, r.typ, false)
	}
}

// specEngine is newEngine (server_test.go) with an approving sandbox.
func specEngine(t *testing.T, now func() time.Time) *engine.Engine {
	return newEngine(t, now, gateway.NewSandbox(gateway.Approve))
}

// specStep is one real request, checked against the document.
type specStep struct {
	name        string
	method      string
	path        string // with query
	token       *string
	header      map[string]string
	contentType string
	body        string
	bodyFn      func() string // the body, when it depends on an earlier answer
	signed      bool          // add X-Jgctl-Signature for the body
	// badRequest says the document itself refuses the request (the server
	// must refuse it too).
	badRequest bool
	status     int
	check      func(t *testing.T, body []byte)
}

// TestOpenAPIRequests sends real requests to the server and validates
// each request and answer against the document with openapi3filter.
func TestOpenAPIRequests(t *testing.T) {
	doc, raw := loadSpec(t)
	doc.Servers = nil // match paths on any host (the test server's port)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder)
	t.Cleanup(func() { openapi3filter.UnregisterBodyDecoder("application/x-ndjson") })

	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	e := specEngine(t, func() time.Time { return now })
	secret := []byte("shared-with-the-bank")
	srv := httptest.NewServer(server.New(e, server.Options{Metrics: server.NewMetrics(), NotifySecret: secret}))
	defer srv.Close()
	tok, err := e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	staff, person, none, forged := tok.Token, "", "", "jg_forged"
	var order string // of the payment, for reconcile and the bank's notification
	file := func(name string) string {
		b, err := fs.ReadFile(examples.Files, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const zhang = "370102199003071238"
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			hdr := in.RequestValidationInput.Request.Header
			switch in.SecuritySchemeName {
			case "bearerAuth":
				if tok, ok := strings.CutPrefix(hdr.Get("Authorization"), "Bearer "); !ok || tok == "" {
					return errors.New("no bearer token")
				}
			case "actAs":
				if hdr.Get("X-Jgctl-As") == "" {
					return errors.New("not acting as anyone")
				}
			case "bankSignature":
				if hdr.Get("X-Jgctl-Signature") == "" {
					return errors.New("no signature")
				}
			default:
				return fmt.Errorf("unknown security scheme %s", in.SecuritySchemeName)
			}
			return nil
		},
	}
	steps := []specStep{
		{name: "healthz", method: "GET", path: "/healthz", status: 200},
		{name: "readyz", method: "GET", path: "/readyz", status: 200},
		{name: "openapi", method: "GET", path: "/v1/openapi.json", status: 200, check: func(t *testing.T, b []byte) {
			if !bytes.Equal(b, raw) {
				t.Error("GET /v1/openapi.json does not serve openapi.json")
			}
		}},
		{name: "no token", method: "GET", path: "/v1/whoami", token: &none, badRequest: true, status: 401},
		{name: "forged token", method: "GET", path: "/v1/whoami", token: &forged, status: 401},
		{name: "whoami staff", method: "GET", path: "/v1/whoami", token: &staff, status: 200, check: func(t *testing.T, b []byte) {
			if string(b) != `{"role":"staff","name":"t"}`+"\n" {
				t.Errorf("whoami = %s", b)
			}
		}},
		{name: "import licences", method: "POST", path: "/v1/imports/licences", token: &staff, contentType: "text/csv", body: file("licences.csv"), status: 200},
		{name: "import vehicles", method: "POST", path: "/v1/imports/vehicles?format=csv&chunk_size=2", token: &staff, contentType: "text/csv", body: file("vehicles.csv"), status: 200},
		{name: "import violations", method: "POST", path: "/v1/imports/violations", token: &staff, contentType: "text/csv", body: file("violations.csv"), status: 200},
		{name: "import jsonl", method: "POST", path: "/v1/imports/violations?format=jsonl", token: &staff, contentType: "application/x-ndjson", body: file("violations.jsonl"), status: 200},
		{name: "import bad kind", method: "POST", path: "/v1/imports/drivers", token: &staff, contentType: "text/csv", body: "a\n", badRequest: true, status: 400},
		{name: "register", method: "POST", path: "/v1/persons", header: map[string]string{"Idempotency-Key": "reg-1"},
			body: `{"id_number":"` + zhang + `","name":"张三","phone":"13800138000","licence_file_no":"370100123456","password":"zhangsan2026"}`, status: 200},
		{name: "register again", method: "POST", path: "/v1/persons",
			body: `{"id_number":"` + zhang + `","name":"张三","phone":"13800138000","licence_file_no":"370100123456"}`, status: 409},
		{name: "login failure", method: "POST", path: "/v1/login", body: `{"id_number":"` + zhang + `","password":"notmypassword1"}`, status: 403,
			check: func(t *testing.T, b []byte) {
				if !strings.Contains(string(b), `"code":"BAD_CREDENTIALS"`) {
					t.Errorf("login failure: %s", b)
				}
			}},
		{name: "login", method: "POST", path: "/v1/login", body: `{"id_number":"` + zhang + `","password":"zhangsan2026"}`, status: 200,
			check: func(t *testing.T, b []byte) {
				var tk api.Token
				if err := json.Unmarshal(b, &tk); err != nil || tk.Token == "" {
					t.Fatalf("login: %s (%v)", b, err)
				}
				person = tk.Token
			}},
		{name: "whoami as", method: "GET", path: "/v1/whoami", token: &staff, header: map[string]string{"X-Jgctl-As": zhang}, status: 200},
		{name: "as by a person", method: "GET", path: "/v1/whoami", token: &person, header: map[string]string{"X-Jgctl-As": zhang}, status: 403},
		{name: "service token", method: "POST", path: "/v1/tokens", token: &staff, body: `{"role":"bank","name":"icbc","ttl":"720h"}`, status: 200},
		{name: "bind vehicle", method: "POST", path: "/v1/bindings/vehicles", token: &person, header: map[string]string{"Idempotency-Key": "bind-1"},
			body: `{"plate":"鲁A12345","plate_type":"02"}`, status: 200},
		{name: "bind licence", method: "POST", path: "/v1/bindings/licence", token: &person, status: 200},
		{name: "list bindings", method: "GET", path: "/v1/bindings?id_number=" + zhang, token: &staff, status: 200},
		{name: "list bindings staff without id", method: "GET", path: "/v1/bindings", token: &staff, status: 400},
		{name: "violations by plate", method: "GET", path: "/v1/violations?plate=%E9%B2%81A12345&plate_type=02", token: &staff, status: 200,
			check: func(t *testing.T, b []byte) {
				var p api.ViolationPage
				if err := json.Unmarshal(b, &p); err != nil || len(p.Items) == 0 {
					t.Errorf("violations by plate: %s (%v)", b, err)
				}
			}},
		{name: "violations page", method: "GET", path: "/v1/violations?limit=2", token: &staff, status: 200},
		{name: "violations bad limit", method: "GET", path: "/v1/violations?limit=-1", token: &staff, badRequest: true, status: 400},
		{name: "violations of a person", method: "GET", path: "/v1/violations?status=unhandled", token: &person, status: 200},
		{name: "handle", method: "POST", path: "/v1/violations/3701002026100100001/handle", token: &person, header: map[string]string{"Idempotency-Key": "handle-1"}, status: 200},
		{name: "handle unknown", method: "POST", path: "/v1/violations/nope/handle", token: &person, status: 404},
		{name: "pay", method: "POST", path: "/v1/payments", token: &person, header: map[string]string{"Idempotency-Key": "pay-1"},
			body: `{"record_no":"3701002026100100001"}`, status: 200,
			check: func(t *testing.T, b []byte) {
				var r api.Receipt
				if err := json.Unmarshal(b, &r); err != nil || r.OrderID == "" {
					t.Fatalf("pay: %s (%v)", b, err)
				}
				order = r.OrderID
			}},
		{name: "pay replay", method: "POST", path: "/v1/payments", token: &person, body: `{"record_no":"3701002026100100001","idempotency_key":"pay-1"}`, status: 200,
			check: func(t *testing.T, b []byte) {
				if !strings.Contains(string(b), `"replayed":true`) {
					t.Errorf("replay: %s", b)
				}
			}},
		{name: "pay again", method: "POST", path: "/v1/payments", token: &person, header: map[string]string{"Idempotency-Key": "pay-2"},
			body: `{"record_no":"3701002026100100001"}`, status: 409},
		{name: "pay without key", method: "POST", path: "/v1/payments", token: &person, body: `{"decision_no":"x"}`, status: 400},
		{name: "reconcile", method: "POST", path: "/v1/payments/reconcile", token: &staff,
			bodyFn: func() string { return `{"gateway_order_id":"` + order + `"}` }, status: 200,
			check: func(t *testing.T, b []byte) {
				if !strings.Contains(string(b), `"gateway_paid":true,"applied":false`) {
					t.Errorf("reconcile: %s", b)
				}
			}},
		{name: "reconcile by a person", method: "POST", path: "/v1/payments/reconcile", token: &person,
			bodyFn: func() string { return `{"gateway_order_id":"` + order + `"}` }, status: 403},
		{name: "reconcile bad order", method: "POST", path: "/v1/payments/reconcile", token: &staff, body: `{"gateway_order_id":"x"}`, status: 400},
		{name: "bank notification", method: "POST", path: "/v1/gateway/notifications", signed: true,
			bodyFn: func() string { return `{"order_id":"` + order + `","ref":"BANK42","amount":"200.00","paid":true}` }, status: 200},
		{name: "unsigned notification", method: "POST", path: "/v1/gateway/notifications",
			bodyFn: func() string { return `{"order_id":"` + order + `","amount":"200.00","paid":true}` }, badRequest: true, status: 403},
		{name: "quote", method: "POST", path: "/v1/fines/quote", token: &staff,
			body: `{"fine":"200","served_on":"2024-03-04","on":"2024-03-29","suspensions":[{"from":"2024-03-20","to":"2024-03-21"}]}`, status: 200,
			check: func(t *testing.T, b []byte) {
				var q rules.FeeQuote
				if err := json.Unmarshal(b, &q); err != nil || q.AmountDue.String() != "248.00" {
					t.Errorf("quote: %s (%v)", b, err)
				}
			}},
		// The document offers money as a string only (a generated client would
		// round a number through a float); the server still reads a number.
		{name: "quote with a number", method: "POST", path: "/v1/fines/quote", token: &staff, body: `{"fine":200,"served_on":"2024-03-04","on":"2024-03-04"}`, badRequest: true, status: 200},
		{name: "malformed JSON", method: "POST", path: "/v1/fines/quote", token: &staff, body: `{"fine":`, badRequest: true, status: 400,
			check: func(t *testing.T, b []byte) {
				if !strings.Contains(string(b), `"code":"BAD_JSON"`) {
					t.Errorf("malformed JSON: %s", b)
				}
			}},
		{name: "unknown field", method: "POST", path: "/v1/fines/quote", token: &staff, body: `{"fine":"200","served_on":"2024-03-04","extra":1}`, badRequest: true, status: 400},
		{name: "too large", method: "POST", path: "/v1/login", body: `{"id_number":"` + strings.Repeat("1", 1<<20) + `"}`, badRequest: true, status: 400,
			check: func(t *testing.T, b []byte) {
				if !strings.Contains(string(b), `"code":"BODY_TOO_LARGE"`) {
					t.Errorf("too large: %s", b)
				}
			}},
		{name: "units not found", method: "POST", path: "/v1/units", token: &staff,
			body: `{"credit_code":"91370100MA3C4X5Y6W","name":"济南顺达物流有限公司","agent_id_number":"370203198507152012"}`, status: 404},
		{name: "sweep", method: "POST", path: "/v1/sweep", token: &staff, status: 200},
		{name: "sweep by a person", method: "POST", path: "/v1/sweep", token: &person, body: `{}`, status: 403},
		{name: "outbox", method: "GET", path: "/v1/outbox?after=0&limit=10", token: &staff, status: 200},
		{name: "remove binding unknown", method: "DELETE", path: "/v1/bindings/nope", token: &person, status: 404},
		{name: "logout", method: "POST", path: "/v1/logout", token: &person, status: 200},
		{name: "after logout", method: "GET", path: "/v1/whoami", token: &person, status: 401},
		{name: "metrics", method: "GET", path: "/metrics", status: 200},
	}
	for _, s := range steps {
		newReq := func() *http.Request {
			text := s.body
			if s.bodyFn != nil {
				text = s.bodyFn()
			}
			var body io.Reader
			if text != "" {
				body = strings.NewReader(text)
			}
			req, err := http.NewRequest(s.method, srv.URL+s.path, body)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case s.contentType != "":
				req.Header.Set("Content-Type", s.contentType)
			case text != "":
				req.Header.Set("Content-Type", "application/json")
			}
			if s.signed {
				req.Header.Set("X-Jgctl-Signature", server.Sign(secret, []byte(text), now))
			}
			if s.token != nil && *s.token != "" {
				req.Header.Set("Authorization", "Bearer "+*s.token)
			}
			for k, v := range s.header {
				req.Header.Set(k, v)
			}
			return req
		}
		t.Run(s.name, func(t *testing.T) {
			req := newReq()
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("%s %s is not in the document: %v", s.method, s.path, err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			err = openapi3filter.ValidateRequest(context.Background(), in)
			if s.badRequest && err == nil {
				t.Error("the document accepts the request; want it refused")
			}
			if !s.badRequest && err != nil {
				t.Errorf("request does not match the document: %v", err)
			}
			resp, err := srv.Client().Do(newReq())
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != s.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, s.status, b)
			}
			if err := specValidateResponse(in, resp, b); err != nil {
				t.Errorf("answer does not match the document: %v\n%s", err, specClip(b))
			}
			if s.check != nil {
				s.check(t, b)
			}
		})
	}
}

func specValidateResponse(in *openapi3filter.RequestValidationInput, resp *http.Response, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                in.Options,
	}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

func specClip(b []byte) string {
	if len(b) > 2000 {
		return fmt.Sprintf("%s… (%d bytes)", b[:2000], len(b))
	}
	return string(b)
}
