package rules

import "time"

// Source is how a violation was recorded.
type Source string

// Violation sources.
const (
	SourceCamera  Source = "camera"  // 电子监控 (非现场)
	SourceOnsite  Source = "onsite"  // 现场 (simple procedure)
	SourceGeneral Source = "general" // 一般程序
)

// ParseSource accepts camera, onsite or general.
func ParseSource(s string) (Source, error) {
	switch src := Source(s); src {
	case SourceCamera, SourceOnsite, SourceGeneral:
		return src, nil
	}
	return "", ErrSourceUnknown
}

// Status is where a violation record stands.
type Status string

// Violation states. unhandled → pending (online handling started) →
// paid; pending → unhandled when the handling expires; unpaid (a decision
// exists) → paid.
const (
	StatusUnhandled Status = "unhandled"
	StatusPending   Status = "pending"
	StatusUnpaid    Status = "unpaid"
	StatusPaid      Status = "paid"
)

// Statuses lists every status, in index order.
var Statuses = [...]Status{StatusUnhandled, StatusPending, StatusUnpaid, StatusPaid}

// ParseStatus accepts the documented names.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", ErrStatusUnknown
}

// Violation is a traffic violation record and, once decided, its penalty
// decision (决定书).
type Violation struct {
	RecordNo    string    `json:"record_no"`
	Plate       string    `json:"plate"`
	PlateType   PlateType `json:"plate_type"`
	OccurredAt  time.Time `json:"occurred_at"`
	Location    string    `json:"location"`
	Code        string    `json:"code"`
	Description string    `json:"description"`
	Fine        Money     `json:"fine"`
	Points      int       `json:"points"`
	Source      Source    `json:"source"`
	Status      Status    `json:"status"`
	// The decision, once one exists.
	DecisionNo string `json:"decision_no,omitempty"`
	ServedOn   Date   `json:"served_on,omitzero"`
	// DriverIDNumber is the person the decision was issued to (points go to them).
	DriverIDNumber string       `json:"driver_id_number,omitempty"`
	Suspensions    []Suspension `json:"suspensions,omitempty"`
	// PendingUntil is when an unpaid online handling expires.
	PendingUntil time.Time `json:"pending_until,omitzero"`
	PaidAt       time.Time `json:"paid_at,omitzero"`
	PaymentID    string    `json:"payment_id,omitempty"`
}

// Expire returns a pending handling whose time is up at now to unhandled
// (the decision it created never took effect), and reports whether it did.
func (v *Violation) Expire(now time.Time) bool {
	if v.Status != StatusPending || now.Before(v.PendingUntil) {
		return false
	}
	v.Status, v.DecisionNo, v.ServedOn, v.DriverIDNumber, v.PendingUntil = StatusUnhandled, "", Date{}, "", time.Time{}
	return true
}
