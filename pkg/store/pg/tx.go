package pg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/codec"
)

// Tx is a store transaction with the typed accessors of store.Tx. Values
// returned are decoded copies.
type Tx struct {
	tx    *session
	ctx   context.Context
	write bool
	// err is the first failure that calls for a rerun: the transaction
	// ends with it whatever the caller made of it.
	err error
	// claimed lists the idempotency keys this transaction inserted while
	// looking them up, true once their response is stored.
	claimed map[[2]string]bool
}

// fail records an error that must end the transaction.
func (t *Tx) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

// wrap is the package's wrap that also remembers an error that calls
// for a rerun: the transaction is aborted, and whatever the caller makes
// of the error, Update reruns it.
func (t *Tx) wrap(op string, err error) error {
	err = wrap(op, err)
	if retryable(err) {
		t.fail(err)
	}
	return err
}

// retry fails the transaction with errConflict (a rerun).
func (t *Tx) retry() error {
	t.fail(errConflict)
	return errConflict
}

// exec runs a statement and returns the rows it changed.
func (t *Tx) exec(op, sql string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(t.ctx, sql, args...)
	return tag.RowsAffected(), t.wrap(op, err)
}

// guarded runs a statement inside a savepoint (one round trip) so that a
// unique violation (returned as dup, naming the constraint) leaves the
// transaction usable.
func (t *Tx) guarded(op, sql string, args ...any) (n int64, dup *pgconn.PgError, err error) {
	b := &pgx.Batch{}
	b.Queue("SAVEPOINT g")
	b.Queue(sql, args...)
	b.Queue("RELEASE SAVEPOINT g")
	br := t.tx.SendBatch(t.ctx, b)
	_, err = br.Exec()
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = br.Exec()
	}
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		if _, err := t.tx.Exec(t.ctx, "ROLLBACK TO SAVEPOINT g"); err != nil {
			return 0, nil, t.wrap(op, err)
		}
		if _, err := t.tx.Exec(t.ctx, "RELEASE SAVEPOINT g"); err != nil {
			return 0, nil, t.wrap(op, err)
		}
		return 0, pe, nil
	}
	return tag.RowsAffected(), nil, t.wrap(op, err)
}

// insertNew runs an INSERT … SELECT … WHERE NOT EXISTS of one row on the
// hot paths, without a savepoint: false if the row is there already (the
// domain's refusal); a key that a transaction this one cannot see
// inserted (unique violation) aborts it, and Update reruns it, to find
// the row then.
func (t *Tx) insertNew(op, sql string, args ...any) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, sql, args...)
	if isUnique(err) {
		return false, t.retry()
	}
	return tag.RowsAffected() == 1, t.wrap(op, err)
}

// upsert runs update and, if it changed no row, insert: the one place
// that writes a row whether or not it exists (a dialect with an upsert
// statement could replace it). A concurrent insert of the same key
// reruns the transaction.
func (t *Tx) upsert(op, update, insert string, args ...any) error {
	n, err := t.exec(op, update, args...)
	if err != nil || n > 0 {
		return err
	}
	_, dup, err := t.guarded(op, insert, args...)
	if dup != nil {
		return t.retry()
	}
	return err
}

// getDoc decodes the JSON of the first column of a one-row query into v;
// false if there is no row.
func (t *Tx) getDoc(op string, v any, sql string, args ...any) (bool, error) {
	var raw []byte
	err := t.tx.QueryRow(t.ctx, sql, args...).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, t.wrap(op, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, damaged("%s does not decode", op)
	}
	return true, nil
}

func get[T any](t *Tx, op, sql string, args ...any) (*T, error) {
	v := new(T)
	ok, err := t.getDoc(op, v, sql, args...)
	if !ok {
		return nil, err
	}
	return v, nil
}

// damaged is STORE_DAMAGED saying what does not decode.
func damaged(format string, args ...any) error {
	return rules.ErrStoreDamaged.Withf(format, args...)
}

func nullIf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(at time.Time) *time.Time {
	if at.IsZero() {
		return nil
	}
	return &at
}

// ---- licences and vehicles ----

// Licence returns the licence of the ID number, or nil.
func (t *Tx) Licence(idNumber string) (*rules.Licence, error) {
	return get[rules.Licence](t, "licence", "SELECT doc FROM licences WHERE id_number = $1", idNumber)
}

