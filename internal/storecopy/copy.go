// Package storecopy copies every record of a store into an empty one
// (jgctl store copy), through the storage contract alone, so that it
// copies between any two backends: it streams the source's Dump into the
// destination in batches, one transaction each, keeping every number the
// records had, then checks the counts.
package storecopy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// DefaultBatch is the records written per transaction.
const DefaultBatch = 5000

// Count is how many records of a kind the source gave and the
// destination holds after the copy.
type Count struct {
	Kind        string `json:"kind"`
	Source      int    `json:"source"`
	Destination int    `json:"destination"`
}

// Result is what a copy did and what each store's check found.
type Result struct {
	Counts      []Count       `json:"counts"`
	Source      *store.Report `json:"source_check"`
	Destination *store.Report `json:"destination_check"`
}

// Copy copies every record of src into dst, which must hold none (else
// rules.ErrStoreNotEmpty), batch records per transaction (0: DefaultBatch).
// No other writer may use either store meanwhile. It then counts the
// destination's records (a Dump) and compares them, kind by kind, with
// those read from the source, and the two stores' Verify counts: a difference, or a problem either check finds, is
// rules.ErrCopyMismatch listing them, returned with the Result.
func Copy(ctx context.Context, src, dst store.Store, batch int) (*Result, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	if err := empty(ctx, dst); err != nil {
		return nil, err
	}
	l := &loader{ctx: ctx, dst: dst, batch: batch, read: map[string]int{}}
	if err := src.Dump(ctx, l.add); err != nil {
		return nil, err
	}
	if err := l.flush(); err != nil {
		return nil, err
	}
	held := map[string]int{}
	err := dst.Dump(ctx, func(r store.Record) error { held[r.Kind]++; return nil })
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, k := range store.Kinds {
		res.Counts = append(res.Counts, Count{Kind: k, Source: l.read[k], Destination: held[k]})
	}
	if res.Source, err = src.Verify(ctx); err != nil {
		return nil, err
	}
	if res.Destination, err = dst.Verify(ctx); err != nil {
		return nil, err
	}
	if diff := res.differences(); len(diff) > 0 {
		return res, rules.ErrCopyMismatch.Withf("%s", strings.Join(diff, "; "))
	}
	return res, nil
}

// differences lists what disagrees after a copy.
func (r *Result) differences() []string {
	var out []string
	for _, c := range r.Counts {
		if c.Source != c.Destination {
			out = append(out, fmt.Sprintf("%s: %d in the source, %d in the destination", c.Kind, c.Source, c.Destination))
		}
	}
	s, d := r.Source, r.Destination
	for _, c := range []struct {
		what     string
		src, dst int
	}{{"records", s.Records, d.Records}, {"decisions", s.Decisions, d.Decisions}, {"payments", s.Payments, d.Payments}} {
		if c.src != c.dst {
			out = append(out, fmt.Sprintf("%s: %d in the source, %d in the destination", c.what, c.src, c.dst))
		}
	}
	for _, p := range s.Problems {
		out = append(out, "source: "+p)
	}
	for _, p := range d.Problems {
		out = append(out, "destination: "+p)
	}
	return out
}

// errFound stops the Dump of a store found not empty.
var errFound = errors.New("storecopy: a record found")

// empty refuses a store that holds any record.
func empty(ctx context.Context, s store.Store) error {
	var kind string
	err := s.Dump(ctx, func(r store.Record) error {
		if r.Kind == store.KindCounters {
			return nil
		}
		kind = r.Kind
		return errFound
	})
	if errors.Is(err, errFound) {
		return rules.ErrStoreNotEmpty.Withf("it holds %s", kind)
	}
	return err
}

// loader writes records into dst in batches. Each write is made ready
// (encoded in dst's form) as it arrives; a batch is one transaction,
// which the store may run more than once.
type loader struct {
	ctx   context.Context
	dst   store.Store
	batch int
	ops   []func(store.Tx) error
	rows  []store.NewViolation // for one InsertViolations
	n     int                  // records in the batch
	read  map[string]int       // by kind
}

