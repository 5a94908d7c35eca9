package pg

import (
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/codec"
)

// InsertViolations writes new records in bulk with the bbolt store's
// refusals: rows whose record number exists (in the store or earlier in
// rows) are refused with ErrDuplicateRecord, rows whose decision number
// is taken with ErrDuplicateDecision (the first of two equal rows wins).
// Rows are sorted (stably) by record number in place. One query probes
// the keys for the stored records that clash with the rows; the accepted
// rows are copied (COPY) straight into the table, in record order. The
// keys of the table stay the guarantee: a row a concurrent import stored
// meanwhile reruns the transaction, which then refuses it.
func (t *Tx) InsertViolations(rows []store.NewViolation) (inserted int, refused []store.Refused, err error) {
	if len(rows) == 0 {
		return 0, nil, nil
	}
	slices.SortStableFunc(rows, func(a, b store.NewViolation) int { return strings.Compare(a.Record.RecordNo, b.Record.RecordNo) })
	// The stored records that clash with the rows (usually none), by
	// index probes whatever the table's size.
	nos, decs := make([]string, len(rows)), make([]string, 0, len(rows))
	for i := range rows {
		nos[i] = rows[i].Record.RecordNo
		if rows[i].Record.DecisionNo != "" {
			decs = append(decs, rows[i].Record.DecisionNo)
		}
	}
	storedRec, storedDec := map[string]bool{}, map[string]bool{}
	clash, err := t.tx.Query(t.ctx, "SELECT record_no, COALESCE(decision_no, '') FROM violations WHERE record_no = ANY($1) OR decision_no = ANY($2)", nos, decs)
	if err != nil {
		return 0, nil, t.wrap("import", err)
	}
	for clash.Next() {
		var rn, dec string
		if err := clash.Scan(&rn, &dec); err != nil {
			return 0, nil, t.wrap("import", err)
		}
		storedRec[rn], storedDec[dec] = true, dec != ""
	}
	if err := clash.Err(); err != nil {
		return 0, nil, t.wrap("import", err)
	}
	// The bbolt store's refusals, row by row in record order.
	accepted := make([][]any, 0, len(rows))
	seenDec := map[string]bool{}
	for i := range rows {
		v := &rows[i].Record
		if (i > 0 && rows[i-1].Record.RecordNo == v.RecordNo) || storedRec[v.RecordNo] {
			refused = append(refused, store.Refused{Line: rows[i].Line, Err: rules.ErrDuplicateRecord.Withf("%s", v.RecordNo)})
			continue
		}
		if v.DecisionNo != "" {
			if seenDec[v.DecisionNo] || storedDec[v.DecisionNo] {
				refused = append(refused, store.Refused{Line: rows[i].Line, Err: rules.ErrDuplicateDecision.WithField("decision_no").Withf("%s", v.DecisionNo)})
				continue
			}
			seenDec[v.DecisionNo] = true
		}
		raw := rows[i].Encoded
		if raw == nil {
			if raw, err = codec.EncodeViolation(v); err != nil {
				return 0, nil, err
			}
		}
		args := recordArgs(v, raw)
		// Like the bbolt store, an import does not schedule the expiry of
		// a pending record (ExpiredPending skips it).
		args[7] = nil
		accepted = append(accepted, args)
	}
	if len(accepted) == 0 {
		return 0, refused, nil
	}
	// Straight into the table: a row a concurrent import stored since the
	// probe above breaks a key, and the transaction runs again.
	if _, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{"violations"}, violationColumns, pgx.CopyFromRows(accepted)); err != nil {
		if isUnique(err) {
			return 0, nil, t.retry()
		}
		return 0, nil, t.wrap("import", err)
	}
	return len(accepted), refused, nil
}

// Prepare encodes a record for InsertViolations (pkg/store/codec), on
// the caller's goroutine.
func (s *Store) Prepare(v *rules.Violation, line int) (store.NewViolation, error) {
	raw, err := codec.EncodeViolation(v)
	return store.NewViolation{Line: line, Record: *v, Encoded: raw}, err
}
