package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jgctl/jgctl/internal/perf"
)

// listQuery is the statement the store sends for a page of a plate's
// records (pkg/store/pg, Tx.Violations), for the raw baseline.
const listQuery = `SELECT v.doc, p.doc FROM violations v
	LEFT JOIN payments p ON p.decision_no = v.decision_no AND v.status IN ('unpaid', 'pending')
	WHERE v.plate = $1 AND v.plate_type = $2 ORDER BY v.record_no LIMIT $3`

// pgListBench measures a plate's listing over HTTP (`jgctl serve`'s stack,
// 64 connections) on a PostgreSQL database of n records (issue 9: p99 ≤
// 20 ms among 1M records), beside two baselines in the same run: the
// minimal JSON handler under the same load, and the listing's query alone
// from 64 clients of a pgx pool (no HTTP, rows read but not decoded).
// With wrk installed the HTTP load comes from wrk, as in the reference
// machine's figures.
func pgListBench(dir string, d time.Duration, n int) {
	const plates = 50000
	run := startPG(20_000_000, n, plates)
	defer run.stop()
	dsn, auth := run.dsn, run.auth
	baseURL, stopBase := serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"record_no":"V0000000000001","plate":"鲁A12345","plate_type":"02","status":"unhandled"}`+"\n")
	}))
	defer stopBase()
	paths := make([]string, plates)
	for i := range paths {
		paths[i] = "/v1/violations?plate_type=02&limit=20&plate=" + url.QueryEscape(perf.Plate(i*7919%plates))
	}
	get := func(u string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, u, nil)
		r.Header.Set("Authorization", auth)
		return r
	}
	loadBase := func() result { return load(64, d, func(int64) *http.Request { return get(baseURL) }) }
	loadList := func() result {
		return load(64, d, func(i int64) *http.Request { return get(run.url + paths[i%plates]) })
	}
	by := "Go client in this process"
	if w, ok := findWrk(dir); ok {
		loadBase = func() result { return w.load(64, d, baseURL, []string{"/"}, "") }
		loadList = func() result { return w.load(64, d, run.url, paths, auth) }
		by = "wrk -t1"
	}

	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn) // the store's pool size: pgxpool's default
	check(err)
	defer pool.Close()
	rawQuery := func() result {
		var next atomic.Int64
		rate, lat := perf.Closed(64, d, func() bool {
			rows, err := pool.Query(ctx, listQuery, perf.Plate(int(next.Add(1)*7919%plates)), "02", 20)
			check(err)
			for rows.Next() {
			}
			check(rows.Err())
			return true
		})
		return result{rate, perf.Quantile(lat, 0.99)}
	}

	var baseCPU, listCPU, rawCPU = cpuMeter{dsn: dsn}, cpuMeter{dsn: dsn}, cpuMeter{dsn: dsn}
	loadList() // warm: the server's buffer cache, its plans, the pool
	rawQuery()
	measure := func(m *cpuMeter, run func() result) func() result {
		return func() result { return m.measure(d, run) }
	}
	what := fmt.Sprintf("PostgreSQL: GET /v1/violations (20 of a plate's records among %d), 64 connections, load by %s (req/s)", n, by)
	alternate(measure(&baseCPU, loadBase), profiled(measure(&listCPU, loadList))).report(what, "minimal net/http JSON handler", "p99 ≤ 20 ms")
	alternate(measure(&rawCPU, rawQuery), measure(&listCPU, loadList)).report(what, "the listing's query alone, 64 clients of a pgx pool", "")
	listCPU.report("listing")
	baseCPU.report("minimal handler")
	rawCPU.report("the query alone")
}
