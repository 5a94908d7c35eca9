// Package accounts holds the use cases of accounts and bindings: people
// and units registering, signing in and tokens, and binding vehicles and
// licences to a person.
package accounts

import "github.com/jgctl/jgctl/internal/engine/core"

// Service runs the account and binding use cases.
type Service struct {
	*core.Env
	failures *core.Throttle // failed logins per ID number
	tokens   tokenCache
}

// New returns the account use cases over env.
func New(env *core.Env) *Service {
	return &Service{Env: env, failures: core.NewThrottle(maxFailures, failureWindow), tokens: tokenCache{m: map[string]cachedToken{}}}
}
