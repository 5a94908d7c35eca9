// Package api holds the requests and responses of jgctl's use cases, by
// area (accounts, bindings, violations, payments, imports), and the
// declaration of each operation (ops.go): the
// contract shared by the engine, both client transports and the HTTP
// server. Every type serialises to JSON with snake_case field names, money
// as "200.00" and dates as YYYY-MM-DD.
package api

// Mutation carries the idempotency key every mutating request takes.
type Mutation struct {
	IdempotencyKey string `json:"idempotency_key,omitempty" doc:"Idempotency key (the Idempotency-Key header wins over it)."`
}

// Idempotency returns the mutation, for the transports to fill in its key.
func (m *Mutation) Idempotency() *Mutation { return m }
