// Package core holds what every area of the engine shares: the store and
// the reference data a use case works with, the clock, authorisation of
// the caller, idempotency keys, and the audit log and outbox every
// mutation appends to.
package core

import (
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Env is what a use case works with. The areas of the engine embed it.
type Env struct {
	Store    store.Store
	Policy   rules.Policy
	Calendar rules.Calendar
	Codes    rules.CodeBook
	Gateway  gateway.Gateway
	// Clock is the current time; tests and --now fix it.
	Clock func() time.Time
	// Region is the 6-digit division code that starts the decision numbers
	// this platform issues.
	Region string
	// Claims keeps two payers of one decision from both reaching the gateway.
	Claims Claimer
}

// Now returns the current time.
func (e *Env) Now() time.Time { return e.Clock() }

// Today returns the current date in China time.
func (e *Env) Today() rules.Date { return rules.DateOf(e.Clock()) }

// Audit appends an audit entry for a mutation by a.
func (e *Env) Audit(tx store.Tx, a api.Actor, action, subject, detail string) error {
	return tx.Audit(rules.AuditEntry{At: e.Clock(), Actor: a.String(), Action: action, Subject: subject, Detail: detail})
}

// Notify queues a text message to a phone ("" sends nothing).
func (e *Env) Notify(tx store.Tx, to, template, text string) error {
	if to == "" {
		return nil
	}
	return tx.Notify(rules.Notification{CreatedAt: e.Clock(), To: to, Template: template, Text: text})
}
