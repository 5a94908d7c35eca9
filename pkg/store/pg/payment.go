package pg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// WritePayment writes a payment in one round trip: its statements go in
// one pipeline, which the database runs as one implicit transaction and
// commits once. The first statement is the gate and takes the record's
// row (the row a sweep expiring the handling writes, so the two conflict
// there): it marks the record paid only if the decision still names it,
// it is not paid, and the key stores no answer (its row reserved for this
// request by Claim, or none). Each later statement writes
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
		AND NOT EXISTS (SELECT 1 FROM idempotency WHERE scope = $3 AND key = $4 AND (response IS NOT NULL OR hash <> $5))`,
		w.RecordNo, w.DecisionNo, w.Scope, w.Key, string(h))
	b.Queue(`INSERT INTO payments (decision_no, record_no, doc) SELECT $1, $2, $3
		WHERE EXISTS (SELECT 1 FROM violations WHERE record_no = $2 AND decision_no = $1 AND paid)
		AND NOT EXISTS (SELECT 1 FROM payments WHERE decision_no = $1)`, w.DecisionNo, w.RecordNo, string(w.Payment))
	// The key's answer: on the row its claim reserved (Claim), or a new one.
	b.Queue(`UPDATE idempotency SET response = $6 WHERE scope = $3 AND key = $4 AND hash = $5 AND response IS NULL AND `+ours,
		w.DecisionNo, string(w.Payment), w.Scope, w.Key, string(h), resp)
	b.Queue(`INSERT INTO idempotency (scope, key, hash, response) SELECT $3, $4, $5, $6
		WHERE NOT EXISTS (SELECT 1 FROM idempotency WHERE scope = $3 AND key = $4) AND `+ours,
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

// LookPayment reads what paying a decision reads before the charge in
// one statement (store.Looked answers from it). It only reads: in a write
// transaction it does not claim the key as Idempotent does.
func (t *Tx) LookPayment(q store.PaymentLookup) (*store.PaymentLook, error) {
	scopes, keys := make([]string, len(q.Also)), make([]string, len(q.Also))
	for i, k := range q.Also {
		scopes[i], keys[i] = k.Scope, k.Key
	}
	var (
		h, status                        *string
		resp, raw, pay, person           []byte
		alsoScopes, alsoKeys, alsoHashes []string
		alsoResponses                    [][]byte
	)
	err := t.tx.QueryRow(t.ctx, `WITH also AS (SELECT scope, key, hash, response FROM idempotency
			WHERE scope = ANY($4::text[]) AND key = ANY($5::text[]))
		SELECT k.hash, k.response, v.status, v.doc, p.doc, per.doc,
		ARRAY(SELECT scope FROM also), ARRAY(SELECT key FROM also), ARRAY(SELECT hash FROM also), ARRAY(SELECT response FROM also)
		FROM (SELECT 1) one
		LEFT JOIN idempotency k ON k.scope = $1 AND k.key = $2
		LEFT JOIN violations v ON v.decision_no = $3
		LEFT JOIN payments p ON p.decision_no = $3
		LEFT JOIN persons per ON per.id_number = v.driver_id_number`,
		q.Scope, q.Key, q.DecisionNo, scopes, keys).
		Scan(&h, &resp, &status, &raw, &pay, &person, &alsoScopes, &alsoKeys, &alsoHashes, &alsoResponses)
	if err != nil {
		return nil, t.wrap("look up payment", err)
	}
	l := &store.PaymentLook{Also: make([]store.KeyAnswer, len(q.Also))}
	if h != nil {
		l.Response, l.Stored, l.KeyErr = keyAnswer(*h, resp, q.Hash)
	}
	for i := range alsoKeys {
		for j, k := range q.Also {
			if k.Scope == alsoScopes[i] && k.Key == alsoKeys[i] {
				a := &l.Also[j]
				a.Response, a.Stored, a.Err = keyAnswer(alsoHashes[i], alsoResponses[i], k.Hash)
			}
		}
	}
	if raw != nil {
		l.Record = new(rules.Violation)
		overlay := pay
		if *status != string(rules.StatusUnpaid) && *status != string(rules.StatusPending) {
			overlay = nil // folded into the record
		}
		if err := decodeViolation(raw, overlay, l.Record); err != nil {
			return nil, err
		}
	}
	if pay != nil {
		l.Payment = new(rules.Payment)
		if err := json.Unmarshal(pay, l.Payment); err != nil {
			return nil, damaged("the payment of decision %q does not decode", q.DecisionNo)
		}
	}
	if person != nil {
		l.Driver = new(rules.Person)
		if err := json.Unmarshal(person, l.Driver); err != nil {
			return nil, damaged("person %q does not decode", l.Record.DriverIDNumber)
		}
	}
	return l, nil
}
