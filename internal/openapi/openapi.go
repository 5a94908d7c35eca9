// Package openapi generates the OpenAPI 3 document of the /v1 API from the
// operations declared in pkg/api and their Go types (docs/openapi.json;
// `go run ./cmd/gen-docs` writes it, the server serves it).
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// obj is a JSON object of the document.
type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// JSON returns the document, indented, ending in a newline.
func JSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Document()); err != nil {
		panic(err) // the document is maps, slices and strings
	}
	return buf.Bytes()
}

// Document builds the document.
func Document() obj {
	g := &gen{schemas: obj{}}
	for name, s := range shared {
		g.schemas[name] = s
	}
	paths := obj{}
	for _, op := range api.Operations() {
		i := op.Info()
		item, _ := paths[i.Path].(obj)
		if item == nil {
			item = obj{}
			paths[i.Path] = item
		}
		item[strings.ToLower(i.Method)] = g.operation(i)
	}
	g.schemas["Error"] = g.structSchema(reflect.TypeFor[api.ErrorBody](), false)
	return obj{
		"openapi": "3.0.3",
		"info":    obj{"title": "jgctl HTTP API", "version": "1", "description": description},
		"servers": []obj{{"url": "http://127.0.0.1:8122", "description": "jgctl serve --listen 127.0.0.1:8122 (the default)"}},
		"tags": []obj{
			{"name": "ops", "description": "Health, readiness, metrics and back-office jobs"},
			{"name": "auth", "description": "Tokens, login and logout"},
			{"name": "imports", "description": "Bulk import of reference data and violation records"},
			{"name": "accounts", "description": "Registration of persons and units"},
			{"name": "bindings", "description": "Vehicle and licence bindings"},
			{"name": "violations", "description": "Violation records, online handling, payment and fines"},
		},
		"security": authenticated,
		"paths":    paths,
		"components": obj{
			"schemas": g.schemas,
			"securitySchemes": obj{
				"bearerAuth":    obj{"type": "http", "scheme": "bearer", "description": "A token from POST /v1/login (persons, 12 hours), POST /v1/tokens or `jgctl token create` (service accounts, 90 days by default). Tokens look like jg_ followed by 43 base64url characters. The scheme name is case-insensitive."},
				"actAs":         obj{"type": "apiKey", "in": "header", "name": "X-Jgctl-As", "description": "Optional, with a staff or admin token: act as the registered person with this ID number (the remote form of --as). Any other token gets 403 STAFF_ONLY; a value that is not a valid ID number 400 ACT_AS_FORMAT. Declared as a security scheme so that generated clients set it once, not on every call."},
				"bankSignature": obj{"type": "apiKey", "in": "header", "name": "X-Jgctl-Signature", "description": "HMAC-SHA256 signature of a bank notification: t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, \"<t>.<raw body>\")>, t within 5 minutes of the server's clock."},
			},
			"parameters": obj{
				"IdempotencyKey": obj{"name": "Idempotency-Key", "in": "header", "required": false, "schema": obj{"type": "string"}, "example": "pay-3701002026100100001-1",
					"description": "Makes the request safe to retry: the same key with the same request replays the first answer; with a different request it is refused (409 IDEMPOTENCY_KEY_REUSED). Overrides idempotency_key in the body."},
			},
			"responses": obj{
				"Error": obj{"description": "An error. Its kind decides the status: invalid 400 (415 UNSUPPORTED_MEDIA_TYPE, 431 HEADER_TOO_LARGE), forbidden 403 (401 UNAUTHENTICATED, 429 TOO_MANY_ATTEMPTS), not_found 404, conflict 409, denied 422, unavailable 503, internal 500.",
					"content": obj{"application/json": obj{"schema": ref("Error")}}},
			},
		},
	}
}

// authenticated is the security of every operation but the public and
// signed ones: a bearer token, acting as a person or not.
var authenticated = []obj{{"bearerAuth": []string{}}, {"bearerAuth": []string{}, "actAs": []string{}}}