// PutLicence writes a licence.
func (t *Tx) PutLicence(l *rules.Licence) error {
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return t.upsert("put licence", "UPDATE licences SET doc = $2 WHERE id_number = $1",
		"INSERT INTO licences (id_number, doc) VALUES ($1, $2)", l.IDNumber, string(raw))
}

// HoldLicence writes the driver's licence row (an update that changes
// nothing): a concurrent handling of the same driver waits for it and then
// counts with a fresh statement at READ COMMITTED, or is rerun after a
// serialization failure at REPEATABLE READ.
func (t *Tx) HoldLicence(idNumber string) error {
	_, err := t.exec("hold licence", "UPDATE licences SET doc = doc WHERE id_number = $1", idNumber)
	return err
}

// Vehicle returns the vehicle with the plate and plate type, or nil.
func (t *Tx) Vehicle(plate string, pt rules.PlateType) (*rules.Vehicle, error) {
	return get[rules.Vehicle](t, "vehicle", "SELECT doc FROM vehicles WHERE plate = $1 AND plate_type = $2", plate, string(pt))
}

// PutVehicle writes a vehicle.
func (t *Tx) PutVehicle(v *rules.Vehicle) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.upsert("put vehicle", "UPDATE vehicles SET owner_id_number = $3, doc = $4 WHERE plate = $1 AND plate_type = $2",
		"INSERT INTO vehicles (plate, plate_type, owner_id_number, doc) VALUES ($1, $2, $3, $4)",
		v.Plate, string(v.PlateType), v.OwnerIDNumber, string(raw))
}

// ---- persons and units ----

// Person returns the registered person, or nil.
func (t *Tx) Person(idNumber string) (*rules.Person, error) {
	return get[rules.Person](t, "person", "SELECT doc FROM persons WHERE id_number = $1", idNumber)
}

// InsertPerson registers a person; an existing registration is
// ErrAlreadyRegistered (the primary key).
func (t *Tx) InsertPerson(p *rules.Person) error {
	return t.register("persons (id_number, doc)", p.IDNumber, p, "id_number")
}

// Unit returns the registered unit, or nil.
func (t *Tx) Unit(code string) (*rules.Unit, error) {
	return get[rules.Unit](t, "unit", "SELECT doc FROM units WHERE credit_code = $1", code)
}

// InsertUnit registers a unit; an existing registration is ErrAlreadyRegistered.
func (t *Tx) InsertUnit(u *rules.Unit) error {
	return t.register("units (credit_code, doc)", u.CreditCode, u, "credit_code")
}

func (t *Tx) register(table, id string, doc any, field string) error {
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, dup, err := t.guarded("register", "INSERT INTO "+table+" VALUES ($1, $2)", id, string(raw))
	if dup != nil {
		return rules.ErrAlreadyRegistered.WithField(field)
	}
	return err
}

// ---- bindings ----

// NextBindingID allocates a binding ID from a sequence, in the bbolt
// store's format (B and 8 digits).
func (t *Tx) NextBindingID() (string, error) {
	n, err := t.nextval("binding_seq")
	return fmt.Sprintf("B%08d", n), err
}

func (t *Tx) nextval(seq string) (int64, error) {
	var n int64
	err := t.tx.QueryRow(t.ctx, "SELECT nextval('"+seq+"')").Scan(&n)
	return n, t.wrap(seq, err)
}

// Binding returns a binding by ID, or nil.
func (t *Tx) Binding(id string) (*rules.Binding, error) {
	return get[rules.Binding](t, "binding", "SELECT doc FROM bindings WHERE id = $1", id)
}

// counted reports whether a binding counts against the binding limits.
func counted(b *rules.Binding) bool { return b.Kind == rules.BindVehicle && !b.Own }

// PutBinding writes a binding: a new one is inserted (and counted), an
// existing one rewritten. A second binding of the same vehicle (or
// licence) by one person is ErrAlreadyBound (a unique key).
func (t *Tx) PutBinding(b *rules.Binding) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	n, err := t.exec("put binding", "UPDATE bindings SET doc = $2 WHERE id = $1", b.ID, string(raw))
	if err != nil || n > 0 {
		return err
	}
	if counted(b) { // counted without a limit
		if err := t.count(b, math.MaxInt32, math.MaxInt32); err != nil {
			return err
		}
	}
	return t.insertBinding(b, raw)
}

