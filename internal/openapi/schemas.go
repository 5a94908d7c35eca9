package openapi

import (
	"reflect"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// enums are the types whose values are a closed list, each one shared
// schema the operations $ref.
var enums = map[reflect.Type]string{
	reflect.TypeFor[rules.Status]():     "ViolationStatus",
	reflect.TypeFor[rules.Source]():     "ViolationSource",
	reflect.TypeFor[rules.PlateType]():  "PlateType",
	reflect.TypeFor[api.Role]():         "Role",
	reflect.TypeFor[api.ImportKind]():   "ImportKind",
	reflect.TypeFor[api.ImportFormat](): "ImportFormat",
}

func stringsOf[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// shared are the schemas of values (not of structs).
var shared = map[string]obj{
	"Money": {"type": "string", "description": "An amount in yuan with exactly two decimals.", "pattern": `^[0-9]+\.[0-9]{2}$`, "example": "200.00"},
	"MoneyInput": {"type": "string", "description": "An amount in yuan: not negative, at most two decimals (\"200\", \"200.5\", \"200.00\"). A string, so that no client rounds it through a float.",
		"pattern": `^[0-9]+(\.[0-9]{0,2})?$`, "example": "200.00"},
	"Date":            {"type": "string", "description": "A civil date, YYYY-MM-DD (China time).", "format": "date", "example": "2026-11-24"},
	"PlateType":       {"type": "string", "description": "Plate type code (号牌种类) of GA 24.7: two digits, e.g. 02 (小型汽车), 52 (小型新能源汽车).", "pattern": "^[0-9]{2}$", "example": "02"},
	"ViolationStatus": {"type": "string", "description": "unhandled → pending (online handling started) → paid; pending → unhandled when the handling expires; unpaid (a decision exists) → paid.", "enum": stringsOf(rules.Statuses[:]...)},
	"ViolationSource": {"type": "string", "description": "Where the record comes from: camera (电子监控), onsite (现场), general (一般程序).", "enum": stringsOf(rules.SourceCamera, rules.SourceOnsite, rules.SourceGeneral)},
	"Role":            {"type": "string", "description": "What an actor may do.", "enum": stringsOf(api.Roles...)},
	"ImportKind":      {"type": "string", "description": "What an import file holds.", "enum": stringsOf(api.ImportLicences, api.ImportVehicles, api.ImportViolations)},
	"ImportFormat":    {"type": "string", "description": "An import file's format.", "enum": stringsOf(api.FormatCSV, api.FormatJSONL)},
	"ErrorKind": {"type": "string", "description": "Error class; it decides the HTTP status: invalid 400, not_found 404, forbidden 403 (401 when the code is UNAUTHENTICATED), denied 422, conflict 409, unavailable 503, internal 500.",
		"enum": []string{"internal", "invalid", "not_found", "forbidden", "denied", "conflict", "unavailable"}},
}

// docs describe the struct schemas.
var docs = map[reflect.Type]string{
	reflect.TypeFor[api.ErrorBody]():             "The body of every error answer.",
	reflect.TypeFor[api.NoBody]():                "An empty JSON object: the operation takes no fields (any field is refused with BAD_JSON).",
	reflect.TypeFor[api.Actor]():                 "Who is calling: a person (by ID number) or a service account (by name).",
	reflect.TypeFor[api.Token]():                 "A bearer token (shown once, when issued) and who it acts as.",
	reflect.TypeFor[rules.Binding]():             "A person's binding to a vehicle or to their licence.",
	reflect.TypeFor[api.BindResult]():            "A person's binding to a vehicle or to their licence.",
	reflect.TypeFor[api.ViolationView]():         "A violation record with the late fee and amount due as of the query time.",
	reflect.TypeFor[api.ViolationPage]():         "One page of a listing; next is the cursor of the next page (absent at the end).",
	reflect.TypeFor[rules.Notification]():        "A message (SMS) in the outbox; seq is the after cursor.",
	reflect.TypeFor[gateway.Charge]():            "A bank's notification of a charge.",
	reflect.TypeFor[api.ImportResult]():          "What an import did.",
	reflect.TypeFor[api.Receipt]():               "The proof of a payment; replayed when a repeated idempotency key returned it.",
	reflect.TypeFor[api.ReconcileResult]():       "What the gateway reported about an order and what was done.",
	reflect.TypeFor[rules.FeeQuote]():            "The late fee and amount due of a fine.",
	reflect.TypeFor[api.QuoteRequest]():          "A fine to quote.",
	reflect.TypeFor[api.RegisterPersonRequest](): "A person's registration: identity proven by the licence file number, or by a plate the person owns.",
}
