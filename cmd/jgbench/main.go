// Command jgbench measures jgctl's performance targets beside raw bbolt
// baselines in the same run, and prints a Markdown table for
// docs/performance.md. Run it through scripts/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
)

var now = func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China) }

func main() {
	dir := flag.String("dir", "", "work directory (default: a temporary one, removed at the end)")
	rows := flag.Int("rows", 1000000, "rows per import round")
	dur := flag.Duration("duration", 3*time.Second, "length of each payment run")
	only := flag.String("only", "", "run only: import, list, pay, http or http-list (the HTTP list alone, for profiling)")
	cpu := flag.String("cpuprofile", "", "write a CPU profile here (with -only http-list or -pg-list: of the list load alone; with -pg-pay: of the payments)")
	gen := flag.String("gen", "", "only write -rows violation rows as CSV to this file")
	pgList := flag.Int("pg-list", 0, "only: the HTTP listing on PostgreSQL among this many records (a private server from the machine's binaries)")
	pgPay := flag.Int("pg-pay", 0, "only: payments over HTTP on PostgreSQL, with this many decisions to pay (a private server from the machine's binaries)")
	flag.Parse()
	if *gen != "" {
		genCSV(*gen, 0, *rows, 10)
		return
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		check(err)
		defer f.Close()
		if *only == "http-list" || *pgList > 0 || *pgPay > 0 {
			profileOut = f
		} else {
			check(pprof.StartCPUProfile(f))
			defer pprof.StopCPUProfile()
		}
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "jgbench-")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}
	if *pgList > 0 {
		pgListBench(*dir, *dur, *pgList)
		return
	}
	if *pgPay > 0 {
		pgPayBench(*dur, *pgPay)
		return
	}
	fmt.Println("| measure | jgctl | raw baseline (same run) | ratio | target |")
	fmt.Println("|---|---:|---:|---:|---|")
	if *only == "" || *only == "import" || *only == "list" {
		importAndList(*dir, *rows, *only)
	}
	if *only == "" || *only == "pay" {
		payments(*dir, *dur)
	}
	if *only == "" || strings.HasPrefix(*only, "http") {
		httpBench(*dir, *dur, *only == "http-list")
	}
}

// profileOut, when set, receives a CPU profile of the HTTP list load alone.
var profileOut io.Writer

// profiled runs a load, writing a CPU profile of its first run to profileOut if set.
func profiled(run func() result) func() result {
	return func() result {
		if profileOut != nil {
			check(pprof.StartCPUProfile(profileOut))
			defer pprof.StopCPUProfile()
			profileOut = nil // the first round's
		}
		return run()
	}
}

// onFailure holds what check undoes before it exits (the private
// PostgreSQL servers), newest first.
var onFailure []func()

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "jgbench:", err)
		for i := len(onFailure) - 1; i >= 0; i-- {
			onFailure[i]()
		}
		os.Exit(1)
	}
}

func row(measure, got, base string, ratio float64, target string) {
	r := ""
	if ratio > 0 {
		r = fmt.Sprintf("%.2f", ratio)
	}
	fmt.Printf("| %s | %s | %s | %s | %s |\n", measure, got, base, r, target)
}

func genCSV(path string, from, n, decisionEvery int) {
	genCSVPlates(path, from, n, 250000, decisionEvery)
}

func genCSVPlates(path string, from, n, plates, decisionEvery int) {
	f, err := os.Create(path)
	check(err)
	check(perf.ViolationsCSV(f, from, n, plates, decisionEvery, uint64(from)))
	check(f.Close())
}

// importer is an Import method: of an embedded client's Imports, or over an engine.
type importer func(context.Context, api.ImportRequest, io.Reader, func(api.Reject)) (*api.ImportResult, error)

func importFile(imp importer, path string) (int, time.Duration) {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	start := time.Now()
	res, err := imp(context.Background(), api.ImportRequest{Kind: api.ImportViolations}, f, nil)
	check(err)
	if res.Rejected > 0 {
		check(fmt.Errorf("import rejected %d rows: %v", res.Rejected, res.Rejects[0]))
	}
	return res.Inserted, time.Since(start)
}

