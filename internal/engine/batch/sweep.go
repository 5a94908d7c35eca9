package batch

import (
	"context"
	"errors"
	"fmt"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Sweep is the batch job behind `jgctl sweep` (staff): it folds payments
// into their records and indexes, then returns every pending handling
// whose time is up to unhandled, in transactions of up to 10,000 records.
func (s *Service) Sweep(ctx context.Context, a api.Actor) (*api.SweepResult, error) {
	if err := core.RequireStaff(a); err != nil {
		return nil, err
	}
	const batch = 10000
	res := &api.SweepResult{}
	for {
		var n int
		err := s.Store.Update(ctx, func(tx store.Tx) (err error) {
			n, err = tx.Fold(batch)
			return err
		})
		res.Folded += n
		if err != nil {
			return res, err
		}
		if n < batch {
			break
		}
	}
	for {
		n, more := 0, false
		err := s.Store.Update(ctx, func(tx store.Tx) error {
			n = 0
			now := s.Now()
			rns, err := tx.ExpiredPending(now, batch)
			if err != nil {
				return err
			}
			more = len(rns) == batch
			for _, rn := range rns {
				old, err := tx.Violation(rn)
				if err != nil {
					return err
				}
				if old == nil {
					continue
				}
				v := *old
				if !v.Expire(now) {
					continue
				}
				if err := tx.PutViolation(&v, old); errors.Is(err, rules.ErrPendingElsewhere) {
					continue // paid or handled since it was listed
				} else if err != nil {
					return err
				}
				n++
			}
			if n > 0 {
				return s.Audit(tx, a, "expire_pending", "", fmt.Sprint(n))
			}
			return nil
		})
		res.Expired += n
		if err != nil || !more {
			return res, err
		}
	}
}
