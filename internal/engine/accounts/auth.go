package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (RFC 9106) at the OWASP-recommended
// cost: 19 MiB, 2 passes, 1 lane; stored in the PHC string format.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func verifyPassword(pw, phc string) bool {
	var v, m, t, p int
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || p < 1 || p > 255 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, uint32(t), uint32(m), uint8(p), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Token lifetimes: a login lasts 12 hours; a created token lasts 90 days
// unless its role allows less, and never longer than its role's maximum
// (MaxTokenTTL).
const (
	loginTTL   = 12 * time.Hour
	serviceTTL = 90 * 24 * time.Hour
)

// MaxTokenTTL is the longest lifetime a created token of each role may
// have: people and administrators 30 days, staff 90 days, the service
// accounts of units, hospitals and banks a year.
var MaxTokenTTL = map[api.Role]time.Duration{
	api.RolePerson:   30 * 24 * time.Hour,
	api.RoleAdmin:    30 * 24 * time.Hour,
	api.RoleStaff:    90 * 24 * time.Hour,
	api.RoleUnit:     365 * 24 * time.Hour,
	api.RoleHospital: 365 * 24 * time.Hour,
	api.RoleBank:     365 * 24 * time.Hour,
}

// tokenTTL resolves a requested lifetime ("" = the default) for a role.
func tokenTTL(role api.Role, s string) (time.Duration, error) {
	max := MaxTokenTTL[role]
	if s == "" {
		return min(serviceTTL, max), nil
	}
	limit := fmt.Sprintf("%dh", int(max.Hours()))
	d, err := time.ParseDuration(s)
	if err != nil && strings.Trim(s, "0123456789") == "h" && len(s) > 1 {
		err, d = nil, max+time.Hour // too many hours to count: longer than any maximum
	}
	switch {
	case err != nil || d <= 0:
		return 0, rules.ErrTTLFormat.WithDetail(string(role)+" 角色最长 "+limit, "at most "+limit+" for role "+string(role))
	case d > max:
		return 0, rules.ErrTTLTooLong.WithField("ttl").Withf("at most %s for role %s, asked %s", limit, role, s)
	}
	return d, nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "jg_" + base64.RawURLEncoding.EncodeToString(b)
}

