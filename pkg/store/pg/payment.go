package pg

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jgctl/jgctl/pkg/store"
)

// WritePayment writes a payment in one round trip: its statements go in
// one pipeline, which the database runs as one implicit transaction and
// commits once. The first statement is the gate and takes the record's
// row (the row a sweep expiring the handling writes, so the two conflict
// there): it marks the record paid only if the decision still names it,
// it is not paid, and the key stores nothing. Each later statement writes
// only if this transaction's payment is there, so a closed gate writes
// nothing at all. A statement the database refuses (a key or payment a
// concurrent transaction inserted, a serialization failure) rolls the
// whole pipeline back; either way the caller's full transaction finds out
// why.
func (s *Store) WritePayment(ctx context.Context, w store.PaymentWrite) (bool, error) {
	h, resp, ok := bytes.Cut(w.KeyRecord, []byte{'\n'})
	if !ok {
		return false, fmt.Errorf("store: malformed idempotency record for %q", w.Key)
	}
	ours := `EXISTS (SELECT 1 FROM payments WHERE decision_no = $1 AND doc = $2::jsonb)`
	b := &pgx.Batch{}
	b.Queue(`UPDATE violations SET paid = true
		WHERE record_no = $1 AND decision_no = $2 AND NOT paid
		AND NOT EXISTS (SELECT 1 FROM idempotency WHERE scope = $3 AND key = $4)`, w.RecordNo, w.DecisionNo, w.Scope, w.Key)
	b.Queue(`INSERT INTO payments (decision_no, record_no, doc) SELECT $1, $2, $3
		WHERE EXISTS (SELECT 1 FROM violations WHERE record_no = $2 AND decision_no = $1 AND paid)
		AND NOT EXISTS (SELECT 1 FROM payments WHERE decision_no = $1)`, w.DecisionNo, w.RecordNo, string(w.Payment))
	b.Queue(`INSERT INTO idempotency (scope, key, hash, response) SELECT $3, $4, $5, $6 WHERE `+ours,
		w.DecisionNo, string(w.Payment), w.Scope, w.Key, string(h), resp)
	b.Queue(`INSERT INTO audit (doc) SELECT $3 WHERE `+ours, w.DecisionNo, string(w.Payment), string(w.Audit))
	if w.Note != nil {
		b.Queue(`INSERT INTO outbox (doc) SELECT $3 WHERE `+ours, w.DecisionNo, string(w.Payment), string(w.Note))
	}
	if w.ClaimOrder != "" {
		b.Queue(`DELETE FROM payment_claims WHERE decision_no = $3 AND order_id = $4 AND `+ours,
			w.DecisionNo, string(w.Payment), w.ClaimDecision, w.ClaimOrder)
	}
	br := s.pool.SendBatch(ctx, b)
	_, err := br.Exec()
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	switch {
	case retryable(err) || isUnique(err):
		return false, nil // a concurrent transaction came first: the full one will say what
	case err != nil:
		return false, wrap("pay", err)
	}
	return tag.RowsAffected() == 1, nil
}
