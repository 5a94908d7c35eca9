package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// BenchmarkServeList serves GET /v1/violations (20 records of one plate
// among 200,000) through the handler stack `jgctl serve` runs, without the
// network: what the HTTP load benchmark (cmd/jgbench -only http) pays per
// request besides net/http.
func BenchmarkServeList(b *testing.B) {
	now := func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China) }
	e, _ := openEngine(b, now, nil)
	var csv bytes.Buffer
	perf.ViolationsCSV(&csv, 20_000_000, 200000, 10000, 1, 20_000_000)
	if _, err := e.Import(context.Background(), api.Staff, api.ImportRequest{Kind: api.ImportViolations}, &csv, nil); err != nil {
		b.Fatal(err)
	}
	tok, err := e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	h := server.Serving(e, server.Options{Metrics: server.NewMetrics(), Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	i := 0
	for b.Loop() {
		i++
		r := httptest.NewRequest(http.MethodGet, "/v1/violations?plate_type=02&limit=20&plate="+perf.Plate(i*7919%10000), nil)
		r.Header.Set("Authorization", "Bearer "+tok.Token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
