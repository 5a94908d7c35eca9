package api

import (
	"reflect"
	"slices"
)

// Access says who may call an operation. The server authenticates every
// operation but the public and signed ones; the engine's use case decides
// the rest (and says so with the same error on both transports).
type Access string

// Who may call an operation.
const (
	Public        Access = "public"          // anyone, no token
	Authenticated Access = "authenticated"   // any valid token
	PersonOnly    Access = "person"          // a registered person (or staff acting as one)
	PersonOrStaff Access = "person_or_staff" // a person for themself, or the back office
	StaffOnly     Access = "staff"           // staff or admin
	StaffOrBank   Access = "staff_or_bank"   // staff, admin or a bank's service account
	BankSigned    Access = "bank_signature"  // an HMAC-signed notification of the bank
)

// OpInfo is the declaration of one operation: where it is served, who may
// call it and what it takes and answers. The server's routes, both client
// transports and docs/openapi.json all follow from it.
//
// Request fields travel as their tags say: `path:"name"` in the path,
// `query:"name"` in the query string, anything else in the JSON body
// (Mutation.IdempotencyKey also in the Idempotency-Key header).
type OpInfo struct {
	ID          string // the OpenAPI operationId
	Method      string
	Path        string // with {params}
	Tag         string // the area, an OpenAPI tag
	Summary     string
	Description string
	Access      Access
	// Idempotent operations take an Idempotency-Key; a replay with the
	// same key answers the first answer.
	Idempotent bool
	// Safe operations change nothing (or nothing twice): clients retry them.
	Safe bool
	// Pure operations compute from their request alone and read no store:
	// the embedded transport runs them without opening one.
	Pure bool
	// Stream: the body is a file (CSV or JSON Lines) passed beside the request.
	Stream bool
	// Produces is the answer's media type when it is not JSON.
	Produces string
	// Request and Response are the Go types of the request and the answer.
	Request, Response reflect.Type
}

// Operation is a declared operation (an *Op).
type Operation interface{ Info() *OpInfo }

// Op is an operation taking a Req and answering a Resp.
type Op[Req, Resp any] struct{ info OpInfo }

// Info returns the declaration.
func (o *Op[Req, Resp]) Info() *OpInfo { return &o.info }

var operations []Operation

// Operations lists every declared operation, in declaration order.
func Operations() []Operation { return slices.Clone(operations) }

func declare[Req, Resp any](i OpInfo) *Op[Req, Resp] {
	i.Request, i.Response = reflect.TypeFor[Req](), reflect.TypeFor[Resp]()
	op := &Op[Req, Resp]{info: i}
	operations = append(operations, op)
	return op
}

// NoBody is the request of an operation that takes nothing.
type NoBody struct{}

// Health is the answer of the health checks.
type Health struct {
	Status string `json:"status"`
}

// LogoutResult says the token was revoked.
type LogoutResult struct {
	LoggedOut bool `json:"logged_out"`
}

// RemoveResult names the binding removed.
type RemoveResult struct {
	Removed string `json:"removed" doc:"The binding ID."`
}

// OutboxRequest pages through the outbox: the notifications after sequence
// number After (the Seq of the last one seen), at most Limit of them.
type OutboxRequest struct {
	After int64 `json:"after,omitempty" query:"after" doc:"Sequence number of the last notification seen (0: from the start)."`
	Limit int   `json:"limit,omitempty" query:"limit" max:"1000" doc:"Page size, at most 1,000 (0 or absent: all)."`
}
