// Package store is the storage contract: what the engine asks of a store,
// as use-case-sized operations in transactions, with the invariants each
// operation keeps. Two backends implement it: bbolt (package
// pkg/store/bolt, the embedded default) and a PostgreSQL-family database
// (package pkg/store/pg). The engine knows neither: no bucket, no SQL.
//
// Every invariant is the backend's: one record per record number, one
// record per decision number, one payment per decision, one registration
// per person or unit, an idempotency key stored once per caller scope, the
// limits on bindings of other owners' vehicles, and a record's state moving
// only from the state it was read in. A backend shared by several
// processes keeps them with unique keys and conditional updates, never
// with locks inside one process.
package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// Store is an open store.
type Store interface {
	Encoder
	Dumper
	PaymentWriter
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. fn may run more than
	// once (a backend retries a transaction that lost a race, and bbolt's
	// group commit re-runs the functions of a failed group): it must have
	// no effect outside the transaction. Its error is returned and its
	// writes discarded.
	Update(ctx context.Context, fn func(Tx) error) error
	// Prepare makes a record ready for Tx.InsertViolations, on the
	// caller's goroutine (an import encodes beside its reader).
	Prepare(v *rules.Violation, line int) (NewViolation, error)
	// Verify checks the store's invariants: damage and disagreements are
	// reported as problems, not as an error.
	Verify(ctx context.Context) (*Report, error)
	Close() error
}

// Encoder makes values in the backend's own stored form, so that a hot
// write transaction (a payment) does no encoding: the engine encodes
// before Store.Update and hands the bytes, opaque to it, to the Tx method
// each names. The stored form is the backend's, not the JSON of the rules
// types (whose tags are the API's).
type Encoder interface {
	// EncodePayment encodes a payment for Tx.InsertEncodedPayment.
	EncodePayment(p *rules.Payment) ([]byte, error)
	// EncodeAudit encodes an audit entry (its Seq ignored) for
	// Tx.AppendAudit.
	EncodeAudit(e rules.AuditEntry) ([]byte, error)
	// EncodeNotification encodes a message (its Seq ignored) for
	// Tx.AppendNotification.
	EncodeNotification(m rules.Notification) ([]byte, error)
	// EncodeIdempotent encodes the record of an idempotent request, its
	// request hash and its response (which Tx.Idempotent returns as the
	// response's JSON), for Tx.PutEncodedIdempotent.
	EncodeIdempotent(hash string, response any) ([]byte, error)
}

