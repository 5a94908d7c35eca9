package rules

import "time"

// PaymentOrder is what an online handling asks the person to pay: the
// amount due on the pending decision and when the offer lapses. Paying the
// decision settles it; if unpaid at ExpiresAt, the handling expires.
type PaymentOrder struct {
	ID         string    `json:"order_id"`
	DecisionNo string    `json:"decision_no"`
	RecordNo   string    `json:"record_no"`
	IDNumber   string    `json:"id_number"`
	Amount     Money     `json:"amount"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Payment is a completed payment of a decision.
type Payment struct {
	ID             string    `json:"payment_id"`
	DecisionNo     string    `json:"decision_no"`
	RecordNo       string    `json:"record_no"`
	Fine           Money     `json:"fine"`
	LateFee        Money     `json:"late_fee"`
	Amount         Money     `json:"amount"`
	PayerIDNumber  string    `json:"payer_id_number,omitempty"`
	GatewayRef     string    `json:"gateway_ref"`
	OrderID        string    `json:"gateway_order_id,omitempty"`
	PaidAt         time.Time `json:"paid_at"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
}