func importAndList(dir string, n int, only string) {
	a, b := filepath.Join(dir, "round0.csv"), filepath.Join(dir, "round1.csv")
	genCSV(a, 0, n, 10)
	genCSV(b, n, n, 10)

	rawPath := filepath.Join(dir, "raw.db")
	start := time.Now()
	rn, err := perf.RawImport(rawPath, a)
	check(err)
	rawRate := float64(rn) / time.Since(start).Seconds()

	c, err := embedded.Open(filepath.Join(dir, "jgctl.db"), embedded.CreateIfMissing(), embedded.WithClock(now))
	check(err)
	defer c.Close()
	n0, d0 := importFile(c.Imports.Import, a)
	r0 := float64(n0) / d0.Seconds()
	row(fmt.Sprintf("import %d violations into an empty store (rows/s)", n), fmt.Sprintf("%.0f", r0), fmt.Sprintf("%.0f (pipelined, 2 indexes)", rawRate), r0/rawRate, "≥ 150,000")
	n1, d1 := importFile(c.Imports.Import, b)
	r1 := float64(n1) / d1.Seconds()
	row(fmt.Sprintf("import %d more into a store of %d (rows/s)", n, n), fmt.Sprintf("%.0f", r1), fmt.Sprintf("%.0f (into empty)", rawRate), r1/rawRate, "≥ 100,000")

	raw, err := perf.OpenRaw(rawPath)
	check(err)
	defer raw.Close()
	const lists = 20000
	ctx := context.Background()
	plates := make([]string, lists)
	for i := range plates {
		plates[i] = perf.Plate((i * 7919) % 250000)
	}
	var jl, rl []time.Duration
	items := 0
	for pass := range 2 { // the first pass warms the page cache
		jl, rl = jl[:0], rl[:0]
		for _, p := range plates {
			s := time.Now()
			page, err := c.Violations.List(ctx, api.ListViolationsRequest{Plate: p, PlateType: "02"})
			check(err)
			jl = append(jl, time.Since(s))
			items += len(page.Items)
			s = time.Now()
			_, err = perf.RawList(raw, p)
			check(err)
			rl = append(rl, time.Since(s))
		}
		_ = pass
	}
	slices.Sort(jl)
	slices.Sort(rl)
	p := perf.Quantile
	row(fmt.Sprintf("list a plate's violations among %d records, warm, p50 (avg %.1f records)", n0+n1, float64(items)/float64(2*lists)),
		p(jl, 0.5).Round(time.Microsecond).String(), p(rl, 0.5).Round(time.Microsecond).String()+fmt.Sprintf(" (among %d)", rn), 0, "")
	row("… p99", p(jl, 0.99).Round(time.Microsecond).String(), p(rl, 0.99).Round(time.Microsecond).String(), 0, "< 1 ms")
}

func payments(dir string, d time.Duration) {
	const decisions = 600000
	src := filepath.Join(dir, "decisions.csv")
	genCSV(src, 10_000_000, decisions, 1)
	// A long-running payer process, as `jgctl serve` is (its collector setting too).
	server.TuneGC()
	c, err := embedded.Open(filepath.Join(dir, "pay.db"), embedded.CreateIfMissing(), embedded.WithClock(now), embedded.FastCommits())
	check(err)
	defer c.Close()
	importFile(c.Imports.Import, src)
	var next atomic.Int64
	for _, payers := range []int{1, 64} {
		var n int
		raw := func() result {
			n++
			rate, lat, err := perf.RawUpdates(filepath.Join(dir, fmt.Sprintf("rawpay%d-%d.db", payers, n)), payers, d)
			check(err)
			return result{rate, perf.Quantile(lat, 0.99)}
		}
		pay := func() result {
			rate, lat := perf.Closed(payers, d, func() bool {
				i := next.Add(1) - 1
				if i >= decisions {
					check(fmt.Errorf("out of decisions: shorten -duration"))
				}
				_, err := c.Payments.Pay(context.Background(), api.PayRequest{DecisionNo: perf.DecisionNo(10_000_000 + int(i)), Mutation: api.Mutation{IdempotencyKey: fmt.Sprint("bench-", i)}})
				check(err)
				return true
			})
			return result{rate, perf.Quantile(lat, 0.99)}
		}
		target := map[int]string{1: "≥ 2,500/s, p99 ≤ 1 ms", 64: "≥ 30,000/s, p99 ≤ 5 ms"}[payers]
		kind := map[int]string{1: "one Update per record", 64: "group commit"}[payers]
		alternate(raw, pay).report(fmt.Sprintf("durable payments, %d payer(s) (payments/s)", payers), kind, target)
	}
}
