package pg

import (
	"context"
	"fmt"

	"github.com/jgctl/jgctl/pkg/store"
)

// checks are the invariants Verify runs: each query returns one line per
// problem found (at most 100 each).
var checks = []string{
	// The typed columns agree with the record they index.
	`SELECT 'record ' || record_no || ': columns disagree with the stored record' FROM violations
	 WHERE doc->>'record_no' IS DISTINCT FROM record_no OR doc->>'plate' IS DISTINCT FROM plate
	    OR doc->>'plate_type' IS DISTINCT FROM plate_type OR doc->>'status' IS DISTINCT FROM status
	    OR COALESCE(doc->>'decision_no', '') <> COALESCE(decision_no, '')
	    OR COALESCE(doc->>'driver_id_number', '') <> COALESCE(driver_id_number, '') LIMIT 100`,
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
	// No idempotency key is left claimed without a response.
	`SELECT 'idempotency key ' || scope || ' ' || key || ': no response stored' FROM idempotency WHERE response IS NULL LIMIT 100`,
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
