package api

import "github.com/jgctl/jgctl/pkg/rules"

// PayRequest pays a decision (anyone, by decision number) or one of the
// caller's own records (by record number).
type PayRequest struct {
	Mutation
	DecisionNo string `json:"decision_no,omitempty" doc:"Pay a decision (anyone may). Give exactly one of decision_no and record_no."`
	RecordNo   string `json:"record_no,omitempty" doc:"Pay one of the caller's own records."`
}

// Receipt is the proof of a payment.
type Receipt struct {
	rules.Payment
	// Replayed is true when the receipt was returned for a repeated
	// idempotency key (nothing was charged again).
	Replayed bool `json:"replayed,omitempty" doc:"True when a repeated idempotency key returned the first receipt (nothing was charged again)."`
}

// QuoteRequest asks for the amount due on a fine.
type QuoteRequest struct {
	Fine     rules.Money        `json:"fine" required:"true" code:"FINE_FORMAT"`
	ServedOn rules.Date         `json:"served_on" doc:"When the decision was served."`
	On       rules.Date         `json:"on,omitzero" doc:"Payment date (default: today, China time)."`
	Suspend  []rules.Suspension `json:"suspensions,omitempty"`
}

// ReconcileRequest asks what became of a gateway order.
type ReconcileRequest struct {
	OrderID string `json:"gateway_order_id" doc:"A gateway order ID, ORD-<decision>-<hash> (400 ORDER_ID_FORMAT otherwise)."`
}

// ReconcileResult says what the gateway reported and what was done: Applied
// is true when a payment the platform had not recorded was recorded now.
type ReconcileResult struct {
	OrderID     string `json:"gateway_order_id"`
	DecisionNo  string `json:"decision_no"`
	GatewayPaid bool   `json:"gateway_paid"`
	Applied     bool   `json:"applied"`
	// Refunded is true when the charge was given back because its decision
	// no longer exists (the online handling lapsed).
	Refunded bool           `json:"refunded,omitempty"`
	Payment  *rules.Payment `json:"payment,omitempty"`
}
