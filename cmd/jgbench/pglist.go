package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
)

// pgListBench measures a plate's listing over HTTP (`jgctl serve`'s stack,
// 64 connections) on a PostgreSQL database of n records, beside the minimal
// JSON handler in the same run (issue 9: p99 ≤ 20 ms among 1M records).
func pgListBench(d time.Duration, n int) {
	ctx := context.Background()
	cluster, err := pgtest.Start(ctx, pgServer...)
	check(err)
	defer cluster.Stop()
	dsn, err := cluster.CreateDB(ctx, "jgbench", "read committed")
	check(err)
	_, _, err = app.Migrate(ctx, dsn, false)
	check(err)
	e, st, err := app.Open(dsn, app.Config{Now: now})
	check(err)
	defer st.Close()
	dir, err := os.MkdirTemp("", "jgbench-pg-")
	check(err)
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "list.csv")
	const plates = 50000
	genCSVPlates(src, 20_000_000, n, plates, 1)
	importFile(func(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
		return e.Import(ctx, api.Staff, r, data, onReject)
	}, src)
	tok, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "bench"})
	check(err)
	baseURL, stopBase := serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"record_no":"V0000000000001","plate":"鲁A12345","plate_type":"02","status":"unhandled"}`+"\n")
	}))
	defer stopBase()
	server.TuneGC()
	url, stop := serveLoopback(server.Serving(e, server.Options{Metrics: server.NewMetrics(), Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
	defer stop()
	auth := "Bearer " + tok.Token
	base := func(int64) *http.Request { r, _ := http.NewRequest(http.MethodGet, baseURL, nil); return r }
	list := func(i int64) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, url+"/v1/violations?plate_type=02&limit=20&plate="+perf.Plate(int(i*7919%plates)), nil)
		r.Header.Set("Authorization", auth)
		return r
	}
	var baseCPU, listCPU = cpuMeter{dsn: dsn}, cpuMeter{dsn: dsn}
	load(64, d, list) // warm: the server's buffer cache, its plans, the pool
	alternate(func() result { return baseCPU.measure(d, func() result { return load(64, d, base) }) },
		profiled(func() result { return listCPU.measure(d, func() result { return load(64, d, list) }) })).
		report(fmt.Sprintf("PostgreSQL: GET /v1/violations (20 of a plate's records among %d), 64 connections (req/s)", n), "minimal net/http JSON handler", "p99 ≤ 20 ms")
	listCPU.report("listing")
	baseCPU.report("minimal handler")
}
