// Package engine assembles jgctl's use cases. They live by area in the
// packages below it (accounts and bindings, violations and payments, batch
// jobs), over the shared pieces of package core. Each use case is a single
// store transaction that loads what it needs, asks pkg/rules, writes, and
// appends its audit and outbox records. Both client transports and the HTTP
// server call it; no business rule lives above it.
package engine

import (
	"context"
	"time"

	"github.com/jgctl/jgctl/internal/engine/accounts"
	"github.com/jgctl/jgctl/internal/engine/batch"
	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/internal/engine/violations"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Config assembles an engine.
type Config struct {
	Store    store.Store
	Policy   rules.Policy
	Calendar rules.Calendar
	Codes    rules.CodeBook
	Gateway  gateway.Gateway
	// Now is the clock (default time.Now); tests and --now fix it.
	Now func() time.Time
	// Region is the 6-digit division code that starts the decision numbers
	// this platform issues (default 370100, Jinan).
	Region string
	// Claims hands out payment claims on decisions (default: in-process
	// locks, right for a store that one process owns).
	Claims core.Claimer
}

// The areas of the engine.
type (
	Accounts   = accounts.Service
	Violations = violations.Service
	Batch      = batch.Service
)

// Engine runs the use cases of every area: its methods are theirs.
type Engine struct {
	env *core.Env
	*Accounts
	*Violations
	*Batch
}

// New returns an engine over an open store.
func New(c Config) *Engine {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Gateway == nil {
		c.Gateway = gateway.NewSandbox(gateway.Approve)
	}
	if c.Region == "" {
		c.Region = "370100"
	}
	if c.Claims == nil {
		c.Claims = &core.LocalClaims{}
	}
	env := &core.Env{Store: c.Store, Policy: c.Policy, Calendar: c.Calendar, Codes: c.Codes, Gateway: c.Gateway, Clock: c.Now, Region: c.Region, Claims: c.Claims}
	return &Engine{env: env, Accounts: accounts.New(env), Violations: violations.New(env), Batch: batch.New(env)}
}

// Policy returns the policy in force.
func (e *Engine) Policy() rules.Policy { return e.env.Policy }

// Now returns the engine's clock (the fixed one in tests).
func (e *Engine) Now() time.Time { return e.env.Now() }

// Ready reports whether the store answers (for /readyz).
func (e *Engine) Ready(ctx context.Context) error {
	return e.env.Store.View(ctx, func(store.Tx) error { return nil })
}
