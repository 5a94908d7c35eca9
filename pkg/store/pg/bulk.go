package pg

import (
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// InsertViolations writes new records in bulk with the bbolt store's
// refusals: rows whose record number exists (in the store or earlier in
// rows) are refused with ErrDuplicateRecord, rows whose decision number
// is taken with ErrDuplicateDecision (the first of two equal rows wins).
// Rows are sorted (stably) by record number in place. The rows are copied
// (COPY) into a temporary staging table; one query finds those that clash
// with stored records, and one INSERT … SELECT … WHERE NOT EXISTS moves the
// accepted rows; the keys of the real table stay the guarantee.
func (t *Tx) InsertViolations(rows []store.NewViolation) (inserted int, refused []store.Refused, err error) {
	recs := make([]rules.Violation, len(rows))
	for i := range rows {
		if recs[i], err = rows[i].Record(); err != nil {
			return 0, nil, err
		}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(recs[a].RecordNo, recs[b].RecordNo) })
	sortedRows, sortedRecs := make([]store.NewViolation, len(rows)), make([]rules.Violation, len(rows))
	for i, j := range idx {
		sortedRows[i], sortedRecs[i] = rows[j], recs[j]
	}
	copy(rows, sortedRows)
	recs = sortedRecs
	if len(rows) == 0 {
		return 0, nil, nil
	}
	if err := t.stage(); err != nil {
		return 0, nil, err
	}
	if _, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{"import_staging"},
		[]string{"ord", "record_no", "plate", "plate_type", "status", "decision_no", "driver_id_number", "occurred_at", "pending_until", "doc"},
		pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
			args, err := violationArgs(&recs[i])
			if err == nil {
				// Like the bbolt store, an import does not schedule the
				// expiry of a pending record (ExpiredPending skips it).
				args[7] = nil
			}
			return append([]any{i}, args...), err
		})); err != nil {
		return 0, nil, wrap("import", err)
	}
	// The rows that clash with stored records (usually none).
	storedRec, storedDec := map[int]bool{}, map[int]bool{}
	clash, err := t.tx.Query(t.ctx, `SELECT s.ord,
			EXISTS (SELECT 1 FROM violations v WHERE v.record_no = s.record_no),
			EXISTS (SELECT 1 FROM violations v WHERE v.decision_no = s.decision_no)
		FROM import_staging s
		WHERE EXISTS (SELECT 1 FROM violations v WHERE v.record_no = s.record_no OR v.decision_no = s.decision_no)`)
	if err != nil {
		return 0, nil, wrap("import", err)
	}
	for clash.Next() {
		var ord int
		var r, d bool
		if err := clash.Scan(&ord, &r, &d); err != nil {
			return 0, nil, wrap("import", err)
		}
		storedRec[ord], storedDec[ord] = r, d
	}
	if err := clash.Err(); err != nil {
		return 0, nil, wrap("import", err)
	}
	// The bbolt store's refusals, row by row in record order.
	var drop []int
	seenDec := map[string]bool{}
	for i := range recs {
		v := &recs[i]
		if (i > 0 && recs[i-1].RecordNo == v.RecordNo) || storedRec[i] {
			refused = append(refused, store.Refused{Line: rows[i].Line, Err: rules.ErrDuplicateRecord.Withf("%s", v.RecordNo)})
			drop = append(drop, i)
			continue
		}
		if v.DecisionNo != "" {
			if seenDec[v.DecisionNo] || storedDec[i] {
				refused = append(refused, store.Refused{Line: rows[i].Line, Err: rules.ErrDuplicateDecision.WithField("decision_no").Withf("%s", v.DecisionNo)})
				drop = append(drop, i)
				continue
			}
			seenDec[v.DecisionNo] = true
		}
		inserted++
	}
	if len(drop) > 0 {
		if _, err := t.exec("import", "DELETE FROM import_staging WHERE ord = ANY($1)", drop); err != nil {
			return 0, nil, err
		}
	}
	n, dup, err := t.guarded("import", `INSERT INTO violations
			(record_no, plate, plate_type, status, decision_no, driver_id_number, occurred_at, pending_until, doc)
		SELECT record_no, plate, plate_type, status, decision_no, driver_id_number, occurred_at, pending_until, doc
		FROM import_staging s WHERE NOT EXISTS (SELECT 1 FROM violations v WHERE v.record_no = s.record_no)
		ORDER BY record_no`)
	switch {
	case dup != nil: // a concurrent import stored one of these meanwhile
		return 0, nil, errConflict
	case err != nil:
		return 0, nil, err
	case int(n) != inserted:
		return 0, nil, errConflict
	}
	return inserted, refused, nil
}

// stage creates (once per transaction) or empties the staging table.
func (t *Tx) stage() error {
	if t.staged {
		_, err := t.exec("import", "DELETE FROM import_staging")
		return err
	}
	_, err := t.exec("import", `CREATE TEMPORARY TABLE import_staging (
		ord integer PRIMARY KEY, record_no text COLLATE "C", plate text, plate_type text, status text,
		decision_no text COLLATE "C", driver_id_number text, occurred_at timestamptz, pending_until timestamptz, doc jsonb
	) ON COMMIT DROP`)
	t.staged = err == nil
	return err
}
