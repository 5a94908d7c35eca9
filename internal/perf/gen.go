// Package perf generates realistic data for jgctl's benchmarks and holds
// the raw bbolt baselines they are compared with (docs/performance.md).
package perf

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Offices are Shandong issuing-office letters (domain-rules §6.4).
var offices = []byte("ABCDEFGHJKLMNPQRSUVY")

// Plate returns the i-th plate of the pool: 鲁 + office + 5 digits.
func Plate(i int) string {
	return fmt.Sprintf("鲁%c%05d", offices[i%len(offices)], (i/len(offices))%100000)
}

// RecordNo returns the i-th record number: time-ordered, as camera systems issue them.
func RecordNo(i int) string { return fmt.Sprintf("V%013d", i) }

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDNumber returns a valid resident ID number for person i.
func IDNumber(i int) string {
	body := fmt.Sprintf("370102%04d%02d%02d%03d", 1960+i%40, 1+i%12, 1+i%28, i%1000)
	s := 0
	for k := range 17 {
		s += int(body[k]-'0') * idWeights[k]
	}
	return body + string("10X98765432"[s%11])
}

// codes are (code, fine, points) triples the reference table accepts.
var codes = []struct {
	code, fine string
	points     int
}{{"1625", "200", 6}, {"1039", "100", 0}, {"1116", "200", 1}, {"1362", "50", 3}, {"1373", "200", 3}}

// ViolationsCSV writes n violation rows starting at record index from,
// over a pool of plates. Every decisionEvery-th row carries a decision
// (onsite, unpaid, with a driver); the others are unhandled camera records.
func ViolationsCSV(w io.Writer, from, n, plates, decisionEvery int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "record_no,plate,plate_type,occurred_at,location,code,description,fine,points,source,decision_no,served_on,driver_id_number")
	r := rand.New(rand.NewPCG(seed, uint64(from)))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for i := from; i < from+n; i++ {
		c := codes[r.IntN(len(codes))]
		at := t0.Add(time.Duration(i%(300*24*3600)) * time.Second).Format(time.RFC3339)
		plate := Plate(r.IntN(plates))
		if i%decisionEvery == 0 {
			served := t0.Add(time.Duration(i%(300*24*3600))*time.Second + 48*time.Hour).Format(time.DateOnly)
			fmt.Fprintf(bw, "%s,%s,02,%s,经十路%d号,%s,,%s,%d,onsite,%s,%s,%s\n", RecordNo(i), plate, at, i%500, c.code, c.fine, c.points, DecisionNo(i), served, IDNumber(r.IntN(1000000)))
			continue
		}
		fmt.Fprintf(bw, "%s,%s,02,%s,经十路%d号,%s,,%s,%d,camera,,,\n", RecordNo(i), plate, at, i%500, c.code, c.fine, c.points)
	}
	return bw.Flush()
}

// DecisionNo is the decision number ViolationsCSV gives record i.
func DecisionNo(i int) string { return fmt.Sprintf("%016d", 3701000000000000+i) }
