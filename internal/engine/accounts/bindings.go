package accounts

import (
	"context"
	"time"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// ownerContact returns the phone of a vehicle owner (a person or a unit's
// acting person), or "".
func ownerContact(tx store.Tx, owner string) (string, error) {
	u, err := tx.Unit(owner)
	if err != nil {
		return "", err
	}
	if u != nil {
		owner = u.AgentIDNumber
	}
	return core.PhoneOf(tx, owner)
}

// controls reports whether the person acts for the owner: the owner
// themself, or the acting person of the owning unit.
func controls(tx store.Tx, idNumber, owner string) (bool, error) {
	if idNumber == owner {
		return true, nil
	}
	u, err := tx.Unit(owner)
	return u != nil && u.AgentIDNumber == idNumber, err
}

// controlsVehicle reports whether the person acts for the owner of a
// vehicle (false when the vehicle is unknown).
func controlsVehicle(tx store.Tx, idNumber, plate string, pt rules.PlateType) (bool, error) {
	v, err := tx.Vehicle(plate, pt)
	if err != nil || v == nil {
		return false, err
	}
	return controls(tx, idNumber, v.OwnerIDNumber)
}

// BindVehicle binds a vehicle to the calling person: their own at once;
// another owner's as a request the owner approves, within the limits.
func (s *Service) BindVehicle(ctx context.Context, a api.Actor, r api.BindVehicleRequest) (*api.BindResult, error) {
	pt, err := rules.ParsePlateType(r.PlateType)
	if err != nil {
		return nil, err
	}
	plate, err := rules.CheckPlate(r.Plate, pt)
	if err != nil {
		return nil, err
	}
	scope := core.KeyScope("bind_vehicle", a)
	hash := core.RequestHash(r)
	out, _, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*api.BindResult, error) {
		p, err := core.Registered(tx, a)
		if err != nil {
			return nil, err
		}
		v, err := tx.Vehicle(plate, pt)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, rules.ErrVehicleNotFound.Withf("%s %s", plate, pt)
		}
		mine, err := tx.BindingsOf(p.IDNumber)
		if err != nil {
			return nil, err
		}
		for _, b := range mine {
			if b.Kind == rules.BindVehicle && b.Plate == plate && b.PlateType == pt {
				return nil, rules.ErrAlreadyBound.Withf("%s (%s)", b.ID, b.Status)
			}
		}
		id, err := tx.NextBindingID()
		if err != nil {
			return nil, err
		}
		now := s.Now()
		b := rules.Binding{ID: id, IDNumber: p.IDNumber, Kind: rules.BindVehicle, Plate: plate, PlateType: pt, Status: rules.BindingActive, CreatedAt: now, ActiveFrom: now}
		own, err := controls(tx, p.IDNumber, v.OwnerIDNumber)
		if err != nil {
			return nil, err
		}
		if own {
			b.Own = true
		} else {
			if err := s.Policy.CheckOtherPlateType(pt); err != nil {
				return nil, err
			}
			b.Status, b.RequestID, b.ActiveFrom = rules.BindingPending, id, time.Time{}
			phone, err := ownerContact(tx, v.OwnerIDNumber)
			if err != nil {
				return nil, err
			}
			if err := s.Notify(tx, phone, "bind_request",
				"【交管】"+p.Name+"申请备案驾驶您的机动车"+plate+"，申请编号"+id+"，同意请在平台确认。"); err != nil {
				return nil, err
			}
		}
		// The store holds the limits on other owners' vehicles: counted
		// here in one serial transaction, a conditional update elsewhere.
		if err := tx.InsertBindingLimited(&b, s.Policy.MaxOtherVehicles, s.Policy.MaxOtherDrivers); err != nil {
			return nil, err
		}
		if err := s.Audit(tx, a, "bind_vehicle", plate+" "+string(pt), b.Status); err != nil {
			return nil, err
		}
		return &api.BindResult{Binding: b}, nil
	})
	return out, err
}