func (t *Tx) insertBinding(b *rules.Binding, raw []byte) error {
	_, dup, err := t.guarded("insert binding", "INSERT INTO bindings (id, id_number, kind, plate, plate_type, own, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		b.ID, b.IDNumber, b.Kind, b.Plate, string(b.PlateType), b.Own, string(raw))
	switch {
	case dup != nil && dup.ConstraintName == "bindings_pkey":
		return t.retry()
	case dup != nil:
		return rules.ErrAlreadyBound.Withf("%s %s", b.Plate, b.PlateType)
	}
	return err
}

// InsertBindingLimited inserts a new binding. One of another owner's
// vehicle first takes a slot in both binding limits by conditional UPDATE
// of a counter: the person's other vehicles (fewer than maxOthers, else
// ErrTooManyOthers) and the vehicle's non-owner drivers (fewer than
// maxDrivers, else ErrTooManyDrivers). The counters and the binding commit
// together, so the limits hold at every isolation level.
func (t *Tx) InsertBindingLimited(b *rules.Binding, maxOthers, maxDrivers int) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if counted(b) {
		if err := t.count(b, maxOthers, maxDrivers); err != nil {
			return err
		}
	}
	return t.insertBinding(b, raw)
}

// count takes a slot for binding b in both counters.
func (t *Tx) count(b *rules.Binding, maxOthers, maxDrivers int) error {
	if err := t.ensureCounters(b); err != nil {
		return err
	}
	n, err := t.exec("count binding", "UPDATE binding_count_person SET others = others + 1 WHERE id_number = $1 AND others < $2", b.IDNumber, maxOthers)
	if err != nil {
		return err
	}
	if n == 0 {
		return rules.ErrTooManyOthers.Withf("%d", maxOthers)
	}
	n, err = t.exec("count binding", "UPDATE binding_count_vehicle SET drivers = drivers + 1 WHERE plate = $1 AND plate_type = $2 AND drivers < $3",
		b.Plate, string(b.PlateType), maxDrivers)
	if err != nil {
		return err
	}
	if n == 0 {
		return rules.ErrTooManyDrivers.Withf("%d", maxDrivers)
	}
	return nil
}

