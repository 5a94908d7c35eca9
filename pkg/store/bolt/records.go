package bolt

import (
	"encoding/json"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// Stored records: the JSON form of every kind this store keeps as JSON
// (violations have their own codec, codec.go). The json tags below are the
// file format, fixed to the names existing stores hold; the tags of the
// rules types are the API's and may change without touching a store
// (records_test.go holds the bytes each kind is written as).
//
// Each record has the fields of its rules type, in the same order with the
// same types, so the two convert into each other (Go ignores tags in a
// conversion) at no cost. A field added to a rules type therefore stops
// this package compiling until it is added here with a stored name of its
// own (omitempty or omitzero, so that older files still read).

type licenceRec struct {
	IDNumber      string              `json:"id_number"`
	Name          string              `json:"name"`
	FileNo        string              `json:"file_no"`
	Classes       string              `json:"classes"`
	FirstIssuedOn rules.Date          `json:"first_issued_on"`
	ValidUntil    rules.Date          `json:"valid_until,omitzero"`
	Status        rules.LicenceStatus `json:"status"`
	Phone         string              `json:"phone,omitempty"`
}

type vehicleRec struct {
	Plate         string          `json:"plate"`
	PlateType     rules.PlateType `json:"plate_type"`
	OwnerIDNumber string          `json:"owner_id_number"`
	OwnerName     string          `json:"owner_name"`
	VIN           string          `json:"vin,omitempty"`
	RegisteredOn  rules.Date      `json:"registered_on,omitzero"`
}

type personRec struct {
	IDNumber     string    `json:"id_number"`
	Name         string    `json:"name"`
	Phone        string    `json:"phone"`
	RegisteredAt time.Time `json:"registered_at"`
	Via          string    `json:"registered_via"`
}

type unitRec struct {
	CreditCode    string    `json:"credit_code"`
	Name          string    `json:"name"`
	AgentIDNumber string    `json:"agent_id_number"`
	RegisteredAt  time.Time `json:"registered_at"`
}

type bindingRec struct {
	ID         string          `json:"id"`
	IDNumber   string          `json:"id_number"`
	Kind       string          `json:"kind"`
	Plate      string          `json:"plate,omitempty"`
	PlateType  rules.PlateType `json:"plate_type,omitempty"`
	Own        bool            `json:"own"`
	Status     string          `json:"status"`
	RequestID  string          `json:"request_id,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	ActiveFrom time.Time       `json:"active_from,omitzero"`
}

type orderRec struct {
	ID         string      `json:"order_id"`
	DecisionNo string      `json:"decision_no"`
	RecordNo   string      `json:"record_no"`
	IDNumber   string      `json:"id_number"`
	Amount     rules.Money `json:"amount"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
}

type paymentRec struct {
	ID             string      `json:"payment_id"`
	DecisionNo     string      `json:"decision_no"`
	RecordNo       string      `json:"record_no"`
	Fine           rules.Money `json:"fine"`
	LateFee        rules.Money `json:"late_fee"`
	Amount         rules.Money `json:"amount"`
	PayerIDNumber  string      `json:"payer_id_number,omitempty"`
	GatewayRef     string      `json:"gateway_ref"`
	OrderID        string      `json:"gateway_order_id,omitempty"`
	PaidAt         time.Time   `json:"paid_at"`
	IdempotencyKey string      `json:"idempotency_key,omitempty"`
}

// auditRec is an audit entry. Seq is written as 0: the key holds the
// number (appendSeq).
type auditRec struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail,omitempty"`
}

// notificationRec is an outbox message; Seq as in auditRec.
type notificationRec struct {
	Seq       uint64    `json:"seq"`
	CreatedAt time.Time `json:"created_at"`
	To        string    `json:"to"`
	Template  string    `json:"template"`
	Text      string    `json:"text"`
}

type tokenRec struct {
	Role      string    `json:"role"`
	Subject   string    `json:"subject"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// record is every stored record type: getJSON and putJSON take nothing
// else, so no API type reaches the file by mistake.
type record interface {
	licenceRec | vehicleRec | personRec | unitRec | bindingRec | orderRec |
		paymentRec | auditRec | notificationRec | tokenRec
}

// encodeRecord is a record's stored bytes.
func encodeRecord[R record](r *R) ([]byte, error) { return json.Marshal(r) }

func encodePayment(p *rules.Payment) ([]byte, error) { return encodeRecord((*paymentRec)(p)) }

func encodeAudit(e rules.AuditEntry) ([]byte, error) {
	e.Seq = 0
	return encodeRecord((*auditRec)(&e))
}

func encodeNotification(m rules.Notification) ([]byte, error) {
	m.Seq = 0
	return encodeRecord((*notificationRec)(&m))
}

// encodeIdempotent is the record of an idempotent request: its request
// hash, a newline, and its response as the API returns it (a replay
// returns the same bytes).
func encodeIdempotent(hash string, response any) ([]byte, error) {
	raw, err := json.Marshal(response)
	if err != nil {
		return nil, err
	}
	v := make([]byte, 0, len(hash)+1+len(raw))
	return append(append(append(v, hash...), '\n'), raw...), nil
}

// EncodePayment encodes a payment for Tx.InsertEncodedPayment.
func (*Store) EncodePayment(p *rules.Payment) ([]byte, error) { return encodePayment(p) }

// EncodeAudit encodes an audit entry for Tx.AppendAudit.
func (*Store) EncodeAudit(e rules.AuditEntry) ([]byte, error) { return encodeAudit(e) }

// EncodeNotification encodes a message for Tx.AppendNotification.
func (*Store) EncodeNotification(m rules.Notification) ([]byte, error) {
	return encodeNotification(m)
}

// EncodeIdempotent encodes the record of an idempotent request for
// Tx.PutEncodedIdempotent.
func (*Store) EncodeIdempotent(hash string, response any) ([]byte, error) {
	return encodeIdempotent(hash, response)
}
