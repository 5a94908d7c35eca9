package violations

import (
	"context"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// ShowViolation shows one record with its late fee and amount due as of
// now. Staff see any record; a person only their own (ownRecord), else
// NOT_YOUR_RECORD. An unknown number is RECORD_NOT_FOUND for every caller:
// record numbers are printed on the notices and hide nothing.
func (s *Service) ShowViolation(ctx context.Context, a api.Actor, r api.ShowViolationRequest) (*api.ViolationView, error) {
	if !a.IsStaff() {
		if err := core.RequirePerson(a); err != nil {
			return nil, err
		}
	}
	if r.RecordNo == "" {
		return nil, rules.ErrRecordNoRequired
	}
	var out *api.ViolationView
	err := s.Store.View(ctx, func(tx store.Tx) error {
		v, err := tx.Violation(r.RecordNo)
		if err != nil {
			return err
		}
		if v == nil {
			return rules.ErrRecordNotFound.Withf("%s", r.RecordNo)
		}
		if !a.IsStaff() {
			if err := ownRecord(tx, a, v); err != nil {
				return err
			}
		}
		vv := s.view(*v, s.Now())
		out = &vv
		return nil
	})
	return out, err
}
