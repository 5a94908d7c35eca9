// Package api holds the requests and responses of jgctl's use cases: the
// contract shared by the engine, both client transports and the HTTP
// server. Every type serialises to JSON with snake_case field names, money
// as "200.00" and dates as YYYY-MM-DD.
package api

import (
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// Role is what an actor may do.
type Role string

// Roles. Staff and admin run the back office; a person acts for themself;
// unit, hospital and bank accounts are service accounts of organisations.
const (
	RoleStaff    Role = "staff"
	RoleAdmin    Role = "admin"
	RolePerson   Role = "person"
	RoleUnit     Role = "unit"
	RoleHospital Role = "hospital"
	RoleBank     Role = "bank"
)

// Roles lists every role.
var Roles = []Role{RolePerson, RoleUnit, RoleHospital, RoleBank, RoleStaff, RoleAdmin}

// Actor is who is calling: back-office staff, a registered person (by ID
// number) or a service account (by name).
type Actor struct {
	Role     Role   `json:"role"`
	IDNumber string `json:"id_number,omitempty" doc:"ID number (身份证号码) of a person."`
	Name     string `json:"name,omitempty" doc:"Name of a service account (staff, admin, unit, hospital, bank)."`
}

// Staff is the back-office actor of the embedded store.
var Staff = Actor{Role: RoleStaff}

// IsStaff reports whether the actor runs the back office.
func (a Actor) IsStaff() bool { return a.Role == RoleStaff || a.Role == RoleAdmin }

// String names the actor for the audit log.
func (a Actor) String() string {
	switch {
	case a.Role == RolePerson:
		return "person:" + a.IDNumber
	case a.Name != "":
		return string(a.Role) + ":" + a.Name
	}
	return string(a.Role)
}

// LoginRequest signs a person in with their password.
type LoginRequest struct {
	IDNumber string `json:"id_number" doc:"The person's ID number."`
	Password string `json:"password" doc:"The password set at registration."`
}

// TokenRequest creates a service-account token (staff, admin, bank, …).
type TokenRequest struct {
	Role Role   `json:"role"`
	Name string `json:"name,omitempty" doc:"The account's name; for role person, the ID number. Required for every other role."`
	// TTL is how long the token lives, e.g. "720h" (default 90 days).
	TTL string `json:"ttl,omitempty" doc:"Lifetime as a Go duration, e.g. \"720h\" (default 2160h, 90 days)."`
}

// Token is a bearer token and who it acts as. The token itself is shown
// once, when issued; the store keeps only its hash.
type Token struct {
	Token     string    `json:"token" doc:"The bearer token (shown once, when issued)."`
	Actor     Actor     `json:"actor"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Mutation carries the idempotency key every mutating request takes.
type Mutation struct {
	IdempotencyKey string `json:"idempotency_key,omitempty" doc:"Idempotency key (the Idempotency-Key header wins over it)."`
}

// ImportKind names what an import file holds.
type ImportKind string

// Import kinds.
const (
	ImportLicences   ImportKind = "licences"
	ImportVehicles   ImportKind = "vehicles"
	ImportViolations ImportKind = "violations"
)

// ImportFormat is the file format.
type ImportFormat string

// Import formats; empty means detect from the first byte ('{' is JSONL).
const (
	FormatCSV   ImportFormat = "csv"
	FormatJSONL ImportFormat = "jsonl"
)

// ImportRequest describes an import; the data comes as a stream beside it.
type ImportRequest struct {
	Kind      ImportKind   `json:"kind" path:"kind" doc:"What the file holds."`
	Format    ImportFormat `json:"format,omitempty" query:"format" doc:"File format; absent: JSONL when the first non-space byte is '{', else CSV. The Content-Type header is not read."`
	ChunkSize int          `json:"chunk_size,omitempty" query:"chunk_size" doc:"Rows per transaction (0 or absent: the default; at most 100,000)."`
	// Encoding of the file: "" or "utf-8", or "gbk" (read as GB18030).
	Encoding string `json:"encoding,omitempty" query:"encoding" doc:"Text encoding of the file: utf-8 (default) or gbk (read as GB18030)."`
}

// Reject is an input row that was not imported, with the reason.
type Reject struct {
	Line     int    `json:"line"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
	ReasonZH string `json:"reason_zh,omitempty"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Kind       ImportKind `json:"kind"`
	Rows       int        `json:"rows"`
	Inserted   int        `json:"inserted"`
	Updated    int        `json:"updated"`
	Duplicates int        `json:"duplicates" doc:"Violation records skipped because their record number exists."`
	Rejected   int        `json:"rejected"`
	Rejects    []Reject   `json:"rejects" doc:"The first 1,000 rejects."`
	// RejectsTruncated is set when more rejects happened than are listed.
	RejectsTruncated bool `json:"rejects_truncated,omitempty"`
	// StoppedAtLine is set only when the import stopped early, with an
	// error: the damaged line, the line after the last row read when it was
	// interrupted, or the first line of the chunk whose commit failed. The
	// counts above then cover the committed chunks only.
	StoppedAtLine int `json:"stopped_at_line,omitempty" doc:"Set only when the import stopped early: the damaged line, or the line after the last row read when interrupted."`
	// CommittedThroughLine comes with StoppedAtLine: the last line of the
	// last committed chunk (absent when none was). Rows after it were not
	// imported.
	CommittedThroughLine int `json:"committed_through_line,omitempty" doc:"With stopped_at_line: the last line of the last committed chunk."`
}

// RegisterPersonRequest registers a person: identity proven by the licence
// file number, or by a plate the person owns.
type RegisterPersonRequest struct {
	Mutation
	IDNumber  string `json:"id_number"`
	Name      string `json:"name"`
	Phone     string `json:"phone" doc:"Mainland mobile number."`
	FileNo    string `json:"licence_file_no,omitempty" doc:"Proof of identity: the licence file number (档案编号). Give it or plate + plate_type."`
	Plate     string `json:"plate,omitempty" doc:"Proof of identity: the plate of a vehicle the person owns."`
	PlateType string `json:"plate_type,omitempty" doc:"Plate type: a GA 24.7 code (\"02\", or \"2\") or its name (\"小型汽车\", \"small car\")."`
	// Password, if set, lets the person sign in to a remote endpoint.
	Password string `json:"password,omitempty" doc:"If set, lets the person sign in (POST /v1/login): 8 to 128 characters with at least one letter and one digit."`
}

// RegisterUnitRequest registers an organisation.
type RegisterUnitRequest struct {
	Mutation
	CreditCode    string `json:"credit_code" doc:"Unified social credit code (统一社会信用代码)."`
	Name          string `json:"name"`
	AgentIDNumber string `json:"agent_id_number" doc:"ID number of the registered person acting for the unit."`
}

// BindVehicleRequest binds a vehicle to the calling person.
type BindVehicleRequest struct {
	Mutation
	Plate     string `json:"plate"`
	PlateType string `json:"plate_type" doc:"Plate type: a GA 24.7 code or its name."`
}

// BindResult is a binding; when the owner must approve, it is pending and
// RequestID names the request.
type BindResult struct {
	rules.Binding
}

// ApproveRequest approves a pending binding request (by the owner).
type ApproveRequest struct {
	Mutation
	RequestID string `json:"request_id" path:"id" doc:"The binding request ID (request_id of the pending binding)."`
}

// BindLicenceRequest binds the caller's own licence.
type BindLicenceRequest struct {
	Mutation
}

// RemoveBindingRequest removes one of the caller's bindings.
type RemoveBindingRequest struct {
	Mutation
	BindingID string `json:"binding_id" path:"id" doc:"The binding ID."`
}

// ListBindingsRequest lists bindings: the caller's, or (staff) a person's.
type ListBindingsRequest struct {
	IDNumber string `json:"id_number,omitempty" query:"id_number" doc:"Staff: the person whose bindings to list (required for staff, 400 ID_NUMBER_REQUIRED). A person always gets their own."`
}

// ListViolationsRequest filters violations. A person sees the records of
// their bound vehicles and licence; staff filter freely, but always
// through an index (plate, driver or status).
type ListViolationsRequest struct {
	Plate     string `json:"plate,omitempty" query:"plate" doc:"Plate (needs plate_type)."`
	PlateType string `json:"plate_type,omitempty" query:"plate_type" doc:"Plate type code or name; required with plate (400 PLATE_TYPE_REQUIRED)."`
	Driver    string `json:"driver_id_number,omitempty" query:"driver_id_number" doc:"Records whose decision was issued to this person."`
	Status    string `json:"status,omitempty" query:"status" schema:"ViolationStatus" doc:"Only records in this state."`
	After     string `json:"after,omitempty" query:"after" doc:"Page cursor: the next of the previous page."`
	Limit     int    `json:"limit,omitempty" query:"limit" max:"1000" doc:"Page size, at most 1,000 (0 or absent: 1,000)."`
}

// ViolationView is a record as shown to a user: with the late fee and the
// amount due as of the query time.
type ViolationView struct {
	rules.Violation
	DueOn     rules.Date  `json:"due_on,omitzero"`
	LateFee   rules.Money `json:"late_fee"`
	AmountDue rules.Money `json:"amount_due"`
}

// ViolationPage is one page of a listing; Next is the cursor for the next
// page ("" at the end).
type ViolationPage struct {
	Items []ViolationView `json:"items"`
	Next  string          `json:"next,omitempty" doc:"The cursor of the next page (pass it as after); absent at the end."`
}

// HandleRequest starts the online handling of a camera record.
type HandleRequest struct {
	Mutation
	RecordNo string `json:"record_no" path:"record_no" doc:"The record number."`
}

// HandleResult is the pending decision and its payment order.
type HandleResult struct {
	OrderID      string      `json:"order_id"`
	RecordNo     string      `json:"record_no"`
	DecisionNo   string      `json:"decision_no"`
	Fine         rules.Money `json:"fine"`
	Points       int         `json:"points"`
	AmountDue    rules.Money `json:"amount_due"`
	PendingUntil time.Time   `json:"pending_until"`
}

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

// SweepResult counts what a sweep did: payments folded into their records,
// and expired online handlings returned to unhandled.
type SweepResult struct {
	Folded  int `json:"folded"`
	Expired int `json:"expired"`
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

// Idempotency returns the mutation, for the transports to fill in its key.
func (m *Mutation) Idempotency() *Mutation { return m }