// ensureCounters creates the binding counters of b's person and vehicle
// if missing, starting from the bindings stored.
func (t *Tx) ensureCounters(b *rules.Binding) error {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO binding_count_person (id_number, others)
		  SELECT $1, (SELECT count(*) FROM bindings WHERE id_number = $1 AND kind = 'vehicle' AND NOT own)
		  WHERE NOT EXISTS (SELECT 1 FROM binding_count_person WHERE id_number = $1)`, []any{b.IDNumber}},
		{`INSERT INTO binding_count_vehicle (plate, plate_type, drivers)
		  SELECT $1, $2, (SELECT count(*) FROM bindings WHERE plate = $1 AND plate_type = $2 AND kind = 'vehicle' AND NOT own)
		  WHERE NOT EXISTS (SELECT 1 FROM binding_count_vehicle WHERE plate = $1 AND plate_type = $2)`, []any{b.Plate, string(b.PlateType)}},
	} {
		_, dup, err := t.guarded("binding counters", q.sql, q.args...)
		if dup != nil {
			return t.retry()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteBinding removes a binding, giving back its slot in the limits.
func (t *Tx) DeleteBinding(b *rules.Binding) error {
	// The stored row says what it counted, whatever the caller's copy says.
	var kind, who, plate, pt string
	var own bool
	err := t.tx.QueryRow(t.ctx, "DELETE FROM bindings WHERE id = $1 RETURNING kind, own, id_number, plate, plate_type", b.ID).
		Scan(&kind, &own, &who, &plate, &pt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil || kind != rules.BindVehicle || own {
		return t.wrap("delete binding", err)
	}
	if _, err := t.exec("uncount binding", "UPDATE binding_count_person SET others = others - 1 WHERE id_number = $1 AND others > 0", who); err != nil {
		return err
	}
	_, err = t.exec("uncount binding", "UPDATE binding_count_vehicle SET drivers = drivers - 1 WHERE plate = $1 AND plate_type = $2 AND drivers > 0", plate, pt)
	return err
}

func (t *Tx) bindings(op, sql string, args ...any) ([]rules.Binding, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, t.wrap(op, err)
	}
	var out []rules.Binding
	for rows.Next() {
		var raw []byte
		var b rules.Binding
		if err := rows.Scan(&raw); err != nil {
			return nil, t.wrap(op, err)
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			rows.Close()
			return nil, damaged("%s does not decode", op)
		}
		out = append(out, b)
	}
	return out, t.wrap(op, rows.Err())
}

// BindingsOf returns a person's bindings (active and pending) in ID order.
func (t *Tx) BindingsOf(idNumber string) ([]rules.Binding, error) {
	return t.bindings("bindings of person", "SELECT doc FROM bindings WHERE id_number = $1 ORDER BY id", idNumber)
}

// BindingsOfVehicle returns every binding of a vehicle in ID order.
func (t *Tx) BindingsOfVehicle(plate string, pt rules.PlateType) ([]rules.Binding, error) {
	return t.bindings("bindings of vehicle", "SELECT doc FROM bindings WHERE plate = $1 AND plate_type = $2 AND kind = 'vehicle' ORDER BY id", plate, string(pt))
}

// ---- violations ----

// selectViolation reads a record with the payment of its decision, if any
// and not yet folded (Fold): the record then reads as paid.
const selectViolation = `SELECT v.doc, p.doc FROM violations v
	LEFT JOIN payments p ON p.decision_no = v.decision_no AND v.status IN ('unpaid', 'pending')`

// readStatus is a record's status as it reads (a payment makes it paid).
const readStatus = `(CASE WHEN p.decision_no IS NULL THEN v.status ELSE 'paid' END)`

// decodeViolation decodes a stored record and overlays its payment.
func decodeViolation(raw, payment []byte, v *rules.Violation) error {
	if err := codec.DecodeViolation(raw, v); err != nil {
		return damaged("a violation record does not decode")
	}
	if payment == nil {
		return nil
	}
	var p rules.Payment
	if err := json.Unmarshal(payment, &p); err != nil {
		return damaged("the payment of decision %q does not decode", v.DecisionNo)
	}
	v.Status, v.PaidAt, v.PaymentID, v.PendingUntil = rules.StatusPaid, p.PaidAt, p.ID, time.Time{}
	return nil
}

// violations reads the records sql selects, making room for most of them
// at the first (a page's limit; 0 if unknown).
func (t *Tx) violations(most int, sql string, args ...any) ([]rules.Violation, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, t.wrap("violations", err)
	}
	defer rows.Close()
	var out []rules.Violation
	for rows.Next() {
		if out == nil && most > 1 {
			out = make([]rules.Violation, 0, min(most, 1000))
		}
		var raw pgtype.DriverBytes // the decoder copies what it keeps
		var pay []byte
		if err := rows.Scan(&raw, &pay); err != nil {
			return nil, t.wrap("violations", err)
		}
		out = append(out, rules.Violation{})
		if err := decodeViolation(raw, pay, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, t.wrap("violations", rows.Err())
}

func (t *Tx) violation(where string, args ...any) (*rules.Violation, error) {
	vs, err := t.violations(1, selectViolation+" WHERE "+where, args...)
	if len(vs) == 0 || err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// Violation returns a record by number, or nil, as it stands: a payment
// of its decision not yet folded into the record shows it paid.
func (t *Tx) Violation(recordNo string) (*rules.Violation, error) {
	return t.violation("v.record_no = $1", recordNo)
}

// DecisionOf reports whether the decision number names this record.
func (t *Tx) DecisionOf(decisionNo, recordNo string) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(t.ctx, "SELECT EXISTS (SELECT 1 FROM violations WHERE decision_no = $1 AND record_no = $2)", decisionNo, recordNo).Scan(&ok)
	return ok, t.wrap("decision of", err)
}

// ViolationByDecision returns the record of a decision number, or nil.
func (t *Tx) ViolationByDecision(decisionNo string) (*rules.Violation, error) {
	return t.violation("v.decision_no = $1", decisionNo)
}

// violationColumns are the columns violationArgs fills.
var violationColumns = []string{"record_no", "plate", "plate_type", "status", "decision_no", "driver_id_number", "occurred_at", "pending_until", "doc"}

// violationArgs are the columns of a record, in the order of the
// statements below ($1 … $9).
func violationArgs(v *rules.Violation) ([]any, error) {
	raw, err := codec.EncodeViolation(v)
	if err != nil {
		return nil, err
	}
	return recordArgs(v, raw), nil
}

// recordArgs is violationArgs with the record already encoded.
func recordArgs(v *rules.Violation, raw []byte) []any {
	return []any{v.RecordNo, v.Plate, string(v.PlateType), string(v.Status), nullIf(v.DecisionNo), nullIf(v.DriverIDNumber),
		v.OccurredAt, nullTime(v.PendingUntil), raw}
}

// PutViolation writes a record. A new one (old nil) is inserted: a record
// number already stored is ErrDuplicateRecord. An existing one is
// rewritten only if it still has old's status and decision (a conditional
// UPDATE), so two concurrent handlings of one record cannot both succeed:
// the loser gets ErrPendingElsewhere. A decision number another record holds is
// ErrDuplicateDecision (a unique key).
func (t *Tx) PutViolation(v, old *rules.Violation) error {
	args, err := violationArgs(v)
	if err != nil {
		return err
	}
	if old == nil {
		_, dup, err := t.guarded("insert record", `INSERT INTO violations
			(record_no, plate, plate_type, status, decision_no, driver_id_number, occurred_at, pending_until, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...)
		if dup != nil {
			return t.duplicate(dup, v)
		}
		return err
	}
	from := []string{string(old.Status)}
	if old.Status == rules.StatusPaid { // as read: it may be stored unpaid or pending with a payment
		from = []string{string(rules.StatusPaid), string(rules.StatusUnpaid), string(rules.StatusPending)}
	}
	// The row must still be as read: its state, its decision, and unpaid
	// unless read as paid (a payment sets paid on the row, so a payment and
	// the expiry of its handling never both commit).
	n, dup, err := t.guarded("update record", `UPDATE violations SET plate = $2, plate_type = $3, status = $4, decision_no = $5,
		driver_id_number = $6, occurred_at = $7, pending_until = $8, doc = $9
		WHERE record_no = $1 AND status = ANY($10) AND COALESCE(decision_no, '') = $11
		AND (NOT paid OR $12)`, append(args, from, old.DecisionNo, old.Status == rules.StatusPaid)...)
	switch {
	case dup != nil:
		return t.duplicate(dup, v)
	case err != nil || n > 0:
		return err
	}
	return t.changed(v.RecordNo)
}

