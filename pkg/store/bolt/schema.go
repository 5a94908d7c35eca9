package bolt

// The bbolt schema, in one place. Every bucket and meta key is declared
// here; nothing else writes raw bucket names.
//
//	meta/schema_version                         "3" (plain text, readable forever)
//	licences/<id_number>                        rules.Licence (JSON)
//	vehicles/<plate>\x00<plate_type>            rules.Vehicle
//	persons/<id_number>                         rules.Person
//	units/<credit_code>                         rules.Unit
//	bindings/<binding_id>                       rules.Binding (8-byte big-endian IDs)
//	violations/<record_no>                      rules.Violation (binary, pkg/store/codec)
//	decisions/<decision_no>                     <record_no>        (unique: one decision, one record)
//	orders/<order_id>                           rules.PaymentOrder (append-only; its state follows its decision)
//	payments/<decision_no>                      rules.Payment      (unique: one payment per decision)
//	idempotency/<scope>\x00<key>                request hash, "\n", response JSON
//	credentials/<id_number>                     PHC-encoded argon2id password hash
//	tokens/<sha256(token)>                      TokenRecord (the token itself is never stored)
//	audit/<seq>                                 AuditEntry
//	outbox/<seq>                                OutboxMessage
//	idx_binding_person/<id_number>\x00<binding_id>             ""
//	idx_binding_vehicle/<plate>\x00<type>\x00<binding_id>      ""
//	idx_violation_plate/<run>/<plate>\x00<type>\x00<record_no> ""  (sorted runs, runs.go)
//	idx_violation_plate/<run>\xff                              Bloom filter of the run's plates (filter.go)
//	idx_violation_driver/<id_number>\x00<record_no>            ""
//	idx_violation_status/<status>\x00<record_no>               ""  (open statuses; paid records are found through payments)
//	idx_pending_until/<unix seconds, 8 bytes BE><record_no>    ""
//
// Index values are empty: only key existence matters. Stores created before
// the vehicle-owner index was dropped still hold its bucket,
// idx_vehicle_owner; nothing reads or writes it. Each invariant the
// platform keeps is a unique key here (one record per record_no, one record
// per decision_no, one payment per decision (payments keyed by decision), one registration per ID
// number), so a SQL backend can express it as a unique constraint.

// SchemaVersion is the version this code reads and writes.
const SchemaVersion = 3

// bucket names a top-level bucket; a Tx opens each at most once.
type bucket uint8

const (
	bucketMeta bucket = iota
	bucketLicences
	bucketVehicles
	bucketPersons
	bucketUnits
	bucketBindings
	bucketViolations
	bucketDecisions
	bucketOrders
	bucketPayments
	bucketIdempotency
	bucketCredentials
	bucketTokens
	bucketAudit
	bucketOutbox
	idxBindingPerson
	idxBindingVehicle
	idxViolationPlate
	idxViolationDriver
	idxViolationStatus
	idxViolationPending
	numBuckets
)

var bucketNames = [numBuckets]string{
	bucketMeta:          "meta",
	bucketLicences:      "licences",
	bucketVehicles:      "vehicles",
	bucketPersons:       "persons",
	bucketUnits:         "units",
	bucketBindings:      "bindings",
	bucketViolations:    "violations",
	bucketDecisions:     "decisions",
	bucketOrders:        "orders",
	bucketPayments:      "payments",
	bucketIdempotency:   "idempotency",
	bucketCredentials:   "credentials",
	bucketTokens:        "tokens",
	bucketAudit:         "audit",
	bucketOutbox:        "outbox",
	idxBindingPerson:    "idx_binding_person",
	idxBindingVehicle:   "idx_binding_vehicle",
	idxViolationPlate:   "idx_violation_plate",
	idxViolationDriver:  "idx_violation_driver",
	idxViolationStatus:  "idx_violation_status",
	idxViolationPending: "idx_pending_until",
}

func (b bucket) name() []byte { return []byte(bucketNames[b]) }

var keySchemaVersion = []byte("schema_version")

// maxValueSize bounds every value this package copies out of the file,
// far above any it writes: a damaged page can claim a length of gigabytes.
const maxValueSize = 1 << 26

// key joins parts with a 0 byte separator (no part contains a 0 byte).
func key(parts ...string) []byte {
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	return b
}

// prefix is key(parts...) followed by the separator, for prefix scans.
func prefix(parts ...string) []byte { return append(key(parts...), 0) }

func allBuckets() []bucket {
	ids := make([]bucket, numBuckets)
	for i := range ids {
		ids[i] = bucket(i)
	}
	return ids
}
