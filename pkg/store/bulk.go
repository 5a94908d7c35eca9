package store

import (
	"bytes"
	"slices"

	"github.com/jgctl/jgctl/pkg/rules"
)

// NewViolation is one row of a bulk insert; Line is the caller's tag
// (the input line number), returned with any row it refuses.
type NewViolation struct {
	V    rules.Violation
	Line int
	// Raw is V encoded (EncodeViolation), done by the caller so that the
	// encoding can run on another goroutine than the writer.
	Raw []byte
}

// Refused is a row that InsertViolations did not write.
type Refused struct {
	Line int
	Err  error
}

// ErrDuplicateRecord marks a row whose record number is already stored.
var ErrDuplicateRecord = rules.ErrDuplicateRecord

// InsertViolations writes new records in bulk: rows whose record number
// exists (in the store or earlier in rows) are refused with
// ErrDuplicateRecord, rows whose decision number is taken with
// ErrDuplicateDecision. Rows are sorted by record number in place and
// every index is written in key order, so a chunk touches each B+tree page
// once; the plate keys become a new sorted run (runs.go).
func (t *Tx) InsertViolations(rows []NewViolation) (inserted int, refused []Refused, err error) {
	slices.SortFunc(rows, func(a, b NewViolation) int { return compareStrings(a.V.RecordNo, b.V.RecordNo) })
	prim, dec := t.b(bucketViolations), t.b(bucketDecisions)
	prim.FillPercent = 1
	// Records usually arrive in record-number order: when the whole chunk
	// sorts after the last stored record, no row can be a duplicate and
	// the per-row lookups are skipped.
	checkDup := true
	if last, _ := prim.Cursor().Last(); len(rows) > 0 && (last == nil || string(last) < rows[0].V.RecordNo) {
		checkDup = false
	}
	var plateKeys, statusKeys, driverKeys [][]byte
	type decKey struct{ k, v []byte }
	var decKeys []decKey
	seenDec := map[string]bool{}
	for i := range rows {
		v := &rows[i].V
		if (i > 0 && rows[i-1].V.RecordNo == v.RecordNo) || (checkDup && prim.Get([]byte(v.RecordNo)) != nil) {
			refused = append(refused, Refused{rows[i].Line, ErrDuplicateRecord.Withf("%s", v.RecordNo)})
			continue
		}
		if v.DecisionNo != "" {
			if seenDec[v.DecisionNo] || dec.Get([]byte(v.DecisionNo)) != nil {
				refused = append(refused, Refused{rows[i].Line, rules.ErrDuplicateDecision.WithField("decision_no").Withf("%s", v.DecisionNo)})
				continue
			}
			seenDec[v.DecisionNo] = true
			decKeys = append(decKeys, decKey{[]byte(v.DecisionNo), []byte(v.RecordNo)})
		}
		// bbolt keeps key and value slices until commit: each is fresh.
		val := rows[i].Raw
		if val == nil {
			if val, err = EncodeViolation(v); err != nil {
				return 0, nil, err
			}
		}
		if err := prim.Put([]byte(v.RecordNo), val); err != nil {
			return 0, nil, err
		}
		plateKeys = append(plateKeys, key(v.Plate, string(v.PlateType), v.RecordNo))
		if indexedStatus(v.Status) {
			statusKeys = append(statusKeys, key(string(v.Status), v.RecordNo))
		}
		if v.DriverIDNumber != "" {
			driverKeys = append(driverKeys, key(v.DriverIDNumber, v.RecordNo))
		}
		inserted++
	}
	for _, ix := range []struct {
		name []byte
		keys [][]byte
	}{{idxViolationStatus, statusKeys}, {idxViolationDriver, driverKeys}} {
		if err := putSorted(t.b(ix.name), ix.keys); err != nil {
			return 0, nil, err
		}
	}
	if err := addRun(t.b(idxViolationPlate), plateKeys); err != nil {
		return 0, nil, err
	}
	slices.SortFunc(decKeys, func(a, b decKey) int { return bytes.Compare(a.k, b.k) })
	for _, d := range decKeys {
		if err := dec.Put(d.k, d.v); err != nil {
			return 0, nil, err
		}
	}
	return inserted, refused, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func putSorted(b interface{ Put(k, v []byte) error }, keys [][]byte) error {
	slices.SortFunc(keys, bytes.Compare)
	for _, k := range keys {
		if err := b.Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}
