package main

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jgctl/jgctl/internal/perf"
)

// pgListBench measures a plate's listing over HTTP (`jgctl serve`'s stack,
// 64 connections) on a PostgreSQL database of n records, beside the minimal
// JSON handler in the same run (issue 9: p99 ≤ 20 ms among 1M records).
func pgListBench(d time.Duration, n int) {
	const plates = 50000
	run := startPG(20_000_000, n, plates)
	defer run.stop()
	dsn, url, auth := run.dsn, run.url, run.auth
	baseURL, stopBase := serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"record_no":"V0000000000001","plate":"鲁A12345","plate_type":"02","status":"unhandled"}`+"\n")
	}))
	defer stopBase()
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
