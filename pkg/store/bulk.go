package store

import (
	"bytes"
	"slices"

	"github.com/jgctl/jgctl/pkg/rules"
)

// NewViolation is one row of a bulk insert, already encoded (so that the
// encoding can run on another goroutine than the writer) and slimmed to
// what the indexes need. Line is the caller's tag (the input line number),
// returned with any row InsertViolations refuses.
type NewViolation struct {
	Line                                           int
	recordNo, plate, plateType, status, decisionNo string
	driver                                         string
	raw                                            []byte
}

// NewViolationOf prepares a record for InsertViolations.
func NewViolationOf(v *rules.Violation, line int) (NewViolation, error) {
	raw, err := EncodeViolation(v)
	return NewViolation{Line: line, recordNo: v.RecordNo, plate: v.Plate, plateType: string(v.PlateType), status: string(v.Status),
		decisionNo: v.DecisionNo, driver: v.DriverIDNumber, raw: raw}, err
}

// Refused is a row that InsertViolations did not write.
type Refused struct {
	Line int
	Err  error
}

// InsertViolations writes new records in bulk: rows whose record number
// exists (in the store or earlier in rows) are refused with
// ErrDuplicateRecord, rows whose decision number is taken with
// ErrDuplicateDecision (the first of two equal rows wins). Rows are
// sorted (stably) by record number in place and
// every index is written in key order, so a chunk touches each B+tree page
// once; the plate keys become a new sorted run (runs.go).
func (t *Tx) InsertViolations(rows []NewViolation) (inserted int, refused []Refused, err error) {
	slices.SortStableFunc(rows, func(a, b NewViolation) int { return compareStrings(a.recordNo, b.recordNo) })
	prim, dec := t.b(bucketViolations), t.b(bucketDecisions)
	prim.FillPercent = 1
	// Records usually arrive in record-number order: when the whole chunk
	// sorts after the last stored record, no row can be a duplicate and
	// the per-row lookups are skipped.
	checkDup := true
	if last, _ := prim.Cursor().Last(); len(rows) > 0 && (last == nil || string(last) < rows[0].recordNo) {
		checkDup = false
	}
	var plateKeys, statusKeys, driverKeys [][]byte
	type decKey struct{ k, v []byte }
	var decKeys []decKey
	seenDec := map[string]bool{}
	for i := range rows {
		v := &rows[i]
		if (i > 0 && rows[i-1].recordNo == v.recordNo) || (checkDup && prim.Get([]byte(v.recordNo)) != nil) {
			refused = append(refused, Refused{v.Line, rules.ErrDuplicateRecord.Withf("%s", v.recordNo)})
			continue
		}
		if v.decisionNo != "" {
			if seenDec[v.decisionNo] || dec.Get([]byte(v.decisionNo)) != nil {
				refused = append(refused, Refused{v.Line, rules.ErrDuplicateDecision.WithField("decision_no").Withf("%s", v.decisionNo)})
				continue
			}
			seenDec[v.decisionNo] = true
			decKeys = append(decKeys, decKey{[]byte(v.decisionNo), []byte(v.recordNo)})
		}
		// bbolt keeps key and value slices until commit: each is fresh.
		if err := prim.Put([]byte(v.recordNo), v.raw); err != nil {
			return 0, nil, err
		}
		plateKeys = append(plateKeys, key(v.plate, v.plateType, v.recordNo))
		if indexedStatus(rules.Status(v.status)) {
			statusKeys = append(statusKeys, key(v.status, v.recordNo))
		}
		if v.driver != "" {
			driverKeys = append(driverKeys, key(v.driver, v.recordNo))
		}
		inserted++
	}
	for _, ix := range []struct {
		idx  bucket
		keys [][]byte
	}{{idxViolationStatus, statusKeys}, {idxViolationDriver, driverKeys}} {
		if err := putSorted(t.b(ix.idx), ix.keys); err != nil {
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

// Record decodes the record a NewViolation carries (for a backend that
// stores records its own way).
func (n NewViolation) Record() (rules.Violation, error) {
	var v rules.Violation
	err := DecodeViolation(n.raw, &v)
	return v, err
}
