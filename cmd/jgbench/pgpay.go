package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
)

// pgPayBench measures durable payments through `jgctl serve`'s stack on a
// private PostgreSQL server, 64 connections, beside raw single-row INSERT
// transactions from 64 clients on the same server in the same run (issue
// 9: at least 0.5× the raw rate).
func pgPayBench(d time.Duration, payable int) {
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
	src := filepath.Join(dir, "pay.csv")
	genCSVPlates(src, 30_000_000, payable, payable/4, 1)
	importFile(func(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
		return e.Import(ctx, api.Staff, r, data, onReject)
	}, src)
	tok, err := e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "bench"})
	check(err)

	// The baseline: one-row INSERT transactions (autocommit) into a table
	// like the audit log, from 64 clients.
	cfg, err := pgxpool.ParseConfig(dsn)
	check(err)
	cfg.MaxConns = 64
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	check(err)
	defer pool.Close()
	_, err = pool.Exec(ctx, "CREATE TABLE raw_insert (seq bigserial PRIMARY KEY, doc jsonb NOT NULL)")
	check(err)
	var rawNext atomic.Int64
	var rawCPU, payCPU = cpuMeter{dsn: dsn}, cpuMeter{dsn: dsn}
	raw := func() result {
		return rawCPU.measure(d, func() result {
			rate, lat := perf.Closed(64, d, func() bool {
				_, err := pool.Exec(ctx, "INSERT INTO raw_insert (doc) VALUES ($1)", fmt.Sprintf(`{"n":%d}`, rawNext.Add(1)))
				check(err)
				return true
			})
			return result{rate, perf.Quantile(lat, 0.99)}
		})
	}

	server.TuneGC()
	url, stop := serveLoopback(server.Serving(e, server.Options{Metrics: server.NewMetrics(), Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
	defer stop()
	auth := "Bearer " + tok.Token
	var next atomic.Int64
	pay := func(int64) *http.Request {
		i := next.Add(1) - 1
		if i >= int64(payable) {
			check(fmt.Errorf("out of decisions: raise -pg-pay or shorten -duration"))
		}
		body, _ := json.Marshal(api.PayRequest{DecisionNo: perf.DecisionNo(30_000_000 + int(i))})
		r, _ := http.NewRequest(http.MethodPost, url+"/v1/payments", bytes.NewReader(body))
		r.Header.Set("Authorization", auth)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", fmt.Sprint("pg-", i))
		return r
	}
	load(64, d, pay) // warm: the server's buffer cache, its plans, the pool
	raw()
	alternate(raw, profiled(func() result { return payCPU.measure(d, func() result { return load(64, d, pay) }) })).
		report("PostgreSQL: POST /v1/payments (durable), 64 connections (req/s)", "raw one-row INSERT transactions, 64 clients", "≥ 0.5× raw")
	payCPU.report("payment")
	rawCPU.report("raw INSERT")
}

// pgServer is how the benchmarks' PostgreSQL server is set up: durable,
// with a buffer cache of 1 GB (a quarter of a small server's memory, the
// usual sizing, and enough for the tables of a 1M-record benchmark).
var pgServer = append(pgtest.Durable, "shared_buffers = 1GB")
