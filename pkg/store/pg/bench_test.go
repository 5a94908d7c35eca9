package pg

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

const benchChunk = 10000

func benchRows(b *testing.B, s *Store, n, from int) []store.NewViolation {
	rows := make([]store.NewViolation, n)
	for i := range rows {
		v := viol(fmt.Sprintf("R%09d", from+i), fmt.Sprintf("鲁A%05d", (from+i)%99991), rules.StatusUnpaid)
		v.DecisionNo, v.DriverIDNumber = fmt.Sprintf("D%09d", from+i), fmt.Sprintf("P%06d", (from+i)%77777)
		var err error
		if rows[i], err = s.Prepare(&v, i+1); err != nil {
			b.Fatal(err)
		}
	}
	return rows
}

// BenchmarkImport imports chunks of records (rows/s is the figure).
func BenchmarkImport(b *testing.B) {
	s := openPG(b, "read committed", Options{})
	rows := benchRows(b, s, benchChunk, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rows = benchRows(b, s, benchChunk, i*benchChunk)
		b.StartTimer()
		err := s.update(context.Background(), func(tx *Tx) error {
			n, _, err := tx.InsertViolations(rows)
			if err == nil && n != len(rows) {
				err = fmt.Errorf("inserted %d", n)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchChunk)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRawCopy is the line to compare with: COPY of the same rows
// into the violations table (same indexes) with nothing else.
func BenchmarkRawCopy(b *testing.B) {
	s := openPG(b, "read committed", Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rows := benchRows(b, s, benchChunk, i*benchChunk)
		recs := make([][]any, len(rows))
		for j := range rows {
			recs[j] = recordArgs(&rows[j].Record, rows[j].Encoded)
		}
		b.StartTimer()
		if _, err := s.pool.CopyFrom(context.Background(), pgx.Identifier{"violations"}, violationColumns, pgx.CopyFromRows(recs)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchChunk)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPay is a payment's store operations as the engine makes them
// (the decision's claim, the look-up before the charge, the write after
// it: three round trips, two commits) from 64 goroutines;
// BenchmarkRawInsert is the line: one-row INSERT transactions.
func BenchmarkPay(b *testing.B) {
	s := openPG(b, "read committed", Options{MaxConns: 64})
	ctx := context.Background()
	rows := benchRows(b, s, b.N, 0)
	if err := s.update(ctx, func(tx *Tx) error { _, _, err := tx.InsertViolations(rows); return err }); err != nil {
		b.Fatal(err)
	}
	audit, _ := enc.EncodeAudit(rules.AuditEntry{At: t0, Actor: "person:P", Action: "pay"})
	note, _ := enc.EncodeNotification(rules.Notification{CreatedAt: t0, To: "138", Template: "paid"})
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			rn, dec, order := fmt.Sprintf("R%09d", i), fmt.Sprintf("D%09d", i), fmt.Sprintf("O%09d", i)
			raw := []byte(`{"payment_id":"P` + dec + `","decision_no":"` + dec + `","record_no":"` + rn + `","amount":"200.00","gateway_order_id":"` + order + `"}`)
			rec, _ := enc.EncodeIdempotent("h", map[string]string{"payment_id": "P" + dec})
			if _, _, err := s.ClaimDecision(ctx, dec, order, time.Minute); err != nil {
				b.Error(err)
				return
			}
			q := store.PaymentLookup{Scope: "pay:person:P", Key: dec, Hash: "h", DecisionNo: dec, Also: []store.KeyRef{{Scope: "refunded", Key: order}}}
			if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.LookPayment(q); return err }); err != nil {
				b.Error(err)
				return
			}
			written, err := s.WritePayment(ctx, store.PaymentWrite{Scope: "pay:person:P", Key: dec, Hash: "h", KeyRecord: rec,
				DecisionNo: dec, RecordNo: rn, Payment: raw, Audit: audit, Note: note, ClaimDecision: dec, ClaimOrder: order})
			if !written || err != nil {
				b.Errorf("write %s: %v, %v", dec, written, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

func BenchmarkRawInsert(b *testing.B) {
	s := openPG(b, "read committed", Options{MaxConns: 64})
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			if _, err := s.pool.Exec(ctx, "INSERT INTO audit (doc) VALUES ($1)", fmt.Sprintf(`{"n":%d}`, i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
