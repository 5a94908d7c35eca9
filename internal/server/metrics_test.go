package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/gateway"
)

// TestMetrics checks that /metrics counts requests by route pattern and status.
func TestMetrics(t *testing.T) {
	e := newEngine(t, time.Now, gateway.NewSandbox(gateway.Approve))
	srv := httptest.NewServer(server.New(e, server.Options{Metrics: server.NewMetrics()}))
	defer srv.Close()
	tok, err := e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := client.New(srv.URL, client.WithToken(tok.Token))
	if _, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations}, strings.NewReader("record_no,plate,plate_type,occurred_at,code,fine,points,source\nR1,鲁A12345,02,2026-01-01T08:00:00+08:00,1625,200,6,camera\n"), nil); err != nil {
		t.Fatal(err)
	}
	c.Accounts.Whoami(context.Background())
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`jgctl_http_requests_total{route="GET /v1/whoami",status="200"} 1`,
		`jgctl_http_requests_total{route="POST /v1/imports/{kind}",status="200"} 1`,
		`jgctl_import_rows_total{kind="violations",result="inserted"} 1`,
		`jgctl_http_request_duration_seconds_count{route="GET /v1/whoami"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
