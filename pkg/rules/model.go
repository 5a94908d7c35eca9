package rules

import "time"

// LicenceStatus is the state of a driving licence.
type LicenceStatus string

// Licence states.
const (
	LicenceNormal    LicenceStatus = "normal"
	LicenceExpired   LicenceStatus = "expired"
	LicenceDetained  LicenceStatus = "detained"
	LicenceSuspended LicenceStatus = "suspended"
	LicenceRevoked   LicenceStatus = "revoked"
	LicenceCancelled LicenceStatus = "cancelled"
)

// ParseLicenceStatus accepts the documented names; empty means normal.
func ParseLicenceStatus(s string) (LicenceStatus, error) {
	switch st := LicenceStatus(s); st {
	case LicenceNormal, LicenceExpired, LicenceDetained, LicenceSuspended, LicenceRevoked, LicenceCancelled:
		return st, nil
	case "":
		return LicenceNormal, nil
	}
	return "", ErrLicenceStatusUnknown
}

// Licence is a driving licence record (imported by staff).
type Licence struct {
	IDNumber      string        `json:"id_number"`
	Name          string        `json:"name"`
	FileNo        string        `json:"file_no"`
	Classes       string        `json:"classes"`
	FirstIssuedOn Date          `json:"first_issued_on"`
	ValidUntil    Date          `json:"valid_until,omitzero"`
	Status        LicenceStatus `json:"status"`
	Phone         string        `json:"phone,omitempty"`
}

// Vehicle is a registered motor vehicle (imported by staff). The owner is a
// person (ID number) or a unit (unified social credit code).
type Vehicle struct {
	Plate         string    `json:"plate"`
	PlateType     PlateType `json:"plate_type"`
	OwnerIDNumber string    `json:"owner_id_number"`
	OwnerName     string    `json:"owner_name"`
	VIN           string    `json:"vin,omitempty"`
	RegisteredOn  Date      `json:"registered_on,omitzero"`
}

// Person is a registered platform user.
type Person struct {
	IDNumber     string    `json:"id_number"`
	Name         string    `json:"name"`
	Phone        string    `json:"phone"`
	RegisteredAt time.Time `json:"registered_at"`
	// Via says how the identity was proven: "licence" or "vehicle".
	Via string `json:"registered_via"`
}

// Unit is a registered organisation (单位).
type Unit struct {
	CreditCode    string    `json:"credit_code"`
	Name          string    `json:"name"`
	AgentIDNumber string    `json:"agent_id_number"`
	RegisteredAt  time.Time `json:"registered_at"`
}

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

// Binding links a person to a vehicle or to their licence.
type Binding struct {
	ID        string    `json:"id"`
	IDNumber  string    `json:"id_number"`
	Kind      string    `json:"kind"` // "vehicle" or "licence"
	Plate     string    `json:"plate,omitempty"`
	PlateType PlateType `json:"plate_type,omitempty"`
	// Own is true when the person owns the vehicle.
	Own       bool      `json:"own"`
	Status    string    `json:"status"` // "active" or "pending" (awaiting the owner)
	RequestID string    `json:"request_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ActiveFrom is when the binding took effect (for another owner's
	// vehicle, the approval): records from then on are the person's.
	ActiveFrom time.Time `json:"active_from,omitzero"`
}

// Binding kinds and states.
const (
	BindVehicle    = "vehicle"
	BindLicence    = "licence"
	BindingActive  = "active"
	BindingPending = "pending"
)

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

// AuditEntry records one mutation and who made it.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail,omitempty"`
}

// Notification is a message (SMS) in the outbox, waiting to be sent.
type Notification struct {
	Seq       uint64    `json:"seq"`
	CreatedAt time.Time `json:"created_at"`
	To        string    `json:"to"`
	Template  string    `json:"template"`
	Text      string    `json:"text"`
}