// duplicate explains a unique violation of a record's keys.
func (t *Tx) duplicate(dup *pgconn.PgError, v *rules.Violation) error {
	if dup.ConstraintName == "violations_pkey" {
		return rules.ErrDuplicateRecord.Withf("%s", v.RecordNo)
	}
	var other string
	switch err := t.tx.QueryRow(t.ctx, "SELECT record_no FROM violations WHERE decision_no = $1", v.DecisionNo).Scan(&other); {
	case errors.Is(err, pgx.ErrNoRows): // a transaction this one cannot see holds it
		return rules.ErrDuplicateDecision.Withf("%s", v.DecisionNo)
	case err != nil:
		return t.wrap("duplicate decision", err)
	}
	return rules.ErrDuplicateDecision.Withf("%s (record %s)", v.DecisionNo, other)
}

// changed says why a record did not have the state an update expected:
// another writer changed it (ErrPendingElsewhere), or it is gone.
func (t *Tx) changed(recordNo string) error {
	var ok bool
	if err := t.tx.QueryRow(t.ctx, "SELECT EXISTS (SELECT 1 FROM violations WHERE record_no = $1)", recordNo).Scan(&ok); err != nil {
		return t.wrap("record", err)
	}
	if !ok {
		return rules.ErrRecordNotFound.Withf("%s", recordNo)
	}
	return rules.ErrPendingElsewhere
}

