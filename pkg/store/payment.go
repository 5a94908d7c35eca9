package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/jgctl/jgctl/pkg/rules"
)

// PaymentWrite is a payment's write, encoded (Encoder) before it is made:
// the payment of a decision, the response stored under its idempotency
// key, its audit entry, its message (Note, nil for none) and the claim on
// the decision it ends (ClaimDecision, ClaimOrder: the order the claim was
// taken for; a store whose claims live in the process ignores them).
type PaymentWrite struct {
	Scope, Key    string
	Hash          string // the request's, as given to EncodeIdempotent
	KeyRecord     []byte // EncodeIdempotent
	DecisionNo    string
	RecordNo      string
	Payment       []byte // EncodePayment
	Audit, Note   []byte // EncodeAudit, EncodeNotification
	ClaimDecision string
	ClaimOrder    string
}

// A PaymentWriter writes a payment in one operation, the hot path of every
// payment: on a database, one round trip and one commit.
type PaymentWriter interface {
	// WritePayment writes w if nothing stands in its way: its key stores
	// no response, its decision still names its record, and the decision
	// has no payment. Otherwise it writes nothing and returns false, and
	// the caller runs the full transaction (Update) to find out why.
	WritePayment(ctx context.Context, w PaymentWrite) (bool, error)
}

// WritePaymentTx is WritePayment as a function of a write transaction,
// for a store whose transactions are serial and in-process (bbolt), where
// a look-up costs no round trip.
func WritePaymentTx(tx Tx, w PaymentWrite) (bool, error) {
	if _, stored, err := tx.Idempotent(w.Scope, w.Key, w.Hash); stored || errors.Is(err, rules.ErrIdempotencyReuse) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if named, err := tx.DecisionOf(w.DecisionNo, w.RecordNo); !named || err != nil {
		return false, err
	}
	if err := tx.InsertEncodedPayment(w.DecisionNo, w.Payment); errors.Is(err, rules.ErrAlreadyPaid) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := tx.PutEncodedIdempotent(w.Scope, w.Key, w.KeyRecord); err != nil {
		return false, err
	}
	if err := tx.AppendAudit(w.Audit); err != nil {
		return false, err
	}
	if w.Note != nil {
		if err := tx.AppendNotification(w.Note); err != nil {
			return false, err
		}
	}
	return true, nil
}

// A PaymentLookup names what paying a decision reads before the charge.
type PaymentLookup struct {
	Scope, Key, Hash string // the payer's key, as Tx.Idempotent takes it
	DecisionNo       string
	// Also are other keys to read (the orders given back, the key's
	// reservation by an attempt whose outcome is unknown).
	Also []KeyRef
}

// A KeyRef names an idempotency key as Tx.Idempotent takes it.
type KeyRef struct{ Scope, Key, Hash string }

// A PaymentLook is what a PaymentLookup found: each field is what the Tx
// method named beside it returned.
type PaymentLook struct {
	Response json.RawMessage // Idempotent(Scope, Key, Hash)
	Stored   bool
	KeyErr   error
	Record   *rules.Violation // ViolationByDecision(DecisionNo)
	Payment  *rules.Payment   // PaymentOfDecision(DecisionNo)
	Driver   *rules.Person    // Person(Record.DriverIDNumber)
	Also     []KeyAnswer      // Idempotent of each of Also
}

// A KeyAnswer is what Tx.Idempotent returned.
type KeyAnswer struct {
	Response json.RawMessage
	Stored   bool
	Err      error
}

// LookPaymentTx is Tx.LookPayment as calls of the other Tx methods, for a
// store where a look-up costs no round trip (bbolt).
func LookPaymentTx(tx Tx, q PaymentLookup) (*PaymentLook, error) {
	l := &PaymentLook{}
	var err error
	if l.Response, l.Stored, l.KeyErr = tx.Idempotent(q.Scope, q.Key, q.Hash); l.KeyErr != nil && !errors.Is(l.KeyErr, rules.ErrIdempotencyReuse) {
		return nil, l.KeyErr
	}
	if l.Record, err = tx.ViolationByDecision(q.DecisionNo); err != nil {
		return nil, err
	}
	if l.Payment, err = tx.PaymentOfDecision(q.DecisionNo); err != nil {
		return nil, err
	}
	for _, k := range q.Also {
		var a KeyAnswer
		if a.Response, a.Stored, a.Err = tx.Idempotent(k.Scope, k.Key, k.Hash); a.Err != nil && !errors.Is(a.Err, rules.ErrIdempotencyReuse) {
			return nil, a.Err
		}
		l.Also = append(l.Also, a)
	}
	if l.Record != nil && l.Record.DriverIDNumber != "" {
		if l.Driver, err = tx.Person(l.Record.DriverIDNumber); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Looked returns tx answering the calls a lookup covers from what it
// found, and every other call from tx.
func Looked(tx Tx, q PaymentLookup, l *PaymentLook) Tx { return looked{tx, q, l} }

type looked struct {
	Tx
	q PaymentLookup
	l *PaymentLook
}

func (t looked) Idempotent(scope, key, hash string) (json.RawMessage, bool, error) {
	switch {
	case scope == t.q.Scope && key == t.q.Key && hash == t.q.Hash:
		return t.l.Response, t.l.Stored, t.l.KeyErr
	}
	if i := slices.Index(t.q.Also, KeyRef{scope, key, hash}); i >= 0 {
		a := t.l.Also[i]
		return a.Response, a.Stored, a.Err
	}
	return t.Tx.Idempotent(scope, key, hash)
}

func (t looked) ViolationByDecision(decisionNo string) (*rules.Violation, error) {
	if decisionNo == t.q.DecisionNo {
		return copyOf(t.l.Record), nil
	}
	return t.Tx.ViolationByDecision(decisionNo)
}

func (t looked) PaymentOfDecision(decisionNo string) (*rules.Payment, error) {
	if decisionNo == t.q.DecisionNo {
		return copyOf(t.l.Payment), nil
	}
	return t.Tx.PaymentOfDecision(decisionNo)
}

func (t looked) Person(idNumber string) (*rules.Person, error) {
	if t.l.Record != nil && idNumber == t.l.Record.DriverIDNumber {
		return copyOf(t.l.Driver), nil
	}
	return t.Tx.Person(idNumber)
}

// copyOf returns a copy of *v (nil for nil): values a Tx returns are the
// caller's.
func copyOf[T any](v *T) *T {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}
