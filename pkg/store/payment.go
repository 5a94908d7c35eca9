package store

import (
	"context"
	"errors"

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
