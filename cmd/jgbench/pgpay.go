package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jgctl/jgctl/internal/perf"
)

// pgPayBench measures durable payments through `jgctl serve`'s stack on a
// private PostgreSQL server, 64 connections, beside raw single-row INSERT
// transactions from 64 clients on the same server in the same run (issue
// 9: at least 0.5× the raw rate).
func pgPayBench(d time.Duration, payable int) {
	ctx := context.Background()
	run := startPG(30_000_000, payable, payable/4)
	defer run.stop()
	dsn := run.dsn

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

	pay := payRequests(run.url, run.auth, 30_000_000, payable, "pg-")
	load(64, d, pay) // warm: the server's buffer cache, its plans, the pool
	raw()
	alternate(raw, profiled(func() result { return payCPU.measure(d, func() result { return load(64, d, pay) }) })).
		report("PostgreSQL: POST /v1/payments (durable), 64 connections (req/s)", "raw one-row INSERT transactions, 64 clients", "≥ 0.5× raw")
	payCPU.report("payment")
	rawCPU.report("raw INSERT")
}
