package oapitest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
)

const zhang = "370102199003071238"

func header(name, value string) ClientOption {
	return WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set(name, value)
		return nil
	})
}

// TestFlowThroughAGeneratedClient runs the README's flow through the
// generated client: import, register, log in, bind, list, handle, pay
// (and replay), errors through the default response, acting as a person
// set once, a quote with money as a string, the outbox by int64 cursor.
func TestFlowThroughAGeneratedClient(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	store, err := embedded.Open(filepath.Join(t.TempDir(), "jgctl.db"), embedded.WithClock(func() time.Time { return now }), embedded.UnsafeNoSync(), embedded.CreateIfMissing())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tok, err := store.Accounts.CreateToken(ctx, api.TokenRequest{Role: api.RoleStaff, Name: "oapi"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	staff, err := NewClientWithResponses(srv.URL, header("Authorization", "Bearer "+tok.Token))
	if err != nil {
		t.Fatal(err)
	}
	open, _ := NewClientWithResponses(srv.URL)

	for _, o := range examples.Order {
		f, err := examples.Files.Open(o.File)
		if err != nil {
			t.Fatal(err)
		}
		res, err := staff.ImportDataWithBodyWithResponse(ctx, ImportKind(o.Kind), nil, "text/csv", f)
		f.Close()
		if err != nil || res.JSON200 == nil || res.JSON200.Rejected != 0 {
			t.Fatalf("import %s: %v %s", o.File, err, res.Body)
		}
	}

	pw, fileNo := "zhangsan2026", "370100123456"
	reg, err := open.RegisterPersonWithResponse(ctx, nil, RegisterPersonRequest{IdNumber: zhang, Name: "张三", Phone: "13800138000", LicenceFileNo: &fileNo, Password: &pw})
	if err != nil || reg.JSON200 == nil || reg.JSON200.RegisteredVia != "licence" {
		t.Fatalf("register: %v %s", err, reg.Body)
	}
	login, err := open.LoginWithResponse(ctx, LoginRequest{IdNumber: zhang, Password: pw})
	if err != nil || login.JSON200 == nil || login.JSON200.Token == "" {
		t.Fatalf("login: %v %s", err, login.Body)
	}
	person, _ := NewClientWithResponses(srv.URL, header("Authorization", "Bearer "+login.JSON200.Token))
	if r, err := person.BindVehicleWithResponse(ctx, nil, BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil || r.JSON200 == nil {
		t.Fatalf("bind vehicle: %v %s", err, r.Body)
	}
	if r, err := person.BindLicenceWithResponse(ctx, nil, BindLicenceRequest{}); err != nil || r.JSON200 == nil {
		t.Fatalf("bind licence: %v %s", err, r.Body)
	}

	list, err := person.ListViolationsWithResponse(ctx, &ListViolationsParams{})
	if err != nil || list.JSON200 == nil || len(list.JSON200.Items) != 4 {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	unpaid := Unpaid
	list, err = person.ListViolationsWithResponse(ctx, &ListViolationsParams{Status: &unpaid})
	if err != nil || list.JSON200 == nil || len(list.JSON200.Items) != 1 || list.JSON200.Items[0].AmountDue != "50.00" {
		t.Fatalf("unpaid: %v %s", err, list.Body)
	}

	h, err := person.HandleViolationWithResponse(ctx, "3701002026100100001", nil, HandleViolationJSONRequestBody{})
	if err != nil || h.JSON200 == nil || len(h.JSON200.DecisionNo) != 16 {
		t.Fatalf("handle: %v %s", err, h.Body)
	}
	key := IdempotencyKey("pay-1")
	pay := PayRequest{DecisionNo: &h.JSON200.DecisionNo}
	r1, err := person.PayWithResponse(ctx, &PayParams{IdempotencyKey: &key}, pay)
	if err != nil || r1.JSON200 == nil || r1.JSON200.Amount != "200.00" {
		t.Fatalf("pay: %v %s", err, r1.Body)
	}
	r2, err := person.PayWithResponse(ctx, &PayParams{IdempotencyKey: &key}, pay)
	if err != nil || r2.JSON200 == nil || r2.JSON200.PaymentId != r1.JSON200.PaymentId || r2.JSON200.Replayed == nil || !*r2.JSON200.Replayed {
		t.Fatalf("replay: %v %s", err, r2.Body)
	}
	other := "3701009999999999"
	key2 := IdempotencyKey("pay-2")
	bad, err := person.PayWithResponse(ctx, &PayParams{IdempotencyKey: &key2}, PayRequest{DecisionNo: &other})
	if err != nil || bad.StatusCode() != http.StatusNotFound || bad.JSONDefault == nil || bad.JSONDefault.Error.Code != "DECISION_NOT_FOUND" {
		t.Fatalf("an unknown decision: %v %d %s", err, bad.StatusCode(), bad.Body)
	}

	// Acting as a person: one header for the client, no parameter per call.
	as, _ := NewClientWithResponses(srv.URL, header("Authorization", "Bearer "+tok.Token), header("X-Jgctl-As", zhang))
	who, err := as.WhoamiWithResponse(ctx)
	if err != nil || who.JSON200 == nil || who.JSON200.Role != RolePerson || who.JSON200.IdNumber == nil || *who.JSON200.IdNumber != zhang {
		t.Fatalf("whoami as Zhang: %v %s", err, who.Body)
	}

	var served, on Date
	served.Time, on.Time = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC)
	q, err := staff.QuoteFineWithResponse(ctx, QuoteRequest{Fine: "1234567.89", ServedOn: served, On: &on})
	if err != nil || q.JSON200 == nil || q.JSON200.Fine != "1234567.89" {
		t.Fatalf("quote: %v %s", err, q.Body)
	}

	after := int64(0)
	out, err := staff.OutboxWithResponse(ctx, &OutboxParams{After: &after})
	if err != nil || out.JSON200 == nil || len(*out.JSON200) == 0 {
		t.Fatalf("outbox: %v %s", err, out.Body)
	}
	last := (*out.JSON200)[len(*out.JSON200)-1].Seq
	out, err = staff.OutboxWithResponse(ctx, &OutboxParams{After: &last})
	if err != nil || out.JSON200 == nil || len(*out.JSON200) != 0 {
		t.Fatalf("outbox after the last: %v %s", err, out.Body)
	}

	if r, err := person.LogoutWithResponse(ctx, LogoutJSONRequestBody{}); err != nil || r.JSON200 == nil || !r.JSON200.LoggedOut {
		t.Fatalf("logout: %v %s", err, r.Body)
	}
	if r, err := person.WhoamiWithResponse(ctx); err != nil || r.StatusCode() != http.StatusUnauthorized || r.JSONDefault == nil || r.JSONDefault.Error.Code != "UNAUTHENTICATED" {
		t.Fatalf("after logout: %v %s", err, r.Body)
	}
}
