package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestBankNotification: a signed notification of a payment the platform
// never recorded is applied once; tampered, unsigned or stale ones are
// refused and change nothing.
func TestBankNotification(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, rules.China)
	e := newEngine(t, func() time.Time { return now }, gateway.NewSandbox(gateway.Approve))
	secret := []byte("shared-with-the-bank")
	srv := httptest.NewServer(server.New(e, server.Options{NotifySecret: secret}))
	defer srv.Close()
	ctx := context.Background()
	tok, _ := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "n"})
	staff, _ := client.New(srv.URL, client.WithToken(tok.Token))
	csv := "record_no,plate,plate_type,occurred_at,code,fine,points,source,decision_no,served_on\n" +
		"R1,鲁A12345,02,2026-11-01T08:00:00+08:00,1625,200,6,onsite,3701000000000001,2026-11-20\n"
	if _, err := staff.Imports.Import(ctx, api.ImportRequest{Kind: api.ImportViolations}, strings.NewReader(csv), nil); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(gateway.Charge{OrderID: "ORD-3701000000000001-abcdef0123456789", Ref: "BANK42", Amount: rules.Yuan(200), Paid: true})
	send := func(b []byte, sig string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/gateway/notifications", bytes.NewReader(b))
		req.Header.Set("X-Jgctl-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Applied bool                  `json:"applied"`
			Error   struct{ Code string } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		if out.Applied {
			return resp.StatusCode, "applied"
		}
		return resp.StatusCode, out.Error.Code
	}
	tampered := bytes.Replace(body, []byte(`"200.00"`), []byte(`"2.00"`), 1)
	for _, tc := range []struct {
		name   string
		body   []byte
		sig    string
		status int
		code   string
	}{
		{"unsigned", body, "", 403, "BAD_SIGNATURE"},
		{"tampered body", tampered, server.Sign(secret, body, now), 403, "BAD_SIGNATURE"},
		{"wrong secret", body, server.Sign([]byte("guess"), body, now), 403, "BAD_SIGNATURE"},
		{"stale", body, server.Sign(secret, body, now.Add(-10*time.Minute)), 403, "BAD_SIGNATURE"},
		{"good", body, server.Sign(secret, body, now), 200, "applied"},
		{"repeated", body, server.Sign(secret, body, now.Add(time.Minute)), 200, ""},
	} {
		if status, code := send(tc.body, tc.sig); status != tc.status || code != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, status, code, tc.status, tc.code)
		}
	}
	page, err := staff.Violations.List(ctx, api.ListViolationsRequest{Status: "paid"})
	if err != nil || len(page.Items) != 1 || page.Items[0].PaymentID != "P3701000000000001" {
		t.Fatalf("paid records = %+v, %v", page, err)
	}
	// Without a configured secret, notifications are refused outright.
	off := httptest.NewServer(server.New(e, server.Options{}))
	defer off.Close()
	resp, _ := http.Post(off.URL+"/v1/gateway/notifications", "application/json", bytes.NewReader(body))
	if resp.StatusCode != 403 {
		t.Fatalf("notifications without a secret: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
