package bolt

import (
	"bytes"
	"github.com/jgctl/jgctl/pkg/store/codec"
	"slices"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Prepare encodes a record for InsertViolations (beside an import's reader).
func (s *Store) Prepare(v *rules.Violation, line int) (store.NewViolation, error) {
	raw, err := codec.EncodeViolation(v)
	return store.NewViolation{Line: line, Record: *v, Encoded: raw}, err
}

// InsertViolations writes new records in bulk: rows whose record number
// exists (in the store or earlier in rows) are refused with
// ErrDuplicateRecord, rows whose decision number is taken with
// ErrDuplicateDecision (the first of two equal rows wins). Rows are
// sorted (stably) by record number in place and
// every index is written in key order, so a chunk touches each B+tree page
// once; the plate keys become a new sorted run (runs.go).
func (t *Tx) InsertViolations(rows []store.NewViolation) (inserted int, refused []store.Refused, err error) {
	slices.SortStableFunc(rows, func(a, b store.NewViolation) int { return compareStrings(a.Record.RecordNo, b.Record.RecordNo) })
	prim, dec := t.b(bucketViolations), t.b(bucketDecisions)
	prim.FillPercent = 1
	// Records usually arrive in record-number order: when the whole chunk
	// sorts after the last stored record, no row can be a duplicate and
	// the per-row lookups are skipped.
	checkDup := true
	if last, _ := prim.Cursor().Last(); len(rows) > 0 && (last == nil || string(last) < rows[0].Record.RecordNo) {
		checkDup = false
	}
	var plateKeys, statusKeys, driverKeys [][]byte
	type decKey struct{ k, v []byte }
	var decKeys []decKey
	seenDec := map[string]bool{}
	for i := range rows {
		row := &rows[i]
		v := &row.Record
		if row.Encoded == nil {
			if row.Encoded, err = codec.EncodeViolation(v); err != nil {
				return 0, nil, err
			}
		}
		if (i > 0 && rows[i-1].Record.RecordNo == v.RecordNo) || (checkDup && prim.Get([]byte(v.RecordNo)) != nil) {
			refused = append(refused, store.Refused{Line: row.Line, Err: rules.ErrDuplicateRecord.Withf("%s", v.RecordNo)})
			continue
		}
		if v.DecisionNo != "" {
			if seenDec[v.DecisionNo] || dec.Get([]byte(v.DecisionNo)) != nil {
				refused = append(refused, store.Refused{Line: row.Line, Err: rules.ErrDuplicateDecision.WithField("decision_no").Withf("%s", v.DecisionNo)})
				continue
			}
			seenDec[v.DecisionNo] = true
			decKeys = append(decKeys, decKey{[]byte(v.DecisionNo), []byte(v.RecordNo)})
		}
		// bbolt keeps key and value slices until commit: each is fresh.
		if err := prim.Put([]byte(v.RecordNo), row.Encoded); err != nil {
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
