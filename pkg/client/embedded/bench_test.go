package embedded_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/perf"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
)

// benchStore imports n decided (payable) records into a fresh durable store.
func benchStore(b *testing.B, n int) *embedded.Client {
	b.Helper()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	c, err := embedded.Open(filepath.Join(b.TempDir(), "bench.db"), embedded.CreateIfMissing(), embedded.WithClock(func() time.Time { return now }), embedded.FastCommits())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	var buf bytes.Buffer
	perf.ViolationsCSV(&buf, 0, n, 50000, 1, 1)
	if _, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations}, &buf, nil); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkPay measures durable payments by decision number: one payer, and
// 64 concurrent payers sharing group commits. scripts/bench.sh runs the
// same with raw bbolt baselines beside it (cmd/jgbench).
func BenchmarkPay(b *testing.B) {
	for _, payers := range []int{1, 64} {
		b.Run(fmt.Sprintf("payers=%d", payers), func(b *testing.B) {
			c := benchStore(b, 200000)
			var next atomic.Int64
			b.SetParallelism(payers)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					if i >= 200000 {
						b.Fatal("out of decisions: lower -benchtime")
					}
					if _, err := c.Payments.Pay(context.Background(), api.PayRequest{DecisionNo: perf.DecisionNo(int(i)), Mutation: api.Mutation{IdempotencyKey: fmt.Sprint("k", i)}}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkImport measures a durable violation import (every index) of
// 100,000 rows a round into a store that grows with each round.
func BenchmarkImport(b *testing.B) {
	c, err := embedded.Open(filepath.Join(b.TempDir(), "import.db"), embedded.CreateIfMissing())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const rows = 100000
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		var buf bytes.Buffer
		perf.ViolationsCSV(&buf, i*rows, rows, 250000, 10, uint64(i))
		b.StartTimer()
		res, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations}, &buf, nil)
		if err != nil || res.Inserted != rows {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkListByPlate lists one plate's records (warm): among 1,000,000
// records, and a page of 20 decided records among 200,000 (the HTTP load
// benchmark's listing, without HTTP).
func BenchmarkListByPlate(b *testing.B) {
	for _, tc := range []struct {
		name                      string
		from, n, plates, decEvery int
		limit                     int
	}{
		{"records=1M", 0, 1000000, 250000, 10, 0},
		{"page=20", 20_000_000, 200000, 10000, 1, 20},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := embedded.Open(filepath.Join(b.TempDir(), "list.db"), embedded.CreateIfMissing(), embedded.UnsafeNoSync(),
				embedded.WithClock(func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China) }))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			var buf bytes.Buffer
			perf.ViolationsCSV(&buf, tc.from, tc.n, tc.plates, tc.decEvery, uint64(tc.from+1))
			if _, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations}, &buf, nil); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				if _, err := c.Violations.List(context.Background(), api.ListViolationsRequest{Plate: perf.Plate(i * 7919 % tc.plates), PlateType: "02", Limit: tc.limit}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
