package bolt

import (
	"context"

	"github.com/jgctl/jgctl/pkg/store"
)

// WritePayment writes a payment in one write transaction of the group
// committer (store.WritePaymentTx); claims live in the process.
func (s *Store) WritePayment(ctx context.Context, w store.PaymentWrite) (written bool, err error) {
	err = s.Update(ctx, func(tx store.Tx) error {
		written, err = store.WritePaymentTx(tx, w)
		return err
	})
	return written && err == nil, err // a failed commit wrote nothing
}

// LookPayment reads what paying a decision needs (store.LookPaymentTx).
func (t *Tx) LookPayment(q store.PaymentLookup) (*store.PaymentLook, error) {
	return store.LookPaymentTx(t, q)
}
