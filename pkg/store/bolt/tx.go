package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"github.com/jgctl/jgctl/pkg/store/codec"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	bolt "go.etcd.io/bbolt"
)

// Tx is a store transaction with typed accessors. Values returned are
// decoded copies, safe to keep after the transaction ends.
type Tx struct {
	tx   *bolt.Tx
	open [numBuckets]*bolt.Bucket // buckets opened so far (bbolt caches them only in writable transactions)
	curs [numBuckets]*bolt.Cursor // see get
}

// b returns a top-level bucket, opening it once per transaction.
func (t *Tx) b(id bucket) *bolt.Bucket {
	if b := t.open[id]; b != nil {
		return b
	}
	b := t.tx.Bucket(id.name())
	t.open[id] = b
	return b
}

// get is b(id).Get(k) through one cursor per bucket and transaction: a
// Get allocates a cursor and its stack each time, and the hot read paths
// make dozens per request.
func (t *Tx) get(id bucket, k []byte) []byte {
	c := t.curs[id]
	if c == nil {
		c = t.b(id).Cursor()
		t.curs[id] = c
	}
	if ck, v := c.Seek(k); bytes.Equal(ck, k) {
		return v
	}
	return nil
}

// getJSON decodes the stored record of k in bucket id, or returns nil if
// there is none (allocating only then).
func getJSON[R record](t *Tx, id bucket, k []byte) (*R, error) {
	raw := t.get(id, k)
	if raw == nil {
		return nil, nil
	}
	v := new(R)
	if len(raw) > maxValueSize || json.Unmarshal(raw, v) != nil {
		return nil, t.damaged("%s %q does not decode", bucketNames[id], shortKey(k))
	}
	return v, nil
}

// damaged is ErrStoreDamaged naming the file and what is wrong in it.
func (t *Tx) damaged(format string, args ...any) error {
	return rules.ErrStoreDamaged.Withf("%s: %s", t.tx.DB().Path(), fmt.Sprintf(format, args...))
}

// shortKey copies at most 64 bytes of a key read from the file, for
// messages (a damaged page can make a key gigabytes long).
func shortKey(k []byte) string { return string(k[:min(len(k), 64)]) }