// issue stores a new token for the actor and returns it.
func (s *Service) issue(tx store.Tx, a api.Actor, ttl time.Duration) (*api.Token, error) {
	tok := newToken()
	now := s.Now()
	subject := a.Name
	if a.Role == api.RolePerson {
		subject = a.IDNumber
	}
	rec := &store.TokenRecord{Role: string(a.Role), Subject: subject, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.PutToken(tokenHash(tok), rec); err != nil {
		return nil, err
	}
	return &api.Token{Token: tok, Actor: a, ExpiresAt: rec.ExpiresAt}, nil
}

// CreateToken issues a service-account token (admin and back-office
// staff only; on the embedded store the caller is staff, which is how a
// deployment's first staff token is made). Only an admin may create admin
// tokens.
func (s *Service) CreateToken(ctx context.Context, a api.Actor, r api.TokenRequest) (*api.Token, error) {
	if !a.IsStaff() {
		return nil, rules.ErrStaffOnly
	}
	if !slices.Contains(api.Roles, r.Role) {
		return nil, rules.ErrRoleUnknown
	}
	if r.Role == api.RoleAdmin && a.Role != api.RoleAdmin && a != api.Staff {
		return nil, rules.ErrAdminOnly
	}
	ttl, err := tokenTTL(r.Role, r.TTL)
	if err != nil {
		return nil, err
	}
	actor := api.Actor{Role: r.Role, Name: r.Name}
	if r.Role == api.RolePerson {
		id, err := rules.ParseIDNumber(r.Name, s.Today())
		if err != nil {
			return nil, err.(*rules.Error).WithField("name")
		}
		actor = api.Actor{Role: api.RolePerson, IDNumber: id.Number}
	} else if r.Name == "" {
		return nil, rules.ErrNameRequired.Withf("a service account needs a name")
	}
	var out *api.Token
	err = s.Store.Update(ctx, func(tx store.Tx) (err error) {
		if out, err = s.issue(tx, actor, ttl); err != nil {
			return err
		}
		return s.Audit(tx, a, "create_token", actor.String(), string(r.Role))
	})
	return out, err
}

// Login checks a person's password and issues a token. Failed attempts
// are throttled per ID number.
func (s *Service) Login(ctx context.Context, r api.LoginRequest) (*api.Token, error) {
	id := rules.NormalizeIDNumber(r.IDNumber)
	// The attempt counts as a failure until the password checks out, so
	// concurrent guesses cannot slip past the limit while being verified.
	if !s.failures.Take(id, s.Now()) {
		return nil, rules.ErrTooManyAttempts
	}
	var hash string
	if err := s.Store.View(ctx, func(tx store.Tx) error { var err error; hash, err = tx.PasswordHash(id); return err }); err != nil {
		return nil, err
	}
	if hash == "" || !verifyPassword(r.Password, hash) {
		return nil, rules.ErrBadCredentials
	}
	s.failures.Reset(id)
	var out *api.Token
	err := s.Store.Update(ctx, func(tx store.Tx) (err error) {
		a := api.Actor{Role: api.RolePerson, IDNumber: id}
		if out, err = s.issue(tx, a, loginTTL); err != nil {
			return err
		}
		return s.Audit(tx, a, "login", id, "")
	})
	return out, err
}

// Authenticate returns the actor of a bearer token. Token records are
// cached for a few seconds (a revocation through this engine drops the
// entry at once).
func (s *Service) Authenticate(ctx context.Context, token string) (api.Actor, error) {
	h := tokenHash(token)
	rec, ok := s.tokens.get(string(h), s.Now())
	if !ok {
		err := s.Store.View(ctx, func(tx store.Tx) (err error) {
			rec, err = tx.Token(h)
			return err
		})
		if err != nil {
			return api.Actor{}, err
		}
		s.tokens.put(string(h), rec, s.Now())
	}
	if rec == nil || rec.Revoked || !s.Now().Before(rec.ExpiresAt) {
		return api.Actor{}, rules.ErrUnauthenticated
	}
	if api.Role(rec.Role) == api.RolePerson {
		return api.Actor{Role: api.RolePerson, IDNumber: rec.Subject}, nil
	}
	return api.Actor{Role: api.Role(rec.Role), Name: rec.Subject}, nil
}

// Whoami returns who the caller is. A person must be registered: acting as
// an unknown ID number is refused rather than answered.
func (s *Service) Whoami(ctx context.Context, a api.Actor) (*api.Actor, error) {
	if a.Role != api.RolePerson {
		return &a, nil
	}
	if err := s.Store.View(ctx, func(tx store.Tx) error { _, err := core.Registered(tx, a); return err }); err != nil {
		return nil, err
	}
	return &a, nil
}

// Logout revokes a token.
func (s *Service) Logout(ctx context.Context, token string) error {
	h := string(tokenHash(token))
	defer s.tokens.drop(h) // after the commit, so no reader re-caches the old record
	return s.Store.Update(ctx, func(tx store.Tx) error {
		h := tokenHash(token)
		rec, err := tx.Token(h)
		if err != nil {
			return err
		}
		if rec == nil {
			return rules.ErrUnauthenticated
		}
		rec.Revoked = true
		return tx.PutToken(h, rec)
	})
}

// Failed logins: five within fifteen minutes lock the ID number out.
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
)

// tokenCache keeps recently read token records (nil for unknown tokens)
// for tokenCacheTTL, so that each request does not read the store.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	rec  *store.TokenRecord
	read time.Time
}

const tokenCacheTTL = 5 * time.Second

func (c *tokenCache) get(h string, now time.Time) (*store.TokenRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[h]
	if !ok || now.Sub(t.read) > tokenCacheTTL || now.Before(t.read) {
		return nil, false
	}
	return t.rec, true
}

func (c *tokenCache) put(h string, rec *store.TokenRecord, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 100000 {
		clear(c.m) // bounded: forged tokens cannot grow it without limit
	}
	c.m[h] = cachedToken{rec, now}
}

func (c *tokenCache) drop(h string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, h)
}