// Tx is a transaction. Values returned are copies, safe to keep after it
// ends. Refusals are *rules.Error values.
type Tx interface {
	Restorer
	Licence(idNumber string) (*rules.Licence, error)
	PutLicence(l *rules.Licence) error
	// HoldLicence serialises the transactions that count a driver's points
	// and then add to them (online handlings): called before counting, it
	// makes a second such transaction wait for, or be rerun after, the
	// first. A store whose write transactions are serial does nothing.
	HoldLicence(idNumber string) error
	Vehicle(plate string, pt rules.PlateType) (*rules.Vehicle, error)
	PutVehicle(v *rules.Vehicle) error

	Person(idNumber string) (*rules.Person, error)
	// InsertPerson is rules.ErrAlreadyRegistered for a registered person.
	InsertPerson(p *rules.Person) error
	Unit(code string) (*rules.Unit, error)
	// InsertUnit is rules.ErrAlreadyRegistered for a registered unit.
	InsertUnit(u *rules.Unit) error
	PasswordHash(idNumber string) (string, error)
	SetPasswordHash(idNumber, hash string) error
	Token(hash []byte) (*TokenRecord, error)
	PutToken(hash []byte, r *TokenRecord) error

	NextBindingID() (string, error)
	Binding(id string) (*rules.Binding, error)
	// PutBinding writes a binding (new, or changed in place).
	PutBinding(b *rules.Binding) error
	// InsertBindingLimited writes a new binding; one of another owner's
	// vehicle only while the person has fewer than maxOthers such bindings
	// and the vehicle fewer than maxDrivers non-owner drivers (pending
	// requests count): else rules.ErrTooManyOthers or rules.ErrTooManyDrivers.
	InsertBindingLimited(b *rules.Binding, maxOthers, maxDrivers int) error
	DeleteBinding(b *rules.Binding) error
	BindingsOf(idNumber string) ([]rules.Binding, error)
	BindingsOfVehicle(plate string, pt rules.PlateType) ([]rules.Binding, error)

	// Violation reads a record with its payment, if any.
	Violation(recordNo string) (*rules.Violation, error)
	ViolationByDecision(decisionNo string) (*rules.Violation, error)
	// DecisionOf reports whether the decision still names the record.
	DecisionOf(decisionNo, recordNo string) (bool, error)
	// PutViolation writes v over old, the record as it was read in this
	// transaction: a decision number taken by another record is
	// rules.ErrDuplicateDecision, and a record changed meanwhile by another
	// writer is rules.ErrPendingElsewhere.
	PutViolation(v, old *rules.Violation) error
	Violations(q ViolationQuery) ([]rules.Violation, error)
	// ExpiredPending lists records whose online handling lapsed by now.
	ExpiredPending(now time.Time, limit int) ([]string, error)
	// InsertViolations writes new records in bulk: rows whose record number
	// exists (stored, or earlier in rows) are refused with
	// rules.ErrDuplicateRecord, rows whose decision number is taken with
	// rules.ErrDuplicateDecision; the first of two equal rows wins.
	InsertViolations(rows []NewViolation) (inserted int, refused []Refused, err error)
	// Fold writes up to limit payments into their records (a sweep).
	Fold(limit int) (int, error)
	NextDecisionNo(region string) (string, error)

	PaymentOfDecision(decisionNo string) (*rules.Payment, error)
	InsertOrder(o *rules.PaymentOrder) error
	// InsertPayment is rules.ErrAlreadyPaid when the decision has one.
	InsertPayment(p *rules.Payment) error
	// InsertEncodedPayment is InsertPayment of a payment encoded by
	// Store.EncodePayment.
	InsertEncodedPayment(decisionNo string, raw []byte) error
	// LookPayment reads what paying a decision reads before the charge
	// in one look-up (one round trip on a database); Looked answers the
	// calls it covers from it.
	LookPayment(q PaymentLookup) (*PaymentLook, error)

	// Idempotent returns the stored response of (scope, key); a stored
	// request hash that differs from hash is rules.ErrIdempotencyReuse.
	Idempotent(scope, key, hash string) (json.RawMessage, bool, error)
	PutIdempotent(scope, key, hash string, response any) error
	// PutEncodedIdempotent stores a record made by Store.EncodeIdempotent.
	PutEncodedIdempotent(scope, key string, record []byte) error

	Audit(e rules.AuditEntry) error
	// AppendAudit appends an entry encoded by Store.EncodeAudit.
	AppendAudit(raw []byte) error
	Notify(m rules.Notification) error
	// AppendNotification appends a message encoded by
	// Store.EncodeNotification.
	AppendNotification(raw []byte) error
	AuditLog(after uint64, limit int) ([]rules.AuditEntry, error)
	Outbox(after uint64, limit int) ([]rules.Notification, error)
}

