package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"github.com/jgctl/jgctl/pkg/store/codec"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	bolt "go.etcd.io/bbolt"
)

// Dump calls fn with every stored record in one read transaction (see
// store.Dumper): records as stored, violations without their payments.
func (s *Store) Dump(ctx context.Context, fn func(store.Record) error) error {
	return s.viewTx(func(t *Tx) error {
		for _, d := range []struct {
			id     bucket
			record func(k, v []byte) (store.Record, error)
		}{
			{bucketLicences, dumpJSON(store.KindLicence, func(_ []byte, r *licenceRec, rec *store.Record) { rec.Licence = (*rules.Licence)(r) })},
			{bucketVehicles, dumpJSON(store.KindVehicle, func(_ []byte, r *vehicleRec, rec *store.Record) { rec.Vehicle = (*rules.Vehicle)(r) })},
			{bucketPersons, dumpJSON(store.KindPerson, func(_ []byte, r *personRec, rec *store.Record) { rec.Person = (*rules.Person)(r) })},
			{bucketUnits, dumpJSON(store.KindUnit, func(_ []byte, r *unitRec, rec *store.Record) { rec.Unit = (*rules.Unit)(r) })},
			{bucketCredentials, func(k, v []byte) (store.Record, error) {
				return store.Record{Kind: store.KindCredential, Credential: &store.Credential{IDNumber: string(k), Hash: string(v)}}, nil
			}},
			{bucketTokens, dumpJSON(store.KindToken, func(k []byte, r *tokenRec, rec *store.Record) {
				rec.Token = &store.Token{Hash: bytes.Clone(k), Record: store.TokenRecord(*r)}
			})},
			{bucketBindings, dumpJSON(store.KindBinding, func(_ []byte, r *bindingRec, rec *store.Record) { rec.Binding = (*rules.Binding)(r) })},
			{bucketViolations, func(k, v []byte) (store.Record, error) {
				var viol rules.Violation
				if err := codec.DecodeViolation(v, &viol); err != nil {
					return store.Record{}, t.damaged("violation record %q does not decode", shortKey(k))
				}
				return store.Record{Kind: store.KindViolation, Violation: &viol}, nil
			}},
			{bucketOrders, dumpJSON(store.KindOrder, func(_ []byte, r *orderRec, rec *store.Record) { rec.Order = (*rules.PaymentOrder)(r) })},
			{bucketPayments, dumpJSON(store.KindPayment, func(_ []byte, r *paymentRec, rec *store.Record) { rec.Payment = (*rules.Payment)(r) })},
			{bucketIdempotency, func(k, v []byte) (store.Record, error) {
				scope, key, ok1 := bytes.Cut(k, []byte{0})
				h, resp, ok2 := bytes.Cut(v, []byte{'\n'})
				if !ok1 || !ok2 {
					return store.Record{}, t.damaged("idempotency record %q is malformed", shortKey(k))
				}
				return store.Record{Kind: store.KindIdempotent, Idempotent: &store.Idempotent{
					Scope: string(scope), Key: string(key), Hash: string(h), Response: bytes.Clone(resp)}}, nil
			}},
			{bucketAudit, dumpJSON(store.KindAudit, func(_ []byte, r *auditRec, rec *store.Record) { rec.Audit = (*rules.AuditEntry)(r) })},
			{bucketOutbox, dumpJSON(store.KindNotification, func(_ []byte, r *notificationRec, rec *store.Record) { rec.Notification = (*rules.Notification)(r) })},
		} {
			c := t.b(d.id).Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				if v == nil || len(v) > maxValueSize {
					return t.damaged("%s %q is not a record", bucketNames[d.id], shortKey(k))
				}
				rec, err := d.record(k, v)
				if err != nil {
					return err
				}
				if d.id == bucketAudit || d.id == bucketOutbox {
					if len(k) != 8 {
						return t.damaged("%s entry %x has a bad key", bucketNames[d.id], k)
					}
					seq := binary.BigEndian.Uint64(k)
					if rec.Audit != nil {
						rec.Audit.Seq = seq
					} else {
						rec.Notification.Seq = seq
					}
				}
				if err := fn(rec); err != nil {
					return err
				}
			}
		}
		return fn(store.Record{Kind: store.KindCounters, Counters: &store.Counters{
			Bindings: t.b(bucketBindings).Sequence(), Orders: t.b(bucketOrders).Sequence(),
			Decisions: t.b(bucketDecisions).Sequence(), Audit: t.b(bucketAudit).Sequence(), Outbox: t.b(bucketOutbox).Sequence(),
		}})
	})
}

// dumpJSON decodes a JSON-stored record of kind and sets it in the Record.
func dumpJSON[R record](kind string, set func([]byte, *R, *store.Record)) func(k, v []byte) (store.Record, error) {
	return func(k, v []byte) (store.Record, error) {
		r := new(R)
		if err := json.Unmarshal(v, r); err != nil {
			return store.Record{}, rules.ErrStoreDamaged.Withf("%s %q does not decode", kind, shortKey(k))
		}
		rec := store.Record{Kind: kind}
		set(k, r, &rec)
		return rec, nil
	}
}

// PutOrder writes an order with its ID.
func (t *Tx) PutOrder(o *rules.PaymentOrder) error {
	return putJSON(t.b(bucketOrders), []byte(o.ID), (*orderRec)(o))
}

// PutAudit writes an entry encoded by Store.EncodeAudit under seq.
func (t *Tx) PutAudit(seq uint64, raw []byte) error { return putSeq(t.b(bucketAudit), seq, raw) }

// PutNotification writes a message encoded by Store.EncodeNotification
// under seq.
func (t *Tx) PutNotification(seq uint64, raw []byte) error {
	return putSeq(t.b(bucketOutbox), seq, raw)
}

func putSeq(b *bolt.Bucket, seq uint64, raw []byte) error {
	b.FillPercent = 1
	return b.Put(u64(seq), raw)
}

// AdvanceCounters raises the bucket sequences that issue numbers to c's.
func (t *Tx) AdvanceCounters(c store.Counters) error {
	for _, s := range []struct {
		id bucket
		n  uint64
	}{{bucketBindings, c.Bindings}, {bucketOrders, c.Orders}, {bucketDecisions, c.Decisions}, {bucketAudit, c.Audit}, {bucketOutbox, c.Outbox}} {
		if b := t.b(s.id); b.Sequence() < s.n {
			if err := b.SetSequence(s.n); err != nil {
				return err
			}
		}
	}
	return nil
}
