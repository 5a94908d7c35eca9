package pg

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// dumpQuery reads one kind: its rows are streamed and each made a Record
// by scan.
type dumpQuery struct {
	kind string
	sql  string
	scan func(rows pgx.Rows) (store.Record, error)
}

// docOf scans a (key, doc) row into a new T; set puts it in the Record.
func docOf[T any](kind string, set func(string, *T, *store.Record)) func(pgx.Rows) (store.Record, error) {
	return func(rows pgx.Rows) (store.Record, error) {
		var k string
		var raw []byte
		if err := rows.Scan(&k, &raw); err != nil {
			return store.Record{}, err
		}
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return store.Record{}, damaged("%s %q does not decode", kind, k)
		}
		rec := store.Record{Kind: kind}
		set(k, v, &rec)
		return rec, nil
	}
}

var dumpQueries = []dumpQuery{
	{store.KindLicence, "SELECT id_number, doc FROM licences ORDER BY id_number",
		docOf(store.KindLicence, func(_ string, v *rules.Licence, r *store.Record) { r.Licence = v })},
	{store.KindVehicle, "SELECT plate || ' ' || plate_type, doc FROM vehicles ORDER BY plate, plate_type",
		docOf(store.KindVehicle, func(_ string, v *rules.Vehicle, r *store.Record) { r.Vehicle = v })},
	{store.KindPerson, "SELECT id_number, doc FROM persons ORDER BY id_number",
		docOf(store.KindPerson, func(_ string, v *rules.Person, r *store.Record) { r.Person = v })},
	{store.KindUnit, "SELECT credit_code, doc FROM units ORDER BY credit_code",
		docOf(store.KindUnit, func(_ string, v *rules.Unit, r *store.Record) { r.Unit = v })},
	{store.KindCredential, "SELECT id_number, hash FROM credentials ORDER BY id_number", func(rows pgx.Rows) (store.Record, error) {
		c := &store.Credential{}
		return store.Record{Kind: store.KindCredential, Credential: c}, rows.Scan(&c.IDNumber, &c.Hash)
	}},
	{store.KindToken, "SELECT hash, doc FROM tokens ORDER BY hash", func(rows pgx.Rows) (store.Record, error) {
		tok := &store.Token{}
		var raw []byte
		if err := rows.Scan(&tok.Hash, &raw); err != nil {
			return store.Record{}, err
		}
		if err := json.Unmarshal(raw, &tok.Record); err != nil {
			return store.Record{}, damaged("a token record does not decode")
		}
		return store.Record{Kind: store.KindToken, Token: tok}, nil
	}},
	{store.KindBinding, "SELECT id, doc FROM bindings ORDER BY id",
		docOf(store.KindBinding, func(_ string, v *rules.Binding, r *store.Record) { r.Binding = v })},
	{store.KindViolation, "SELECT doc FROM violations ORDER BY record_no", func(rows pgx.Rows) (store.Record, error) {
		var raw []byte
		v := &rules.Violation{}
		if err := rows.Scan(&raw); err != nil {
			return store.Record{}, err
		}
		return store.Record{Kind: store.KindViolation, Violation: v}, decodeViolation(raw, nil, v)
	}},
	{store.KindOrder, "SELECT id, doc FROM orders ORDER BY id",
		docOf(store.KindOrder, func(_ string, v *rules.PaymentOrder, r *store.Record) { r.Order = v })},
	{store.KindPayment, "SELECT decision_no, doc FROM payments ORDER BY decision_no",
		docOf(store.KindPayment, func(_ string, v *rules.Payment, r *store.Record) { r.Payment = v })},
	// A key without a response is a request still running: not a record.
	{store.KindIdempotent, "SELECT scope, key, hash, response FROM idempotency WHERE response IS NOT NULL ORDER BY scope, key",
		func(rows pgx.Rows) (store.Record, error) {
			i := &store.Idempotent{}
			var resp []byte
			err := rows.Scan(&i.Scope, &i.Key, &i.Hash, &resp)
			i.Response = resp
			return store.Record{Kind: store.KindIdempotent, Idempotent: i}, err
		}},
	{store.KindAudit, "SELECT seq::text AS n, doc FROM audit ORDER BY seq",
		docOf(store.KindAudit, func(seq string, v *rules.AuditEntry, r *store.Record) { v.Seq = seqOf(seq); r.Audit = v })},
	{store.KindNotification, "SELECT seq::text AS n, doc FROM outbox ORDER BY seq",
		docOf(store.KindNotification, func(seq string, v *rules.Notification, r *store.Record) { v.Seq = seqOf(seq); r.Notification = v })},
}

// seqOf is a seq column read as text (a bigint's digits).
func seqOf(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }

// issued is the last value a sequence has issued (0 for none).
func issued(seq string) string {
	return "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + seq + ")"
}

// Dump calls fn with every stored record (see store.Dumper), from one
// REPEATABLE READ snapshot, each table streamed row by row.
func (s *Store) Dump(ctx context.Context, fn func(store.Record) error) error {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.unreachable(err)
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	for _, q := range dumpQueries {
		if err := dumpRows(ctx, ptx, q, fn); err != nil {
			return err
		}
	}
	var c store.Counters
	err = ptx.QueryRow(ctx, "SELECT "+issued("binding_seq")+", "+issued("order_seq")+", "+issued("decision_seq")+", "+
		issued("audit_seq")+", "+issued("outbox_seq")).Scan(&c.Bindings, &c.Orders, &c.Decisions, &c.Audit, &c.Outbox)
	if err != nil {
		return wrap("dump counters", err)
	}
	return fn(store.Record{Kind: store.KindCounters, Counters: &c})
}

func dumpRows(ctx context.Context, ptx pgx.Tx, q dumpQuery, fn func(store.Record) error) error {
	rows, err := ptx.Query(ctx, q.sql)
	if err != nil {
		return wrap("dump "+q.kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := q.scan(rows)
		if err != nil {
			return wrap("dump "+q.kind, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return wrap("dump "+q.kind, rows.Err())
}

// PutOrder writes an order with its ID.
func (t *Tx) PutOrder(o *rules.PaymentOrder) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = t.exec("insert order", "INSERT INTO orders (id, decision_no, doc) VALUES ($1, $2, $3)", o.ID, o.DecisionNo, string(raw))
	return err
}

// PutAudit writes an entry encoded by store.EncodeAudit under seq.
func (t *Tx) PutAudit(seq uint64, raw []byte) error {
	t.later("INSERT INTO audit (seq, doc) VALUES ($1, $2)", int64(seq), string(raw))
	return nil
}

// PutNotification writes a message encoded by store.EncodeNotification
// under seq.
func (t *Tx) PutNotification(seq uint64, raw []byte) error {
	t.later("INSERT INTO outbox (seq, doc) VALUES ($1, $2)", int64(seq), string(raw))
	return nil
}

// AdvanceCounters raises each sequence that issues numbers to c's, if
// lower (setval, which no rollback undoes: raising is safe to repeat).
func (t *Tx) AdvanceCounters(c store.Counters) error {
	for _, s := range []struct {
		seq string
		n   uint64
	}{{"binding_seq", c.Bindings}, {"order_seq", c.Orders}, {"decision_seq", c.Decisions}, {"audit_seq", c.Audit}, {"outbox_seq", c.Outbox}} {
		if s.n == 0 {
			continue
		}
		if _, err := t.exec("advance "+s.seq, "SELECT setval('"+s.seq+"', $1) WHERE $1 > "+issued(s.seq), int64(s.n)); err != nil {
			return err
		}
	}
	return nil
}