// Violations returns the records matching q in record_no order (paid
// records by decision number, q.After then being a decision number), as
// the bbolt store does.
func (t *Tx) Violations(q store.ViolationQuery) ([]rules.Violation, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	order := "v.record_no"
	from := selectViolation
	switch {
	case q.Plate != "":
		where = append(where, "v.plate = "+arg(q.Plate), "v.plate_type = "+arg(string(q.PlateType)))
	case q.Driver != "":
		where = append(where, "v.driver_id_number = "+arg(q.Driver))
	case q.Status == rules.StatusPaid:
		// Paid through a payment, walked in decision order.
		from = `SELECT v.doc, CASE WHEN v.status = 'paid' THEN NULL ELSE p.doc END FROM payments p
			JOIN violations v ON v.decision_no = p.decision_no AND v.status IN ('paid', 'unpaid', 'pending')`
		order = "p.decision_no"
		q.Status = ""
	}
	if q.Status != "" {
		where = append(where, readStatus+" = "+arg(string(q.Status)))
	}
	if q.After != "" {
		where = append(where, order+" > "+arg(q.After))
	}
	sql := from
	for i, w := range where {
		sql += map[bool]string{true: " WHERE ", false: " AND "}[i == 0] + w
	}
	sql += " ORDER BY " + order
	if q.Limit > 0 {
		sql += " LIMIT " + arg(q.Limit)
	}
	out, err := t.violations(q.Limit, sql, args...)
	if out == nil && err == nil && q.Plate != "" {
		out = []rules.Violation{} // as the bbolt store returns it
	}
	return out, err
}

// ExpiredPending returns the record numbers whose pending handling ended
// at or before now (to the second), by end time.
func (t *Tx) ExpiredPending(now time.Time, limit int) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, "SELECT record_no FROM violations WHERE pending_until < $1 ORDER BY pending_until, record_no LIMIT $2",
		time.Unix(now.Unix()+1, 0), limit)
	if err != nil {
		return nil, t.wrap("expired pending", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(out) == 0 {
		return nil, t.wrap("expired pending", err)
	}
	return out, nil
}

// Fold writes the payments of up to limit decided records into the
// records themselves (unpaid ones first, then pending, each in record
// order). It returns how many it folded; fewer than limit means done.
func (t *Tx) Fold(limit int) (int, error) {
	folded := 0
	for _, st := range []rules.Status{rules.StatusUnpaid, rules.StatusPending} {
		if folded >= limit {
			break
		}
		vs, err := t.violations(limit-folded, `SELECT v.doc, p.doc FROM violations v JOIN payments p ON p.decision_no = v.decision_no
			WHERE v.status = $1 ORDER BY v.record_no LIMIT $2`, string(st), limit-folded)
		if err != nil {
			return 0, err
		}
		b := &pgx.Batch{}
		for i := range vs {
			raw, err := codec.EncodeViolation(&vs[i])
			if err != nil {
				return 0, err
			}
			b.Queue(`UPDATE violations SET status = 'paid', pending_until = NULL, doc = $2 WHERE record_no = $1 AND status = $3`,
				vs[i].RecordNo, raw, string(st))
		}
		if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
			return 0, t.wrap("fold", err)
		}
		folded += len(vs)
	}
	return folded, nil
}

// ---- payments ----

// PaymentOfDecision returns the payment of a decision, or nil.
func (t *Tx) PaymentOfDecision(decisionNo string) (*rules.Payment, error) {
	return get[rules.Payment](t, "payment", "SELECT doc FROM payments WHERE decision_no = $1", decisionNo)
}

// InsertOrder records a payment order, allocating its ID from a sequence
// in the bbolt store's format (O and 10 digits).
func (t *Tx) InsertOrder(o *rules.PaymentOrder) error {
	n, err := t.nextval("order_seq")
	if err != nil {
		return err
	}
	o.ID = fmt.Sprintf("O%010d", n)
	return t.PutOrder(o)
}

// InsertPayment records a payment, keyed by its decision: a second payment
// of a decision is ErrAlreadyPaid (the primary key).
func (t *Tx) InsertPayment(p *rules.Payment) error {
	raw, err := enc.EncodePayment(p)
	if err == nil {
		err = t.insertPayment(p.DecisionNo, p.RecordNo, raw)
	}
	return err
}

