package pg

import (
	"context"
	"fmt"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/codec"
)

// checks are the invariants Verify runs: each query returns one line per
// problem found (at most 100 each).
// (The records' columns are checked in Go: recordProblems.)
var checks = []string{
	`SELECT 'binding ' || id || ': columns disagree with the stored binding' FROM bindings
	 WHERE doc->>'id_number' IS DISTINCT FROM id_number OR doc->>'kind' IS DISTINCT FROM kind
	    OR COALESCE(doc->>'plate', '') <> plate OR COALESCE(doc->>'plate_type', '') <> plate_type
	    OR COALESCE((doc->>'own')::boolean, false) <> own LIMIT 100`,
	// Every payment's decision exists and names the payment's record.
	`SELECT 'payment of decision ' || p.decision_no || ': ' ||
	        CASE WHEN v.record_no IS NULL THEN 'no record has this decision' ELSE 'record ' || v.record_no || ', the payment says ' || p.record_no END
	 FROM payments p LEFT JOIN violations v ON v.decision_no = p.decision_no
	 WHERE v.record_no IS NULL OR v.record_no <> p.record_no LIMIT 100`,
	// The binding counters equal the bindings they count.
	`SELECT 'binding counter of person ' || c.id_number || ': ' || c.others || ', bindings ' || count(b.id)
	 FROM binding_count_person c LEFT JOIN bindings b ON b.id_number = c.id_number AND b.kind = 'vehicle' AND NOT b.own
	 GROUP BY c.id_number, c.others HAVING count(b.id) <> c.others LIMIT 100`,
	`SELECT 'binding counter of vehicle ' || c.plate || ' ' || c.plate_type || ': ' || c.drivers || ', bindings ' || count(b.id)
	 FROM binding_count_vehicle c LEFT JOIN bindings b ON b.plate = c.plate AND b.plate_type = c.plate_type AND b.kind = 'vehicle' AND NOT b.own
	 GROUP BY c.plate, c.plate_type, c.drivers HAVING count(b.id) <> c.drivers LIMIT 100`,
}

// Verify checks the schema version and that the data keeps the
// invariants the constraints cannot express (counters equal counts,
// every payment's decision exists, columns agree with their records),
// and counts what is stored.
func (s *Store) Verify(ctx context.Context) (*store.Report, error) {
	r := &store.Report{Backend: "postgres", Problems: []string{}}
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	r.SchemaVersion = int(v)
	if v != SchemaVersion {
		r.Problems = append(r.Problems, fmt.Sprintf("schema version %d, this jgctl reads %d", v, SchemaVersion))
		return r, nil
	}
	// One snapshot for every count and check.
	err = s.run(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", func(t *Tx) error {
		if err := t.tx.QueryRow(t.ctx, `SELECT (SELECT count(*) FROM violations), (SELECT count(decision_no) FROM violations),
			(SELECT count(*) FROM payments), (SELECT count(*) FROM violations WHERE status <> 'paid')`).
			Scan(&r.Records, &r.Decisions, &r.Payments, &r.StatusIndex); err != nil {
			return t.wrap("verify", err)
		}
		r.PlateIndex = r.Records // one index entry per row, kept by the database
		if err := t.recordProblems(r); err != nil {
			return err
		}
		for _, q := range checks {
			rows, err := t.tx.Query(t.ctx, q)
			if err != nil {
				return t.wrap("verify", err)
			}
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					return t.wrap("verify", err)
				}
				r.Problems = append(r.Problems, p)
			}
			if err := rows.Err(); err != nil {
				return t.wrap("verify", err)
			}
		}
		return nil
	}, false)
	return r, err
}

// recordProblems reports the records that do not decode or whose typed
// columns disagree with them (at most 100).
func (t *Tx) recordProblems(r *store.Report) error {
	rows, err := t.tx.Query(t.ctx, `SELECT record_no, plate, plate_type, status, COALESCE(decision_no, ''),
		COALESCE(driver_id_number, ''), doc FROM violations ORDER BY record_no`)
	if err != nil {
		return t.wrap("verify", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() && found < 100 {
		var c rules.Violation
		var pt, st string
		var raw []byte
		if err := rows.Scan(&c.RecordNo, &c.Plate, &pt, &st, &c.DecisionNo, &c.DriverIDNumber, &raw); err != nil {
			return t.wrap("verify", err)
		}
		var v rules.Violation
		switch {
		case codec.DecodeViolation(raw, &v) != nil:
			r.Problems = append(r.Problems, "record "+c.RecordNo+": does not decode")
		case v.RecordNo != c.RecordNo || v.Plate != c.Plate || string(v.PlateType) != pt || string(v.Status) != st ||
			v.DecisionNo != c.DecisionNo || v.DriverIDNumber != c.DriverIDNumber:
			r.Problems = append(r.Problems, "record "+c.RecordNo+": columns disagree with the stored record")
		default:
			continue
		}
		found++
	}
	return t.wrap("verify", rows.Err())
}