// add takes one record of the source's Dump.
func (l *loader) add(r store.Record) error {
	if r.Kind == store.KindCounters {
		if err := l.flush(); err != nil {
			return err
		}
		c := *r.Counters
		return l.dst.Update(l.ctx, func(tx store.Tx) error { return tx.AdvanceCounters(c) })
	}
	op, err := l.write(r)
	if err != nil {
		return err
	}
	if op != nil {
		l.ops = append(l.ops, op)
	}
	l.read[r.Kind]++
	if l.n++; l.n >= l.batch {
		return l.flush()
	}
	return nil
}

// write is the write of a record (nil if it joins the batch's bulk insert).
func (l *loader) write(r store.Record) (func(store.Tx) error, error) {
	switch r.Kind {
	case store.KindLicence:
		return func(tx store.Tx) error { return tx.PutLicence(r.Licence) }, nil
	case store.KindVehicle:
		return func(tx store.Tx) error { return tx.PutVehicle(r.Vehicle) }, nil
	case store.KindPerson:
		return func(tx store.Tx) error { return tx.InsertPerson(r.Person) }, nil
	case store.KindUnit:
		return func(tx store.Tx) error { return tx.InsertUnit(r.Unit) }, nil
	case store.KindCredential:
		c := r.Credential
		return func(tx store.Tx) error { return tx.SetPasswordHash(c.IDNumber, c.Hash) }, nil
	case store.KindToken:
		return func(tx store.Tx) error { return tx.PutToken(r.Token.Hash, &r.Token.Record) }, nil
	case store.KindBinding:
		return func(tx store.Tx) error { return tx.PutBinding(r.Binding) }, nil
	case store.KindViolation:
		v := r.Violation
		if !v.PendingUntil.IsZero() {
			// A bulk insert does not schedule a pending handling's expiry.
			return func(tx store.Tx) error { return tx.PutViolation(v, nil) }, nil
		}
		row, err := l.dst.Prepare(v, 0)
		l.rows = append(l.rows, row)
		return nil, err
	case store.KindOrder:
		return func(tx store.Tx) error { return tx.PutOrder(r.Order) }, nil
	case store.KindPayment:
		raw, err := l.dst.EncodePayment(r.Payment)
		return func(tx store.Tx) error { return tx.InsertEncodedPayment(r.Payment.DecisionNo, raw) }, err
	case store.KindIdempotent:
		i := r.Idempotent
		raw, err := l.dst.EncodeIdempotent(i.Hash, json.RawMessage(i.Response))
		return func(tx store.Tx) error { return tx.PutEncodedIdempotent(i.Scope, i.Key, raw) }, err
	case store.KindAudit:
		raw, err := l.dst.EncodeAudit(*r.Audit)
		return func(tx store.Tx) error { return tx.PutAudit(r.Audit.Seq, raw) }, err
	case store.KindNotification:
		raw, err := l.dst.EncodeNotification(*r.Notification)
		return func(tx store.Tx) error { return tx.PutNotification(r.Notification.Seq, raw) }, err
	}
	return nil, rules.ErrStoreDamaged.Withf("a record of unknown kind %q", r.Kind)
}

// flush writes the batch in one transaction.
func (l *loader) flush() error {
	if l.n == 0 {
		return nil
	}
	err := l.dst.Update(l.ctx, func(tx store.Tx) error {
		// Records first: a payment in the same batch marks its record paid.
		if len(l.rows) > 0 {
			_, refused, err := tx.InsertViolations(l.rows)
			if err == nil && len(refused) > 0 {
				err = refused[0].Err
			}
			if err != nil {
				return err
			}
		}
		for _, op := range l.ops {
			if err := op(tx); err != nil {
				return err
			}
		}
		return nil
	})
	l.ops, l.rows, l.n = l.ops[:0], l.rows[:0], 0
	return err
}
