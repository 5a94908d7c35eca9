// Package engine holds jgctl's use cases. Each one is a single store
// transaction that loads what it needs, asks pkg/rules, writes, and
// appends its audit and outbox records. Both client transports and the
// HTTP server call it; no business rule lives above it.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Config assembles an engine.
type Config struct {
	Store    *store.Store
	Policy   rules.Policy
	Calendar rules.Calendar
	Codes    rules.CodeBook
	Gateway  gateway.Gateway
	// Now is the clock (default time.Now); tests and --now fix it.
	Now func() time.Time
	// Region is the 6-digit division code that starts the decision numbers
	// this platform issues (default 370100, Jinan).
	Region string
}

// Engine runs the use cases.
type Engine struct {
	st       *store.Store
	policy   rules.Policy
	cal      rules.Calendar
	codes    rules.CodeBook
	gw       gateway.Gateway
	now      func() time.Time
	region   string
	locks    keyLocks
	attempts attempts // failed logins per ID number
	misses   attempts // unknown decision numbers per caller (enumeration)
	tokens   tokenCache
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
	return &Engine{st: c.Store, policy: c.Policy, cal: c.Calendar, codes: c.Codes, gw: c.Gateway, now: c.Now, region: c.Region, locks: keyLocks{m: map[string]*keyLock{}}, attempts: newAttempts(maxFailures, failureWindow), misses: newAttempts(10, 10*time.Minute), tokens: tokenCache{m: map[string]cachedToken{}}}
}

// Policy returns the policy in force.
func (e *Engine) Policy() rules.Policy { return e.policy }

// lock serialises work on one decision or record within this process, so
// concurrent payers of one decision never both reach the gateway. Payers
// of different decisions never wait for each other.
func (e *Engine) lock(k string) func() { return e.locks.lock(k) }

type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	refs int
}

func (l *keyLocks) lock(k string) func() {
	l.mu.Lock()
	kl := l.m[k]
	if kl == nil {
		kl = &keyLock{}
		l.m[k] = kl
	}
	kl.refs++
	l.mu.Unlock()
	kl.Lock()
	return func() {
		kl.Unlock()
		l.mu.Lock()
		if kl.refs--; kl.refs == 0 {
			delete(l.m, k)
		}
		l.mu.Unlock()
	}
}

// today returns the current date in China time.
func (e *Engine) today() rules.Date { return rules.DateOf(e.now()) }

// requestHash fingerprints a request so that an idempotency key reused for
// a different request is refused.
func requestHash(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// keyScope is the namespace of a caller's idempotency keys for one kind of
// request: keys belong to the caller, never to the record or decision a
// request names, so a key reused for a different target is refused.
// Callers without an account (open registration) share one namespace.
func keyScope(op string, a api.Actor) string {
	if a.Role == "" {
		return op + ":anonymous"
	}
	return op + ":" + a.String()
}

// replay returns the stored response of an idempotent request, if any.
func replay[T any](tx *store.Tx, scope, key, hash string) (*T, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	raw, ok, err := tx.Idempotent(scope, key, hash)
	if !ok || err != nil {
		return nil, false, err
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false, err
	}
	return &out, true, nil
}

// remember stores the response of an idempotent request.
func remember(tx *store.Tx, scope, key, hash string, resp any) error {
	if key == "" {
		return nil
	}
	return tx.PutIdempotent(scope, key, hash, resp)
}

func (e *Engine) audit(tx *store.Tx, a api.Actor, action, subject, detail string) error {
	return tx.Audit(rules.AuditEntry{At: e.now(), Actor: a.String(), Action: action, Subject: subject, Detail: detail})
}

func (e *Engine) notify(tx *store.Tx, to, template, text string) error {
	if to == "" {
		return nil
	}
	return tx.Notify(rules.Notification{CreatedAt: e.now(), To: to, Template: template, Text: text})
}

func requirePerson(a api.Actor) error {
	if a.Role != api.RolePerson || a.IDNumber == "" {
		return rules.ErrPersonOnly
	}
	return nil
}

func requireStaff(a api.Actor) error {
	if !a.IsStaff() {
		return rules.ErrStaffOnly
	}
	return nil
}

// registered loads the acting person, who must be registered.
func registered(tx *store.Tx, a api.Actor) (*rules.Person, error) {
	if err := requirePerson(a); err != nil {
		return nil, err
	}
	p, err := tx.Person(a.IDNumber)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, rules.ErrPersonNotFound.Withf("%s", a.IDNumber)
	}
	return p, nil
}

// DefaultOutboxPage is how many notifications an outbox listing without a
// limit gives.
const DefaultOutboxPage = 100

// Outbox lists queued notifications (staff only).
func (e *Engine) Outbox(_ context.Context, a api.Actor, after uint64, limit int) ([]rules.Notification, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	limit, err := pageLimit(limit, DefaultOutboxPage)
	if err != nil {
		return nil, err
	}
	var out []rules.Notification
	err = e.st.View(func(tx *store.Tx) (err error) {
		out, err = tx.Outbox(after, limit)
		return err
	})
	if out == nil {
		out = []rules.Notification{}
	}
	return out, err
}

// Ready reports whether the store answers (for /readyz).
func (e *Engine) Ready(context.Context) error {
	return e.st.View(func(*store.Tx) error { return nil })
}

// Now returns the engine's clock (the fixed one in tests).
func (e *Engine) Now() time.Time { return e.now() }