const description = "The HTTP/JSON API of `jgctl serve`: the same operations as the embedded CLI and SDK, generated from their declarations in pkg/api.\n\n" +
	"- Authentication: `Authorization: Bearer <token>` on every operation whose security is not empty; POST /v1/gateway/notifications is signed instead (X-Jgctl-Signature). A staff or admin token may act as a registered person with `X-Jgctl-As: <ID number>`.\n" +
	"- Mutations take an `Idempotency-Key` header (or `idempotency_key` in the body).\n" +
	"- Request bodies are strict JSON (Content-Type application/json, else 415 UNSUPPORTED_MEDIA_TYPE): one object, no unknown fields (400 BAD_JSON), required fields present and not null (400 FIELD_REQUIRED), malformed values refused with the code of the CLI (FINE_FORMAT, DATE_FORMAT, naming the field), at most 1 MiB (400 BODY_TOO_LARGE); imports stream CSV or JSON Lines of up to 1 GiB. Headers over 64 KiB are 431 HEADER_TOO_LARGE.\n" +
	"- Listings page by at most 1,000 items (a larger limit is 400 QUERY_VALUE).\n" +
	"- Errors: `{\"error\": {\"code\", \"kind\", \"field\", \"message\", \"message_zh\"}}` (every operation's `default` response). Unknown paths are 404 ROUTE_NOT_FOUND and wrong methods 405 METHOD_NOT_ALLOWED, with the same body.\n" +
	"- Money is a string with two decimals (\"200.00\"), dates are YYYY-MM-DD, times RFC 3339. Optional fields are omitted when empty.\n" +
	"- `jgctl serve` answers every request with an X-Request-Id header (taken from the request when given, at most 64 characters)."

// access says who may call, for the operation's description.
var access = map[api.Access]string{
	api.Public:        "Anyone (no token).",
	api.Authenticated: "Any authenticated caller.",
	api.PersonOnly:    "A registered person (a staff token with X-Jgctl-As acts as one).",
	api.PersonOrStaff: "A registered person for themself, or staff.",
	api.StaffOnly:     "Staff and admin only (403 STAFF_ONLY).",
	api.StaffOrBank:   "Staff, admin and bank service accounts (403 STAFF_ONLY).",
	api.BankSigned:    "The bank, by signature (no token).",
}

type gen struct{ schemas obj }

func (g *gen) operation(i *api.OpInfo) obj {
	desc := strings.TrimSpace(i.Description + " Who may call: " + access[i.Access])
	op := obj{"operationId": i.ID, "tags": []string{i.Tag}, "summary": i.Summary, "description": desc}
	switch i.Access {
	case api.Public:
		op["security"] = []obj{}
	case api.BankSigned:
		op["security"] = []obj{{"bankSignature": []string{}}}
	}
	var params []obj
	for _, f := range api.Fields(i.Request) {
		switch f.In {
		case api.InPath, api.InQuery:
			p := obj{"name": f.Name, "in": f.In, "required": f.In == api.InPath, "schema": g.paramSchema(f)}
			if f.Doc != "" {
				p["description"] = f.Doc
			}
			params = append(params, p)
		}
	}
	if i.Idempotent {
		params = append(params, obj{"$ref": "#/components/parameters/IdempotencyKey"})
	}
	if params != nil {
		op["parameters"] = params
	}
	switch {
	case i.Stream:
		op["requestBody"] = obj{"required": true,
			"description": "The file, streamed as is (up to 1 GiB): CSV with a header row, or JSON Lines. Columns are described in docs/import-formats.md.",
			"content":     obj{"text/csv": obj{"schema": obj{"type": "string"}}, "application/x-ndjson": obj{"schema": obj{"type": "string"}}}}
	case i.Method != http.MethodGet && i.Method != http.MethodDelete:
		name := g.named(i.Request, true)
		required := false
		for _, f := range api.Fields(i.Request) {
			required = required || isRequired(f)
		}
		op["requestBody"] = obj{"required": required, "content": obj{"application/json": obj{"schema": ref(name)}}}
	}
	ok := obj{"description": "OK"}
	switch {
	case i.Produces != "":
		ok["content"] = obj{i.Produces: obj{"schema": obj{"type": "string"}}}
	default:
		ok["content"] = obj{"application/json": obj{"schema": g.schema(i.Response, false)}}
	}
	op["responses"] = obj{"200": ok, "default": obj{"$ref": "#/components/responses/Error"}}
	return op
}