// InsertEncodedPayment is InsertPayment with the payment already encoded
// by store.EncodePayment.
func (t *Tx) InsertEncodedPayment(decisionNo string, raw []byte) error {
	var rec struct {
		RecordNo string `json:"record_no"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	return t.insertPayment(decisionNo, rec.RecordNo, raw)
}

// insertPayment inserts a payment unless its decision has one (then
// ErrAlreadyPaid). One that a concurrent transaction committed first is
// ErrAlreadyPaid once this transaction can read it (it is rerun if not).
func (t *Tx) insertPayment(decisionNo, recordNo string, raw []byte) error {
	ok, err := t.insertNew("insert payment", `INSERT INTO payments (decision_no, record_no, doc)
		SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM payments WHERE decision_no = $1)`, decisionNo, recordNo, string(raw))
	if err != nil {
		return err
	}
	if !ok {
		return rules.ErrAlreadyPaid
	}
	// Then the record's row: the decision must still name it, and a sweep
	// expiring its handling meanwhile conflicts with this payment on the
	// row (it waits, then finds it paid; at REPEATABLE READ one of the two
	// is rerun). A decision that no longer names its record takes its
	// payment back.
	n, err := t.exec("mark record paid", `UPDATE violations SET paid = true WHERE record_no = $1 AND decision_no = $2`, recordNo, decisionNo)
	if err == nil && n == 0 {
		if _, err = t.exec("payment of a lapsed decision", "DELETE FROM payments WHERE decision_no = $1", decisionNo); err == nil {
			err = rules.ErrHandlingExpired.Withf("%s", recordNo)
		}
	}
	return err
}

// ---- idempotency ----

// Idempotent returns the stored response of (scope, key) and whether one
// exists; a stored request hash that differs from hash is
// ErrIdempotencyReuse. In a write transaction a key not yet stored is
// inserted at once (with no response): a concurrent request with the same
// key then waits for this transaction and, rerun, replays its response.
func (t *Tx) Idempotent(scope, k, hash string) (json.RawMessage, bool, error) {
	if t.write && k != "" {
		ok, err := t.insertNew("idempotency key", `INSERT INTO idempotency (scope, key, hash)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM idempotency WHERE scope = $1 AND key = $2)`, scope, k, hash)
		switch {
		case err != nil:
			return nil, false, err
		case ok:
			if t.claimed == nil {
				t.claimed = map[[2]string]bool{}
			}
			t.claimed[[2]string{scope, k}] = false
			return nil, false, nil
		}
	}
	var h string
	var resp []byte
	err := t.tx.QueryRow(t.ctx, "SELECT hash, response FROM idempotency WHERE scope = $1 AND key = $2", scope, k).Scan(&h, &resp)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, t.wrap("idempotency key", err)
	}
	return keyAnswer(h, resp, hash)
}

// keyAnswer is Idempotent's answer for a stored key row (hash, response)
// asked with hash.
func keyAnswer(h string, resp []byte, hash string) (json.RawMessage, bool, error) {
	switch {
	case h != hash:
		return nil, false, rules.ErrIdempotencyReuse
	case resp == nil: // a claim: the request of a transaction in flight
		return nil, false, nil
	}
	return resp, true, nil
}

// PutIdempotent stores the response of (scope, key).
func (t *Tx) PutIdempotent(scope, k, hash string, response any) error {
	v, err := enc.EncodeIdempotent(hash, response)
	if err != nil {
		return err
	}
	return t.PutEncodedIdempotent(scope, k, v)
}

// PutEncodedIdempotent stores a record made by store.EncodeIdempotent
// under (scope, key); an empty key stores nothing.
func (t *Tx) PutEncodedIdempotent(scope, k string, record []byte) error {
	if k == "" {
		return nil
	}
	h, resp, ok := bytes.Cut(record, []byte{'\n'})
	if !ok {
		return fmt.Errorf("store: malformed idempotency record for %q", k)
	}
	if _, claimed := t.claimed[[2]string{scope, k}]; claimed {
		// The row is this transaction's: the update goes with the commit.
		t.claimed[[2]string{scope, k}] = true
		t.later("UPDATE idempotency SET hash = $3, response = $4 WHERE scope = $1 AND key = $2", scope, k, string(h), resp)
		return nil
	}
	return t.upsert("idempotency key", "UPDATE idempotency SET hash = $3, response = $4 WHERE scope = $1 AND key = $2",
		"INSERT INTO idempotency (scope, key, hash, response) VALUES ($1, $2, $3, $4)", scope, k, string(h), resp)
}

// beforeCommit queues, for the commit, deletes of the keys this
// transaction claimed but stored no response under (the request ended
// without one).
func (t *Tx) beforeCommit() {
	for sk, stored := range t.claimed {
		if !stored {
			t.later("DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND response IS NULL", sk[0], sk[1])
		}
	}
}

// later queues a write whose result nothing waits for (an audit entry, an
// outbox message, a claimed key's response): it goes with the next
// statement, at the latest with the commit, saving a round trip each.
func (t *Tx) later(sql string, args ...any) { t.tx.later(sql, args...) }

// ---- audit and outbox ----

// Audit appends an audit entry.
func (t *Tx) Audit(e rules.AuditEntry) error {
	raw, err := enc.EncodeAudit(e)
	if err != nil {
		return err
	}
	return t.AppendAudit(raw)
}

// AppendAudit appends an entry encoded by store.EncodeAudit.
func (t *Tx) AppendAudit(raw []byte) error {
	t.later("INSERT INTO audit (doc) VALUES ($1)", string(raw))
	return nil
}

// Notify appends an outbox message.
func (t *Tx) Notify(m rules.Notification) error {
	raw, err := enc.EncodeNotification(m)
	if err != nil {
		return err
	}
	return t.AppendNotification(raw)
}

// AppendNotification appends a message encoded by store.EncodeNotification.
func (t *Tx) AppendNotification(raw []byte) error {
	t.later("INSERT INTO outbox (doc) VALUES ($1)", string(raw))
	return nil
}

// AuditLog returns up to limit entries after seq (all if limit ≤ 0).
func (t *Tx) AuditLog(after uint64, limit int) ([]rules.AuditEntry, error) {
	return listSeq(t, "audit", after, limit, func(e *rules.AuditEntry, n uint64) { e.Seq = n })
}

// Outbox returns up to limit messages after seq (all if limit ≤ 0).
func (t *Tx) Outbox(after uint64, limit int) ([]rules.Notification, error) {
	return listSeq(t, "outbox", after, limit, func(m *rules.Notification, n uint64) { m.Seq = n })
}

func listSeq[T any](t *Tx, table string, after uint64, limit int, set func(*T, uint64)) ([]T, error) {
	sql := "SELECT seq, doc FROM " + table + " WHERE seq > $1 ORDER BY seq"
	args := []any{int64(after)}
	if limit > 0 {
		sql += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, t.wrap(table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var n int64
		var raw []byte
		if err := rows.Scan(&n, &raw); err != nil {
			return nil, t.wrap(table, err)
		}
		var e T
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, damaged("%s entry %d does not decode", table, n)
		}
		set(&e, uint64(n))
		out = append(out, e)
	}
	return out, t.wrap(table, rows.Err())
}

// NextDecisionNo issues a new 16-digit decision number in the bbolt
// store's format: the 6-digit division code, a 9-digit sequence and a
// check digit (the sequence mod 7). Numbers already taken by imported
// decisions are skipped; the unique key on decision_no is what guarantees
// that no two records share one.
func (t *Tx) NextDecisionNo(region string) (string, error) {
	for {
		n, err := t.nextval("decision_seq")
		if err != nil {
			return "", err
		}
		no := fmt.Sprintf("%s%09d%d", region, n, n%7)
		var taken bool
		if err := t.tx.QueryRow(t.ctx, "SELECT EXISTS (SELECT 1 FROM violations WHERE decision_no = $1)", no).Scan(&taken); err != nil {
			return "", t.wrap("decision number", err)
		}
		if !taken {
			return no, nil
		}
	}
}

// ---- credentials and tokens ----

// PasswordHash returns a person's stored password hash ("" if none).
func (t *Tx) PasswordHash(idNumber string) (string, error) {
	var h string
	err := t.tx.QueryRow(t.ctx, "SELECT hash FROM credentials WHERE id_number = $1", idNumber).Scan(&h)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return h, t.wrap("password hash", err)
}

// SetPasswordHash stores a person's password hash.
func (t *Tx) SetPasswordHash(idNumber, hash string) error {
	return t.upsert("password hash", "UPDATE credentials SET hash = $2 WHERE id_number = $1",
		"INSERT INTO credentials (id_number, hash) VALUES ($1, $2)", idNumber, hash)
}

// Token returns the record of a token hash, or nil.
func (t *Tx) Token(hash []byte) (*store.TokenRecord, error) {
	return get[store.TokenRecord](t, "token", "SELECT doc FROM tokens WHERE hash = $1", hash)
}

// PutToken stores a token record under its hash.
func (t *Tx) PutToken(hash []byte, r *store.TokenRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return t.upsert("token", "UPDATE tokens SET doc = $2 WHERE hash = $1", "INSERT INTO tokens (hash, doc) VALUES ($1, $2)", hash, string(raw))
}