// ApproveBinding lets the owner approve a pending request.
func (s *Service) ApproveBinding(ctx context.Context, a api.Actor, r api.ApproveRequest) (*rules.Binding, error) {
	scope := core.KeyScope("approve_binding", a)
	hash := core.RequestHash(r.RequestID)
	out, _, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*rules.Binding, error) {
		if err := core.RequirePerson(a); err != nil {
			return nil, err
		}
		b, err := tx.Binding(r.RequestID)
		if err != nil {
			return nil, err
		}
		if b == nil || b.RequestID == "" {
			return nil, rules.ErrRequestNotFound.Withf("%s", r.RequestID)
		}
		owner, err := controlsVehicle(tx, a.IDNumber, b.Plate, b.PlateType)
		if err != nil {
			return nil, err
		}
		if !owner {
			return nil, rules.ErrNotOwner
		}
		if b.Status != rules.BindingActive { // approving twice is harmless
			b.Status, b.ActiveFrom = rules.BindingActive, s.Now()
			if err := tx.PutBinding(b); err != nil {
				return nil, err
			}
			if err := s.Audit(tx, a, "approve_binding", b.ID, b.Plate); err != nil {
				return nil, err
			}
			phone, err := core.PhoneOf(tx, b.IDNumber)
			if err != nil {
				return nil, err
			}
			if err := s.Notify(tx, phone, "bind_approved", "【交管】机动车"+b.Plate+"的所有人已同意您的备案申请。"); err != nil {
				return nil, err
			}
		}
		return b, nil
	})
	return out, err
}

// BindLicence binds the caller's own licence.
func (s *Service) BindLicence(ctx context.Context, a api.Actor, r api.BindLicenceRequest) (*rules.Binding, error) {
	scope := core.KeyScope("bind_licence", a)
	hash := core.RequestHash(r)
	out, _, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*rules.Binding, error) {
		p, err := core.Registered(tx, a)
		if err != nil {
			return nil, err
		}
		l, err := tx.Licence(p.IDNumber)
		if err != nil {
			return nil, err
		}
		if l == nil {
			return nil, rules.ErrLicenceNotFound.Withf("%s", p.IDNumber)
		}
		mine, err := tx.BindingsOf(p.IDNumber)
		if err != nil {
			return nil, err
		}
		for _, b := range mine {
			if b.Kind == rules.BindLicence {
				return nil, rules.ErrAlreadyBound.Withf("licence %s", b.ID)
			}
		}
		id, err := tx.NextBindingID()
		if err != nil {
			return nil, err
		}
		now := s.Now()
		b := rules.Binding{ID: id, IDNumber: p.IDNumber, Kind: rules.BindLicence, Own: true, Status: rules.BindingActive, CreatedAt: now, ActiveFrom: now}
		if err := tx.PutBinding(&b); err != nil {
			return nil, err
		}
		if err := s.Audit(tx, a, "bind_licence", p.IDNumber, l.FileNo); err != nil {
			return nil, err
		}
		return &b, nil
	})
	return out, err
}

// ListBindings lists the caller's bindings (staff: any person's). A person
// naming someone else is refused, never answered with their own.
func (s *Service) ListBindings(ctx context.Context, a api.Actor, r api.ListBindingsRequest) ([]rules.Binding, error) {
	who := a.IDNumber
	switch {
	case a.IsStaff():
		if r.IDNumber == "" {
			return nil, rules.ErrIDNumberRequired
		}
		who = rules.NormalizeIDNumber(r.IDNumber)
	case core.RequirePerson(a) != nil:
		return nil, core.RequirePerson(a)
	case r.IDNumber != "" && rules.NormalizeIDNumber(r.IDNumber) != a.IDNumber:
		return nil, rules.ErrNotYourBindings.WithField("id_number")
	}
	var out []rules.Binding
	err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		out, err = tx.BindingsOf(who)
		return err
	})
	if out == nil {
		out = []rules.Binding{}
	}
	return out, err
}

// RemoveBinding removes a binding: by the person bound, the vehicle's
// owner, or staff. A repeat with the same idempotency key answers as the
// first did, though the binding is gone.
func (s *Service) RemoveBinding(ctx context.Context, a api.Actor, r api.RemoveBindingRequest) error {
	scope := core.KeyScope("remove_binding", a)
	hash := core.RequestHash(r.BindingID)
	_, _, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*struct{}, error) {
		b, err := tx.Binding(r.BindingID)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, rules.ErrBindingNotFound.Withf("%s", r.BindingID)
		}
		if !a.IsStaff() && a.IDNumber != b.IDNumber {
			owner, err := controlsVehicle(tx, a.IDNumber, b.Plate, b.PlateType)
			if err != nil {
				return nil, err
			}
			if !owner {
				return nil, rules.ErrNotOwner.Withf("not your binding")
			}
		}
		if err := tx.DeleteBinding(b); err != nil {
			return nil, err
		}
		if err := s.Audit(tx, a, "remove_binding", b.ID, b.Plate); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	})
	return err
}
