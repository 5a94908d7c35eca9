// Package batch holds the back-office batch jobs: importing records,
// sweeping payments and lapsed handlings, and the outbox of text messages.
package batch

import (
	"context"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Service runs the batch jobs.
type Service struct{ *core.Env }

// New returns the batch jobs over env.
func New(env *core.Env) *Service { return &Service{env} }

// DefaultOutboxPage is how many notifications an outbox listing without a
// limit gives.
const DefaultOutboxPage = 100

// Outbox lists queued notifications (staff only).
func (s *Service) Outbox(ctx context.Context, a api.Actor, after uint64, limit int) ([]rules.Notification, error) {
	if err := core.RequireStaff(a); err != nil {
		return nil, err
	}
	limit, err := core.PageLimit(limit, DefaultOutboxPage)
	if err != nil {
		return nil, err
	}
	var out []rules.Notification
	err = s.Store.View(ctx, func(tx store.Tx) (err error) {
		out, err = tx.Outbox(after, limit)
		return err
	})
	if out == nil {
		out = []rules.Notification{}
	}
	return out, err
}