// putJSON writes a stored record under k.
func putJSON[R record](b *bolt.Bucket, k []byte, r *R) error {
	raw, err := encodeRecord(r)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// scan calls fn with the suffix after pfx of every key in bucket b that
// starts with pfx, in key order, until fn returns false.
func scan(b *bolt.Bucket, pfx []byte, fn func(rest []byte) bool) {
	c := b.Cursor()
	for k, _ := c.Seek(pfx); k != nil && bytes.HasPrefix(k, pfx); k, _ = c.Next() {
		if !fn(k[len(pfx):]) {
			return
		}
	}
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// ---- licences ----

// Licence returns the licence of the ID number, or nil.
func (t *Tx) Licence(idNumber string) (*rules.Licence, error) {
	r, err := getJSON[licenceRec](t, bucketLicences, []byte(idNumber))
	return (*rules.Licence)(r), err
}

// PutLicence writes a licence.
func (t *Tx) PutLicence(l *rules.Licence) error {
	return putJSON(t.b(bucketLicences), []byte(l.IDNumber), (*licenceRec)(l))
}

// ---- vehicles ----

func vehicleKey(plate string, pt rules.PlateType) []byte { return key(plate, string(pt)) }

// HoldLicence does nothing: bbolt's write transactions are serial.
func (t *Tx) HoldLicence(string) error { return nil }

// Vehicle returns the vehicle with the plate and plate type, or nil.
func (t *Tx) Vehicle(plate string, pt rules.PlateType) (*rules.Vehicle, error) {
	r, err := getJSON[vehicleRec](t, bucketVehicles, vehicleKey(plate, pt))
	return (*rules.Vehicle)(r), err
}

// PutVehicle writes a vehicle.
func (t *Tx) PutVehicle(v *rules.Vehicle) error {
	return putJSON(t.b(bucketVehicles), vehicleKey(v.Plate, v.PlateType), (*vehicleRec)(v))
}

// ---- persons and units ----

// Person returns the registered person, or nil.
func (t *Tx) Person(idNumber string) (*rules.Person, error) {
	r, err := getJSON[personRec](t, bucketPersons, []byte(idNumber))
	return (*rules.Person)(r), err
}

// InsertPerson registers a person; an existing registration is ErrAlreadyRegistered.
func (t *Tx) InsertPerson(p *rules.Person) error {
	b := t.b(bucketPersons)
	if b.Get([]byte(p.IDNumber)) != nil {
		return rules.ErrAlreadyRegistered.WithField("id_number")
	}
	return putJSON(b, []byte(p.IDNumber), (*personRec)(p))
}

// Unit returns the registered unit, or nil.
func (t *Tx) Unit(code string) (*rules.Unit, error) {
	r, err := getJSON[unitRec](t, bucketUnits, []byte(code))
	return (*rules.Unit)(r), err
}

// InsertUnit registers a unit; an existing registration is ErrAlreadyRegistered.
func (t *Tx) InsertUnit(u *rules.Unit) error {
	b := t.b(bucketUnits)
	if b.Get([]byte(u.CreditCode)) != nil {
		return rules.ErrAlreadyRegistered.WithField("credit_code")
	}
	return putJSON(b, []byte(u.CreditCode), (*unitRec)(u))
}

// ---- bindings ----

// NextBindingID allocates a binding ID.
func (t *Tx) NextBindingID() (string, error) {
	n, err := t.b(bucketBindings).NextSequence()
	return fmt.Sprintf("B%08d", n), err
}

// Binding returns a binding by ID, or nil.
func (t *Tx) Binding(id string) (*rules.Binding, error) {
	r, err := getJSON[bindingRec](t, bucketBindings, []byte(id))
	return (*rules.Binding)(r), err
}

// PutBinding writes a binding and its indexes.
func (t *Tx) PutBinding(b *rules.Binding) error {
	if err := t.b(idxBindingPerson).Put(key(b.IDNumber, b.ID), nil); err != nil {
		return err
	}
	if b.Kind == rules.BindVehicle {
		if err := t.b(idxBindingVehicle).Put(key(b.Plate, string(b.PlateType), b.ID), nil); err != nil {
			return err
		}
	}
	return putJSON(t.b(bucketBindings), []byte(b.ID), (*bindingRec)(b))
}

// DeleteBinding removes a binding and its index entries.
func (t *Tx) DeleteBinding(b *rules.Binding) error {
	if err := t.b(idxBindingPerson).Delete(key(b.IDNumber, b.ID)); err != nil {
		return err
	}
	if err := t.b(idxBindingVehicle).Delete(key(b.Plate, string(b.PlateType), b.ID)); err != nil {
		return err
	}
	return t.b(bucketBindings).Delete([]byte(b.ID))
}

func (t *Tx) bindingsVia(idx bucket, pfx []byte) ([]rules.Binding, error) {
	var out []rules.Binding
	var err error
	scan(t.b(idx), pfx, func(rest []byte) bool {
		var b *rules.Binding
		if b, err = t.Binding(string(lastPart(rest))); err != nil {
			return false
		}
		if b != nil {
			out = append(out, *b)
		}
		return true
	})
	return out, err
}

func lastPart(k []byte) []byte {
	if i := bytes.LastIndexByte(k, 0); i >= 0 {
		return k[i+1:]
	}
	return k
}

// BindingsOf returns a person's bindings (active and pending).
func (t *Tx) BindingsOf(idNumber string) ([]rules.Binding, error) {
	return t.bindingsVia(idxBindingPerson, prefix(idNumber))
}

// BindingsOfVehicle returns every binding of a vehicle.
func (t *Tx) BindingsOfVehicle(plate string, pt rules.PlateType) ([]rules.Binding, error) {
	return t.bindingsVia(idxBindingVehicle, prefix(plate, string(pt)))
}

// ---- violations ----

// Violation returns a record by number, or nil, as it stands: a payment
// of its decision that is not yet folded into the record (Fold) shows it
// paid.
func (t *Tx) Violation(recordNo string) (*rules.Violation, error) {
	v, err := t.storedViolation(recordNo)
	if v == nil || err != nil {
		return v, err
	}
	return v, t.overlayPayment(v)
}

// appendViolation appends record rn, as Violation reads it, to out if it
// exists and has status st ("" for any). It decodes in place: listings
// append dozens of records.
func (t *Tx) appendViolation(out []rules.Violation, rn []byte, st rules.Status) ([]rules.Violation, error) {
	out = append(out, rules.Violation{})
	v := &out[len(out)-1]
	ok, err := t.readViolation(rn, v)
	if ok && err == nil {
		err = t.overlayPayment(v)
	}
	if !ok || err != nil || (st != "" && v.Status != st) {
		return out[:len(out)-1], err
	}
	return out, nil
}

// storedViolation returns the record as stored, without its payment.
func (t *Tx) storedViolation(recordNo string) (*rules.Violation, error) {
	var v rules.Violation
	if ok, err := t.readViolation([]byte(recordNo), &v); !ok {
		return nil, err
	}
	return &v, nil
}

// readViolation decodes record rn into v; false if there is none.
func (t *Tx) readViolation(rn []byte, v *rules.Violation) (bool, error) {
	raw := t.get(bucketViolations, rn)
	if raw == nil {
		return false, nil
	}
	if err := codec.DecodeViolation(raw, v); err != nil {
		return false, t.damaged("violation record %q does not decode", shortKey(rn))
	}
	return true, nil
}

// overlayPayment marks a decided record paid when its decision has a payment.
func (t *Tx) overlayPayment(v *rules.Violation) error {
	if v.DecisionNo == "" || (v.Status != rules.StatusUnpaid && v.Status != rules.StatusPending) {
		return nil
	}
	p, err := t.PaymentOfDecision(v.DecisionNo)
	if p == nil || err != nil {
		return err
	}
	v.Status, v.PaidAt, v.PaymentID, v.PendingUntil = rules.StatusPaid, p.PaidAt, p.ID, time.Time{}
	return nil
}

// Fold writes the payments of up to limit decided records into the records
// themselves and their indexes (a payment alone already makes its record
// read as paid). It returns how many it folded; fewer than limit means done.
func (t *Tx) Fold(limit int) (int, error) {
	var rns []string
	for _, st := range []rules.Status{rules.StatusUnpaid, rules.StatusPending} {
		scan(t.b(idxViolationStatus), prefix(string(st)), func(rn []byte) bool {
			if len(rns) >= limit {
				return false
			}
			raw := t.b(bucketViolations).Get(rn)
			var v rules.Violation
			if raw != nil && codec.DecodeViolation(raw, &v) == nil && v.DecisionNo != "" && t.b(bucketPayments).Get([]byte(v.DecisionNo)) != nil {
				rns = append(rns, string(rn))
			}
			return true
		})
	}
	for _, rn := range rns {
		old, err := t.storedViolation(rn)
		if err != nil {
			return 0, err
		}
		v := *old
		if err := t.overlayPayment(&v); err != nil {
			return 0, err
		}
		if err := t.PutViolation(&v, old); err != nil {
			return 0, err
		}
	}
	return len(rns), nil
}

// DecisionOf reports whether the decision number names this record.
func (t *Tx) DecisionOf(decisionNo, recordNo string) (bool, error) {
	return string(t.b(bucketDecisions).Get([]byte(decisionNo))) == recordNo, nil
}

// ViolationByDecision returns the record of a decision number, or nil.
func (t *Tx) ViolationByDecision(decisionNo string) (*rules.Violation, error) {
	rec := t.b(bucketDecisions).Get([]byte(decisionNo))
	if rec == nil {
		return nil, nil
	}
	return t.Violation(string(rec))
}

func pendingKey(until time.Time, recordNo string) []byte {
	return append(u64(uint64(until.Unix())), recordNo...)
}

// PutViolation writes a record and moves its index entries from old (the
// previous version, nil for a new record). A decision number already used
// by another record is a conflict.
func (t *Tx) PutViolation(v, old *rules.Violation) error {
	rn := v.RecordNo
	if old == nil || old.Status != v.Status {
		if old != nil && indexedStatus(old.Status) {
			if err := t.b(idxViolationStatus).Delete(key(string(old.Status), rn)); err != nil {
				return err
			}
		}
		if indexedStatus(v.Status) {
			if err := t.b(idxViolationStatus).Put(key(string(v.Status), rn), nil); err != nil {
				return err
			}
		}
	}
	if old == nil || old.Plate != v.Plate || old.PlateType != v.PlateType {
		if old != nil {
			if err := deleteFromRuns(t.b(idxViolationPlate), key(old.Plate, string(old.PlateType), rn)); err != nil {
				return err
			}
		}
		if err := putLive(t.b(idxViolationPlate), key(v.Plate, string(v.PlateType), rn)); err != nil {
			return err
		}
	}
	if v.DecisionNo != "" && (old == nil || old.DecisionNo != v.DecisionNo) {
		d := t.b(bucketDecisions)
		if o := d.Get([]byte(v.DecisionNo)); o != nil && string(o) != rn {
			return rules.ErrDuplicateDecision.Withf("%s (record %s)", v.DecisionNo, o)
		}
		if err := d.Put([]byte(v.DecisionNo), []byte(rn)); err != nil {
			return err
		}
	}
	if old != nil && old.DecisionNo != "" && old.DecisionNo != v.DecisionNo {
		if err := t.b(bucketDecisions).Delete([]byte(old.DecisionNo)); err != nil {
			return err
		}
	}
	if old != nil && old.DriverIDNumber != "" && old.DriverIDNumber != v.DriverIDNumber {
		if err := t.b(idxViolationDriver).Delete(key(old.DriverIDNumber, rn)); err != nil {
			return err
		}
	}
	if v.DriverIDNumber != "" && (old == nil || old.DriverIDNumber != v.DriverIDNumber) {
		if err := t.b(idxViolationDriver).Put(key(v.DriverIDNumber, rn), nil); err != nil {
			return err
		}
	}
	if old != nil && !old.PendingUntil.IsZero() && !old.PendingUntil.Equal(v.PendingUntil) {
		if err := t.b(idxViolationPending).Delete(pendingKey(old.PendingUntil, rn)); err != nil {
			return err
		}
	}
	if !v.PendingUntil.IsZero() && (old == nil || !old.PendingUntil.Equal(v.PendingUntil)) {
		if err := t.b(idxViolationPending).Put(pendingKey(v.PendingUntil, rn), nil); err != nil {
			return err
		}
	}
	raw, err := codec.EncodeViolation(v)
	if err != nil {
		return err
	}
	return t.b(bucketViolations).Put([]byte(rn), raw)
}

// indexedStatus reports whether records of a status are in the status
// index. Paid records are not: the payments bucket lists them (keyed by
// decision), so a payment touches one index page less.
func indexedStatus(s rules.Status) bool { return s != rules.StatusPaid }

// Violations returns records matching q in record_no order.
func (t *Tx) Violations(q store.ViolationQuery) ([]rules.Violation, error) {
	var idx bucket
	var pfx []byte // nil: no index
	switch {
	case q.Plate != "":
		return t.violationsOf(runKeys(t.b(idxViolationPlate), prefix(q.Plate, string(q.PlateType)), q.After), q)
	case q.Driver != "":
		idx, pfx = idxViolationDriver, prefix(q.Driver)
	case q.Status == rules.StatusPaid:
		return t.paidViolations(q)
	case q.Status != "":
		idx, pfx = idxViolationStatus, prefix(string(q.Status))
	}
	var out []rules.Violation
	var err error
	visit := func(rn []byte) bool {
		if q.After != "" && string(rn) <= q.After {
			return true
		}
		if out, err = t.appendViolation(out, rn, q.Status); err != nil {
			return false
		}
		return q.Limit == 0 || len(out) < q.Limit
	}
	if pfx == nil {
		// No filter: page through the records in key order.
		c := t.b(bucketViolations).Cursor()
		k, _ := c.First()
		if q.After != "" {
			k, _ = c.Seek(append([]byte(q.After), 0))
		}
		for ; k != nil && visit(k); k, _ = c.Next() {
		}
		return out, err
	}
	if q.After != "" {
		c := t.b(idx).Cursor()
		for k, _ := c.Seek(append(pfx, q.After+"\x00"...)); k != nil && bytes.HasPrefix(k, pfx) && visit(k[len(pfx):]); k, _ = c.Next() {
		}
		return out, err
	}
	scan(t.b(idx), pfx, visit)
	return out, err
}

// paidViolations lists paid records in decision-number order; q.After is
// then a decision number.
func (t *Tx) paidViolations(q store.ViolationQuery) ([]rules.Violation, error) {
	var out []rules.Violation
	c := t.b(bucketPayments).Cursor()
	k, _ := c.First()
	if q.After != "" {
		k, _ = c.Seek(append([]byte(q.After), 0))
	}
	for ; k != nil && (q.Limit == 0 || len(out) < q.Limit); k, _ = c.Next() {
		v, err := t.ViolationByDecision(string(k))
		if err != nil {
			return nil, err
		}
		if v != nil && v.Status == rules.StatusPaid {
			out = append(out, *v)
		}
	}
	return out, nil
}

// violationsOf loads the records numbered rns (sorted), filtered and limited by q.
func (t *Tx) violationsOf(rns [][]byte, q store.ViolationQuery) ([]rules.Violation, error) {
	n := len(rns)
	if q.Limit > 0 {
		n = min(n, q.Limit)
	}
	out := make([]rules.Violation, 0, n)
	for _, rn := range rns {
		var err error
		if out, err = t.appendViolation(out, rn, q.Status); err != nil {
			return nil, err
		}
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// ExpiredPending returns the record numbers whose pending handling ended
// at or before now.
func (t *Tx) ExpiredPending(now time.Time, limit int) ([]string, error) {
	var out []string
	c := t.b(idxViolationPending).Cursor()
	end := u64(uint64(now.Unix()) + 1)
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0 && len(out) < limit; k, _ = c.Next() {
		out = append(out, string(k[8:]))
	}
	return out, nil
}

// ---- payments ----

// PaymentOfDecision returns the payment of a decision, or nil.
func (t *Tx) PaymentOfDecision(decisionNo string) (*rules.Payment, error) {
	r, err := getJSON[paymentRec](t, bucketPayments, []byte(decisionNo))
	return (*rules.Payment)(r), err
}

// InsertOrder records a payment order, allocating its ID.
func (t *Tx) InsertOrder(o *rules.PaymentOrder) error {
	b := t.b(bucketOrders)
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	o.ID = fmt.Sprintf("O%010d", n)
	b.FillPercent = 1
	return putJSON(b, []byte(o.ID), (*orderRec)(o))
}

// InsertPayment records a payment, keyed by its decision: a second payment
// of a decision is ErrAlreadyPaid.
func (t *Tx) InsertPayment(p *rules.Payment) error {
	raw, err := encodePayment(p)
	if err != nil {
		return err
	}
	return t.InsertEncodedPayment(p.DecisionNo, raw)
}

// InsertEncodedPayment is InsertPayment with the payment already encoded
// (Store.EncodePayment) outside the transaction, to keep the write short.
func (t *Tx) InsertEncodedPayment(decisionNo string, raw []byte) error {
	b := t.b(bucketPayments)
	if b.Get([]byte(decisionNo)) != nil {
		return rules.ErrAlreadyPaid
	}
	return b.Put([]byte(decisionNo), raw)
}

// ---- idempotency, audit, outbox ----

// Idempotent returns the stored response of (scope, key) and whether one
// exists. A stored request hash that differs from hash is
// ErrIdempotencyReuse. The value is the request hash, a newline and the
// response's JSON.
func (t *Tx) Idempotent(scope, k, hash string) (json.RawMessage, bool, error) {
	raw := t.b(bucketIdempotency).Get(key(scope, k))
	if raw == nil {
		return nil, false, nil
	}
	h, resp, ok := bytes.Cut(raw, []byte{'\n'})
	if !ok || len(raw) > maxValueSize {
		return nil, false, t.damaged("idempotency record %q is malformed", k)
	}
	if string(h) != hash {
		return nil, false, rules.ErrIdempotencyReuse
	}
	return bytes.Clone(resp), true, nil
}

// PutIdempotent stores the response of (scope, key).
func (t *Tx) PutIdempotent(scope, k, hash string, response any) error {
	v, err := encodeIdempotent(hash, response)
	if err != nil {
		return err
	}
	return t.PutEncodedIdempotent(scope, k, v)
}

// appendSeq appends an encoded value under the bucket's next sequence
// number. The value does not carry the number: readers take it from the key.
func appendSeq(b *bolt.Bucket, raw []byte) error {
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	b.FillPercent = 1
	return b.Put(u64(n), raw)
}

// Audit appends an audit entry.
func (t *Tx) Audit(e rules.AuditEntry) error {
	raw, err := encodeAudit(e)
	if err != nil {
		return err
	}
	return t.AppendAudit(raw)
}

// AppendAudit appends an entry encoded by Store.EncodeAudit.
func (t *Tx) AppendAudit(raw []byte) error { return appendSeq(t.b(bucketAudit), raw) }

// Notify appends an outbox message.
func (t *Tx) Notify(m rules.Notification) error {
	raw, err := encodeNotification(m)
	if err != nil {
		return err
	}
	return t.AppendNotification(raw)
}

// AppendNotification appends a message encoded by Store.EncodeNotification.
func (t *Tx) AppendNotification(raw []byte) error { return appendSeq(t.b(bucketOutbox), raw) }

// AuditLog returns up to limit entries after seq.
func (t *Tx) AuditLog(after uint64, limit int) ([]rules.AuditEntry, error) {
	return listSeq(t, bucketAudit, after, limit, func(r *auditRec, n uint64) rules.AuditEntry {
		r.Seq = n
		return rules.AuditEntry(*r)
	})
}

// Outbox returns up to limit messages after seq.
func (t *Tx) Outbox(after uint64, limit int) ([]rules.Notification, error) {
	return listSeq(t, bucketOutbox, after, limit, func(r *notificationRec, n uint64) rules.Notification {
		r.Seq = n
		return rules.Notification(*r)
	})
}

// listSeq decodes up to limit records of bucket id after seq; entry makes
// each the value returned, numbered n.
func listSeq[R record, T any](t *Tx, id bucket, after uint64, limit int, entry func(r *R, n uint64) T) ([]T, error) {
	var out []T
	c := t.b(id).Cursor()
	for k, v := c.Seek(u64(after + 1)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
		var r R
		if len(k) != 8 || len(v) > maxValueSize || json.Unmarshal(v, &r) != nil {
			return nil, t.damaged("%s entry %x does not decode", bucketNames[id], k)
		}
		out = append(out, entry(&r, binary.BigEndian.Uint64(k)))
	}
	return out, nil
}

// NextDecisionNo issues a new 16-digit decision number: the 6-digit
// division code, a 9-digit sequence and a check digit (the sequence mod 7,
// as printed by police terminals; domain-rules §8.3). Numbers already
// taken by imported decisions are skipped.
func (t *Tx) NextDecisionNo(region string) (string, error) {
	d := t.b(bucketDecisions)
	for {
		n, err := d.NextSequence()
		if err != nil {
			return "", err
		}
		no := fmt.Sprintf("%s%09d%d", region, n, n%7)
		if d.Get([]byte(no)) == nil {
			return no, nil
		}
	}
}
