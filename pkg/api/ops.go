package api

import (
	"encoding/json"
	"net/http"

	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// The operations of the /v1 API, one declaration each. Adding one: declare
// it here, bind it to its engine use case in internal/ops, and give it an
// SDK method in pkg/client; routes, both transports and docs/openapi.json
// follow.
var (
	Healthz = declare[NoBody, *Health](OpInfo{ID: "healthz", Method: http.MethodGet, Path: "/healthz", Tag: "ops", Access: Public, Safe: true,
		Summary: "Liveness"})
	Readyz = declare[NoBody, *Health](OpInfo{ID: "readyz", Method: http.MethodGet, Path: "/readyz", Tag: "ops", Access: Public, Safe: true,
		Summary: "Readiness: the store answers"})
	Metrics = declare[NoBody, string](OpInfo{ID: "metrics", Method: http.MethodGet, Path: "/metrics", Tag: "ops", Access: Public, Safe: true, Produces: "text/plain",
		Summary:     "Prometheus metrics",
		Description: "Prometheus text exposition format: jgctl_http_requests_total{route,status}, jgctl_http_request_duration_seconds{route}, jgctl_payments_total{outcome}, jgctl_import_rows_total{kind,result}, jgctl_store_retries_total, and the Go runtime and process collectors. Registered only when the server has metrics (jgctl serve always does)."})
	OpenAPI = declare[NoBody, json.RawMessage](OpInfo{ID: "openapi", Method: http.MethodGet, Path: "/v1/openapi.json", Tag: "ops", Access: Public, Safe: true,
		Summary: "This OpenAPI document"})

	Login = declare[LoginRequest, *Token](OpInfo{ID: "login", Method: http.MethodPost, Path: "/v1/login", Tag: "auth", Access: Public,
		Summary:     "Sign a person in with their password",
		Description: "Returns a bearer token for a registered person who set a password. A wrong ID number or password is 403 BAD_CREDENTIALS; five failures within 15 minutes lock the ID number out (429 TOO_MANY_ATTEMPTS, with Retry-After). An empty body counts as wrong credentials."})
	Logout = declare[NoBody, *LogoutResult](OpInfo{ID: "logout", Method: http.MethodPost, Path: "/v1/logout", Tag: "auth", Access: Authenticated,
		Summary:     "Revoke the bearer token",
		Description: "Revokes the token of the Authorization header (also when X-Jgctl-As is given). The embedded transport has no token: 401 UNAUTHENTICATED."})
	Whoami = declare[NoBody, *Actor](OpInfo{ID: "whoami", Method: http.MethodGet, Path: "/v1/whoami", Tag: "auth", Access: Authenticated, Safe: true,
		Summary: "Who the caller acts as"})
	CreateToken = declare[TokenRequest, *Token](OpInfo{ID: "createToken", Method: http.MethodPost, Path: "/v1/tokens", Tag: "auth", Access: StaffOnly,
		Summary:     "Issue a service-account token",
		Description: "Staff and admin only (403 STAFF_ONLY); only an admin may create admin tokens (403 ADMIN_ONLY). Default lifetime 90 days."})

	Import = declare[ImportRequest, *ImportResult](OpInfo{ID: "importData", Method: http.MethodPost, Path: "/v1/imports/{kind}", Tag: "imports", Access: StaffOnly, Stream: true,
		Summary:     "Import licences, vehicles or violation records (staff)",
		Description: "Each row is validated; rejected rows are listed with line and reason (the first 1,000) and the others are written in chunks, each one transaction. Re-imported violation records are counted as duplicates; licences and vehicles are updated in place. When the file breaks partway, the error answer carries what was committed under \"result\"."})

	RegisterPerson = declare[RegisterPersonRequest, *rules.Person](OpInfo{ID: "registerPerson", Method: http.MethodPost, Path: "/v1/persons", Tag: "accounts", Access: Public, Idempotent: true,
		Summary:     "Register a person (open: no token needed)",
		Description: "The identity must match a licence record (ID number, name, licence_file_no) or a vehicle the person owns (plate, plate_type): else 422 IDENTITY_MISMATCH. Already registered: 409 ALREADY_REGISTERED. A bearer token, if sent, is ignored."})
	RegisterUnit = declare[RegisterUnitRequest, *rules.Unit](OpInfo{ID: "registerUnit", Method: http.MethodPost, Path: "/v1/units", Tag: "accounts", Access: PersonOrStaff, Idempotent: true,
		Summary:     "Register an organisation (单位)",
		Description: "The acting person (agent_id_number) must be registered (404 PERSON_NOT_FOUND). Staff may register any unit; a person only one they act for; any other caller gets 403 NOT_OWNER."})

	BindVehicle = declare[BindVehicleRequest, *BindResult](OpInfo{ID: "bindVehicle", Method: http.MethodPost, Path: "/v1/bindings/vehicles", Tag: "bindings", Access: PersonOnly, Idempotent: true,
		Summary: "Bind a vehicle to the calling person"})
	BindLicence = declare[BindLicenceRequest, *rules.Binding](OpInfo{ID: "bindLicence", Method: http.MethodPost, Path: "/v1/bindings/licence", Tag: "bindings", Access: PersonOnly, Idempotent: true,
		Summary: "Bind the calling person's own licence"})
	ApproveBinding = declare[ApproveRequest, *rules.Binding](OpInfo{ID: "approveBinding", Method: http.MethodPost, Path: "/v1/bindings/{id}/approve", Tag: "bindings", Access: PersonOnly, Idempotent: true,
		Summary: "Approve a pending binding request (by the vehicle's owner)"})
	ListBindings = declare[ListBindingsRequest, []rules.Binding](OpInfo{ID: "listBindings", Method: http.MethodGet, Path: "/v1/bindings", Tag: "bindings", Access: PersonOrStaff, Safe: true,
		Summary:     "List bindings",
		Description: "A person gets their own (asking for another person's is 403); staff name the person with id_number (400 ID_NUMBER_REQUIRED without it)."})
	RemoveBinding = declare[RemoveBindingRequest, *RemoveResult](OpInfo{ID: "removeBinding", Method: http.MethodDelete, Path: "/v1/bindings/{id}", Tag: "bindings", Access: PersonOrStaff, Idempotent: true,
		Summary: "Remove a binding (the person bound, the vehicle's owner, or staff)"})

	ListViolations = declare[ListViolationsRequest, *ViolationPage](OpInfo{ID: "listViolations", Method: http.MethodGet, Path: "/v1/violations", Tag: "violations", Access: PersonOrStaff, Safe: true,
		Summary:     "List violation records",
		Description: "A person sees the records of their active vehicle bindings (another owner's vehicle from the binding date) and of their licence; staff filter by plate, driver or status, or page through all records. Pages hold at most 1,000 records (limit above that: 400 QUERY_VALUE); follow next."})
	ShowViolation = declare[ShowViolationRequest, *ViolationView](OpInfo{ID: "showViolation", Method: http.MethodGet, Path: "/v1/violations/{record_no}", Tag: "violations", Access: PersonOrStaff, Safe: true,
		Summary:     "Show one violation record with its late fee and amount due as of today",
		Description: "Staff see any record; a person only their own: decided to them, or of a vehicle bound to them (another owner's vehicle from the binding date), else 403 NOT_YOUR_RECORD. An unknown record number is 404 RECORD_NOT_FOUND for every caller (record numbers are printed on the notices and hide nothing)."})
	HandleViolation = declare[HandleRequest, *HandleResult](OpInfo{ID: "handleViolation", Method: http.MethodPost, Path: "/v1/violations/{record_no}/handle", Tag: "violations", Access: PersonOnly, Idempotent: true,
		Summary:     "Start the online handling of a camera record",
		Description: "Person only. Eligibility rules (camera record, fine and points limits, licence state, bound vehicle) refuse with 422 EMON_*."})
	Pay = declare[PayRequest, *Receipt](OpInfo{ID: "pay", Method: http.MethodPost, Path: "/v1/payments", Tag: "violations", Access: Authenticated, Idempotent: true,
		Summary:     "Pay a decision or one of the caller's records",
		Description: "Needs an idempotency key (header or body; 400 IDEMPOTENCY_KEY_REQUIRED). Repeating the key returns the first receipt with replayed: true. 409 DECISION_ALREADY_PAID, HANDLING_EXPIRED, PAYMENT_AMOUNT_CHANGED; 422 PAYMENT_DECLINED, NO_DECISION; 503 GATEWAY_TIMEOUT (retry with the same key)."})
	Reconcile = declare[ReconcileRequest, *ReconcileResult](OpInfo{ID: "reconcilePayment", Method: http.MethodPost, Path: "/v1/payments/reconcile", Tag: "violations", Access: StaffOrBank, Safe: true,
		Summary:     "Ask the gateway what became of an order and record a missed payment (staff, bank)",
		Description: "For \"paid but still shows unpaid\": if the bank took the money but no payment was recorded, records it (applied: true). Doing it again changes nothing. Staff, admin and bank tokens only (403 STAFF_ONLY)."})
	BankNotification = declare[gateway.Charge, *ReconcileResult](OpInfo{ID: "bankNotification", Method: http.MethodPost, Path: "/v1/gateway/notifications", Tag: "violations", Access: BankSigned,
		Summary:     "A bank's signed payment notification",
		Description: "Authenticated by the X-Jgctl-Signature header instead of a token: \"t=<unix seconds>,v1=<hex>\" where v1 = HMAC-SHA256(secret, \"<t>.<raw body>\") and t is within 5 minutes of the server's clock; else 403 BAD_SIGNATURE. Without a configured secret (gateway.secret / JGCTL_GATEWAY_SECRET) every notification is refused with 403 CALLBACK_DISABLED. A paid charge whose decision has no payment is recorded (applied: true); a repeated notification changes nothing."})
	QuoteFine = declare[QuoteRequest, *rules.FeeQuote](OpInfo{ID: "quoteFine", Method: http.MethodPost, Path: "/v1/fines/quote", Tag: "violations", Access: Authenticated, Safe: true, Pure: true,
		Summary:     "Compute the late fee and amount due of a fine",
		Description: "A pure computation, for any authenticated caller. 400 FIELD_REQUIRED (fine), FINE_FORMAT, DATE_FORMAT, SERVED_ON_REQUIRED, DATE_BEFORE_SERVICE."})

	Sweep = declare[NoBody, *SweepResult](OpInfo{ID: "sweep", Method: http.MethodPost, Path: "/v1/sweep", Tag: "ops", Access: StaffOnly,
		Summary: "Fold payments into records and expire lapsed online handlings (staff)"})
	Outbox = declare[OutboxRequest, []rules.Notification](OpInfo{ID: "outbox", Method: http.MethodGet, Path: "/v1/outbox", Tag: "ops", Access: StaffOnly, Safe: true,
		Summary:     "List queued notifications (staff)",
		Description: "Pages by sequence number: pass the seq of the last notification seen as after."})
)

// Page sizes of the listings: a listing without a limit answers pages of
// DefaultPageSize; a limit above MaxPageSize is refused (400 QUERY_VALUE).
const (
	DefaultPageSize = 1000
	MaxPageSize     = 1000
)
