package pg

import (
	"encoding/json"

	"github.com/jgctl/jgctl/pkg/rules"
)

// The store's encoders (store.Encoder): its documents are the records'
// JSON, and an idempotency record is the request hash, a newline and the
// response's JSON.

// EncodePayment implements store.Encoder.
func (*Store) EncodePayment(p *rules.Payment) ([]byte, error) { return json.Marshal(p) }

// EncodeAudit implements store.Encoder.
func (*Store) EncodeAudit(e rules.AuditEntry) ([]byte, error) { e.Seq = 0; return json.Marshal(e) }

// EncodeNotification implements store.Encoder.
func (*Store) EncodeNotification(m rules.Notification) ([]byte, error) {
	m.Seq = 0
	return json.Marshal(m)
}

// EncodeIdempotent implements store.Encoder.
func (*Store) EncodeIdempotent(hash string, response any) ([]byte, error) {
	raw, err := json.Marshal(response)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(hash), '\n'), raw...), nil
}

// enc is the Store's encoders for its transactions.
var enc *Store
