package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

// serveLoopback serves h on 127.0.0.1 and returns its base URL.
func serveLoopback(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }
}

// load sends requests from conns goroutines (one keep-alive connection
// each) for d and returns the rate and the p99 latency. next builds the
// i-th request.
func load(conns int, d time.Duration, next func(i int64) *http.Request) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	hc := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var n atomic.Int64
	rate, lat := perf.Closed(conns, d, func() bool {
		req := next(n.Add(1) - 1)
		resp, err := hc.Do(req)
		check(err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			check(fmt.Errorf("%s %s: HTTP %d", req.Method, req.URL.Path, resp.StatusCode))
		}
		return true
	})
	return result{rate, perf.Quantile(lat, 0.99)}
}

// httpBench measures `jgctl serve` on loopback beside a minimal net/http
// JSON handler measured with the same load generator in the same run.
// With listOnly it stops after the list.
func httpBench(dir string, d time.Duration, listOnly bool) {
	// Baseline: encode a 334-byte record per request.
	rec := map[string]any{"record_no": "V0000000000001", "plate": "鲁A12345", "plate_type": "02", "occurred_at": "2026-11-01T08:00:00+08:00",
		"location": "经十路100号", "code": "1625", "description": "驾驶机动车不按交通信号灯指示通行的", "fine": "200.00", "points": 6, "status": "unhandled"}
	baseURL, stopBase := serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rec)
	}))
	defer stopBase()

	src := filepath.Join(dir, "http.csv")
	genCSVPlates(src, 20_000_000, 200000, 10000, 1) // 20 records a plate, every one decided
	e, st, err := app.Open(filepath.Join(dir, "http.db"), app.Config{Now: now, Store: bolt.Options{FastCommits: true, Create: true}})
	check(err)
	defer st.Close()
	imp := func(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
		return e.Import(ctx, api.Staff, r, data, onReject)
	}
	importFile(imp, src)
	tok, err := e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "bench"})
	check(err)
	// What `jgctl serve` runs (its garbage-collector setting too): metrics, request IDs and a JSON log line per
	// request (written to io.Discard: its encoding counts, a terminal does not).
	server.TuneGC()
	url, stop := serveLoopback(server.Serving(e, server.Options{Metrics: server.NewMetrics(),
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
	defer stop()
	auth := "Bearer " + tok.Token

	base := func(int64) *http.Request { r, _ := http.NewRequest(http.MethodGet, baseURL, nil); return r }
	list := func(i int64) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, url+"/v1/violations?plate_type=02&limit=20&plate="+perf.Plate(int(i*7919%10000)), nil)
		r.Header.Set("Authorization", auth)
		return r
	}
	listed := alternate(
		func() result { return load(64, d, base) },
		profiled(func() result { return load(64, d, list) }))
	listed.report("GET /v1/violations (20 records), 64 connections (req/s)", "minimal net/http JSON handler", "≥ 10,000, p99 ≤ 20 ms")
	if listOnly {
		return
	}

	// Payments get decisions of their own, imported after the listing was
	// measured (so that it ran on its 200,000 records): enough for three
	// rounds at every connection count on a machine twice this one's speed.
	const payable = 600_000
	src = filepath.Join(dir, "http-pay.csv")
	genCSVPlates(src, 30_000_000, payable, 250000, 1)
	importFile(imp, src)
	pay := payRequests(url, auth, 30_000_000, payable, "hb-")
	rawPay, stopRaw, err := perf.RawPayHandler(filepath.Join(dir, "rawpost.db"))
	check(err)
	defer stopRaw()
	rawURL, stopRawSrv := serveLoopback(rawPay)
	defer stopRawSrv()
	var rawNext atomic.Int64
	rawPost := func(int64) *http.Request {
		body, _ := json.Marshal(map[string]any{"decision_no": perf.DecisionNo(int(rawNext.Add(1))), "amount": "200.00"})
		r, _ := http.NewRequest(http.MethodPost, rawURL, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	for _, conns := range []int{1, 8, 64} {
		target := map[int]string{1: "≥ 1,500/s, p99 ≤ 2 ms", 8: "≥ 7,000/s, p99 ≤ 3 ms", 64: "≥ 15,000/s, p99 ≤ 10 ms"}[conns]
		alternate(func() result { return load(conns, d, rawPost) }, func() result { return load(conns, d, pay) }).
			report(fmt.Sprintf("POST /v1/payments (durable), %d connection(s) (req/s)", conns), "durable POST, group commit", target)
	}
}

// payRequests builds POST /v1/payments requests paying the generated
// decisions from, from+1, … (n of them), each with its own key.
func payRequests(url, auth string, from, n int, keyPrefix string) func(int64) *http.Request {
	var next atomic.Int64
	return func(int64) *http.Request {
		i := next.Add(1) - 1
		if i >= int64(n) {
			check(fmt.Errorf("out of decisions: shorten -duration"))
		}
		body, _ := json.Marshal(api.PayRequest{DecisionNo: perf.DecisionNo(from + int(i))})
		r, _ := http.NewRequest(http.MethodPost, url+"/v1/payments", bytes.NewReader(body))
		r.Header.Set("Authorization", auth)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", fmt.Sprint(keyPrefix, i))
		return r
	}
}