// TokenRecord is what a store keeps of a bearer token: who it acts as and
// until when. It is keyed by the token's SHA-256, never the token.
type TokenRecord struct {
	Role      string    `json:"role"`
	Subject   string    `json:"subject"` // the ID number of a person, or a service account's name
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// ViolationQuery selects records; results come in record_no order (paid
// records listed by status alone come in decision_no order).
type ViolationQuery struct {
	Plate     string
	PlateType rules.PlateType
	Driver    string       // decisions issued to this ID number
	Status    rules.Status // with neither plate nor driver: all records of the status
	After     string       // record_no (or decision_no) to start after (pagination)
	Limit     int          // 0: no limit
}

// NewViolation is one row of a bulk insert, made by Store.Prepare. Line is
// the caller's tag (the input line number), returned with a refusal.
type NewViolation struct {
	Line   int
	Record rules.Violation
	// Encoded is the record in the backend's own form, if it makes one.
	Encoded []byte
}

// Refused is a row that InsertViolations did not write.
type Refused struct {
	Line int
	Err  error
}

// Report is the result of Verify.
type Report struct {
	Backend       string   `json:"backend,omitempty"`
	SchemaVersion int      `json:"schema_version"`
	Records       int      `json:"records"`
	Decisions     int      `json:"decisions"`
	Payments      int      `json:"payments"`
	PlateIndex    int      `json:"plate_index_entries"`
	PlateRuns     int      `json:"plate_index_runs"`
	StatusIndex   int      `json:"status_index_entries"`
	Problems      []string `json:"problems"`
}

// Copying a store (jgctl store copy): Store.Dump streams every record of a
// store, and the Tx methods below write them into an empty store keeping
// the numbers they had (order IDs, audit and outbox sequence numbers, the
// counters that issue new numbers).

// Record kinds, in the order Store.Dump gives them.
const (
	KindLicence      = "licences"
	KindVehicle      = "vehicles"
	KindPerson       = "persons"
	KindUnit         = "units"
	KindCredential   = "credentials"
	KindToken        = "tokens"
	KindBinding      = "bindings"
	KindViolation    = "violations"
	KindOrder        = "orders"
	KindPayment      = "payments"
	KindIdempotent   = "idempotency"
	KindAudit        = "audit"
	KindNotification = "outbox"
	// KindCounters comes last, once: the numbers the store has issued.
	KindCounters = "counters"
)

// Kinds lists the record kinds in dump order (KindCounters aside).
var Kinds = []string{KindLicence, KindVehicle, KindPerson, KindUnit, KindCredential, KindToken, KindBinding,
	KindViolation, KindOrder, KindPayment, KindIdempotent, KindAudit, KindNotification}

// Record is one stored record of Store.Dump: Kind says which one field is
// set. Values are copies the callee may keep.
type Record struct {
	Kind         string
	Licence      *rules.Licence
	Vehicle      *rules.Vehicle
	Person       *rules.Person
	Unit         *rules.Unit
	Credential   *Credential
	Token        *Token
	Binding      *rules.Binding
	Violation    *rules.Violation // as stored: a payment not yet folded into it is a Payment record
	Order        *rules.PaymentOrder
	Payment      *rules.Payment
	Idempotent   *Idempotent
	Audit        *rules.AuditEntry   // with its Seq
	Notification *rules.Notification // with its Seq
	Counters     *Counters
}

// Credential is a person's stored password hash.
type Credential struct {
	IDNumber string
	Hash     string
}

// Token is a stored bearer token: its SHA-256 and its record.
type Token struct {
	Hash   []byte
	Record TokenRecord
}

// Idempotent is the stored record of an idempotent request: its request
// hash and its response's JSON. A key claimed by a request still running
// (no response yet) is not a record.
type Idempotent struct {
	Scope, Key, Hash string
	Response         json.RawMessage
}

// Counters are the last numbers a store has issued: binding and order IDs,
// decision numbers, audit and outbox sequence numbers (0: none yet).
type Counters struct {
	Bindings, Orders, Decisions, Audit, Outbox uint64
}

// Dumper streams a store's records.
type Dumper interface {
	// Dump calls fn with every stored record, by kind in the order of
	// Kinds (each kind in key order), then once with KindCounters, from
	// one consistent view of the store; an error of fn stops it and is
	// returned.
	Dump(ctx context.Context, fn func(Record) error) error
}

// Restorer is what a transaction adds to write a copy into an empty store.
type Restorer interface {
	// PutOrder writes an order with its ID (InsertOrder allocates one).
	PutOrder(o *rules.PaymentOrder) error
	// PutAudit writes an entry encoded by Store.EncodeAudit under seq.
	PutAudit(seq uint64, raw []byte) error
	// PutNotification writes a message encoded by
	// Store.EncodeNotification under seq.
	PutNotification(seq uint64, raw []byte) error
	// AdvanceCounters makes every counter at least c's, so that the
	// numbers issued next follow those copied.
	AdvanceCounters(c Counters) error
}
