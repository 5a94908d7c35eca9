// Package violations holds the use cases of violation records and their
// payment: listing with the late fee, online handling, paying a decision,
// and reconciling what the bank reports.
package violations

import (
	"time"

	"github.com/jgctl/jgctl/internal/engine/core"
)

// Service runs the violation and payment use cases.
type Service struct {
	*core.Env
	misses *core.Throttle // unknown decision numbers per caller (enumeration)
}

// claimTTL is how long a payer's claim on a decision lasts: longer than a
// gateway call and the write after it.
const claimTTL = 2 * time.Minute

// New returns the violation and payment use cases over env.
func New(env *core.Env) *Service {
	return &Service{Env: env, misses: core.NewThrottle(10, 10*time.Minute)}
}