// paramSchema is the schema of a path or query parameter.
func (g *gen) paramSchema(f api.Field) obj {
	if f.Schema != "" {
		return ref(f.Schema)
	}
	if e, ok := enums[f.Type]; ok {
		return ref(e)
	}
	switch f.Type.Kind() {
	case reflect.Int, reflect.Int64:
		s := obj{"type": "integer", "minimum": 0}
		if f.Type.Kind() == reflect.Int64 {
			s["format"] = "int64"
		}
		if f.Max > 0 {
			s["maximum"] = f.Max
		}
		return s
	}
	return obj{"type": "string"}
}

// named registers the component schema of struct type t and returns its name.
func (g *gen) named(t reflect.Type, input bool) string {
	name := schemaName(t)
	if _, ok := g.schemas[name]; !ok {
		g.schemas[name] = obj{} // against recursion
		g.schemas[name] = g.structSchema(t, input)
	}
	return name
}

// schema is the schema of a value of type t (input: in a request).
func (g *gen) schema(t reflect.Type, input bool) obj {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[rules.Money]():
		if input {
			return ref("MoneyInput")
		}
		return ref("Money")
	case reflect.TypeFor[rules.Date]():
		return ref("Date")
	case reflect.TypeFor[time.Time]():
		return obj{"type": "string", "format": "date-time"}
	case reflect.TypeFor[json.RawMessage]():
		return obj{"type": "object"}
	}
	if e, ok := enums[t]; ok {
		return ref(e)
	}
	switch t.Kind() {
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int32:
		return obj{"type": "integer"}
	case reflect.Int64, reflect.Uint64:
		return obj{"type": "integer", "format": "int64"}
	case reflect.Slice:
		return obj{"type": "array", "items": g.schema(t.Elem(), input)}
	case reflect.Struct:
		return ref(g.named(t, input))
	}
	panic(fmt.Sprintf("openapi: no schema for %s", t))
}

// structSchema describes a struct: every field that is never omitted is
// required (in a request, the server refuses one tagged required when it
// is missing or null; the use case refuses the others when empty).
func (g *gen) structSchema(t reflect.Type, input bool) obj {
	props := obj{}
	var required []string
	for _, f := range api.Fields(t) {
		var s obj
		switch {
		case f.Schema != "":
			s = ref(f.Schema)
		default:
			s = g.schema(f.Type, input)
		}
		if f.In == api.InPath {
			f.Name = f.JSON
			f.Doc = "Ignored: the path names it."
		}
		if f.Doc != "" {
			if _, isRef := s["$ref"]; isRef {
				s = obj{"allOf": []obj{s}}
			}
			s["description"] = f.Doc
		}
		props[f.Name] = s
		if isRequired(f) {
			required = append(required, f.Name)
		}
	}
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if d, ok := docs[t]; ok {
		s["description"] = d
	}
	if required != nil {
		s["required"] = required
	}
	return s
}

// isRequired says whether a property is required: a body field that is
// never omitted, or one tagged required.
func isRequired(f api.Field) bool { return (f.Required || !f.Optional) && f.In == api.InBody }

// schemaName names a type's component: its Go name, but for the types
// the API names otherwise.
func schemaName(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[api.BindResult]():
		return "Binding" // the same JSON
	case reflect.TypeFor[gateway.Charge]():
		return "BankNotification"
	case reflect.TypeFor[api.NoBody]():
		return "EmptyBody"
	case reflect.TypeFor[api.ErrorBody]():
		return "Error"
	}
	return t.Name()
}
