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
func ownerContact(tx *store.Tx, owner string) (string, error) {
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
func controls(tx *store.Tx, idNumber, owner string) (bool, error) {
	if idNumber == owner {
		return true, nil
	}
	u, err := tx.Unit(owner)
	return u != nil && u.AgentIDNumber == idNumber, err
}

// controlsVehicle reports whether the person acts for the owner of a
// vehicle (false when the vehicle is unknown).
func controlsVehicle(tx *store.Tx, idNumber, plate string, pt rules.PlateType) (bool, error) {
	v, err := tx.Vehicle(plate, pt)
	if err != nil || v == nil {
		return false, err
	}
	return controls(tx, idNumber, v.OwnerIDNumber)
}

// BindVehicle binds a vehicle to the calling person: their own at once;
// another owner's as a request the owner approves, within the limits.
func (s *Service) BindVehicle(_ context.Context, a api.Actor, r api.BindVehicleRequest) (*api.BindResult, error) {
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
	var out *api.BindResult
	err = s.Store.Update(func(tx *store.Tx) error {
		if res, ok, err := core.Replay[api.BindResult](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			out = res
			return err
		}
		p, err := core.Registered(tx, a)
		if err != nil {
			return err
		}
		v, err := tx.Vehicle(plate, pt)
		if err != nil {
			return err
		}
		if v == nil {
			return rules.ErrVehicleNotFound.Withf("%s %s", plate, pt)
		}
		mine, err := tx.BindingsOf(p.IDNumber)
		if err != nil {
			return err
		}
		for _, b := range mine {
			if b.Kind == rules.BindVehicle && b.Plate == plate && b.PlateType == pt {
				return rules.ErrAlreadyBound.Withf("%s (%s)", b.ID, b.Status)
			}
		}
		id, err := tx.NextBindingID()
		if err != nil {
			return err
		}
		now := s.Now()
		b := rules.Binding{ID: id, IDNumber: p.IDNumber, Kind: rules.BindVehicle, Plate: plate, PlateType: pt, Status: rules.BindingActive, CreatedAt: now, ActiveFrom: now}
		own, err := controls(tx, p.IDNumber, v.OwnerIDNumber)
		if err != nil {
			return err
		}
		if own {
			b.Own = true
		} else {
			if err := s.Policy.CheckOtherPlateType(pt); err != nil {
				return err
			}
			b.Status, b.RequestID, b.ActiveFrom = rules.BindingPending, id, time.Time{}
			phone, err := ownerContact(tx, v.OwnerIDNumber)
			if err != nil {
				return err
			}
			if err := s.Notify(tx, phone, "bind_request",
				"【交管】"+p.Name+"申请备案驾驶您的机动车"+plate+"，申请编号"+id+"，同意请在平台确认。"); err != nil {
				return err
			}
		}
		// The store holds the limits on other owners' vehicles: counted
		// here in one serial transaction, a conditional update elsewhere.
		if err := tx.InsertBindingLimited(&b, s.Policy.MaxOtherVehicles, s.Policy.MaxOtherDrivers); err != nil {
			return err
		}
		if err := s.Audit(tx, a, "bind_vehicle", plate+" "+string(pt), b.Status); err != nil {
			return err
		}
		out = &api.BindResult{Binding: b}
		return core.Remember(tx, scope, r.IdempotencyKey, hash, out)
	})
	return out, err
}

// ApproveBinding lets the owner approve a pending request.
func (s *Service) ApproveBinding(_ context.Context, a api.Actor, r api.ApproveRequest) (*rules.Binding, error) {
	scope := core.KeyScope("approve_binding", a)
	hash := core.RequestHash(r.RequestID)
	var out *rules.Binding
	err := s.Store.Update(func(tx *store.Tx) error {
		if err := core.RequirePerson(a); err != nil {
			return err
		}
		if res, ok, err := core.Replay[rules.Binding](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			out = res
			return err
		}
		b, err := tx.Binding(r.RequestID)
		if err != nil {
			return err
		}
		if b == nil || b.RequestID == "" {
			return rules.ErrRequestNotFound.Withf("%s", r.RequestID)
		}
		owner, err := controlsVehicle(tx, a.IDNumber, b.Plate, b.PlateType)
		if err != nil {
			return err
		}
		if !owner {
			return rules.ErrNotOwner
		}
		if b.Status != rules.BindingActive { // approving twice is harmless
			b.Status, b.ActiveFrom = rules.BindingActive, s.Now()
			if err := tx.PutBinding(b); err != nil {
				return err
			}
			if err := s.Audit(tx, a, "approve_binding", b.ID, b.Plate); err != nil {
				return err
			}
			phone, err := core.PhoneOf(tx, b.IDNumber)
			if err != nil {
				return err
			}
			if err := s.Notify(tx, phone, "bind_approved", "【交管】机动车"+b.Plate+"的所有人已同意您的备案申请。"); err != nil {
				return err
			}
		}
		out = b
		return core.Remember(tx, scope, r.IdempotencyKey, hash, out)
	})
	return out, err
}

// BindLicence binds the caller's own licence.
func (s *Service) BindLicence(_ context.Context, a api.Actor, r api.BindLicenceRequest) (*rules.Binding, error) {
	scope := core.KeyScope("bind_licence", a)
	hash := core.RequestHash(r)
	var out *rules.Binding
	err := s.Store.Update(func(tx *store.Tx) error {
		if res, ok, err := core.Replay[rules.Binding](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			out = res
			return err
		}
		p, err := core.Registered(tx, a)
		if err != nil {
			return err
		}
		l, err := tx.Licence(p.IDNumber)
		if err != nil {
			return err
		}
		if l == nil {
			return rules.ErrLicenceNotFound.Withf("%s", p.IDNumber)
		}
		mine, err := tx.BindingsOf(p.IDNumber)
		if err != nil {
			return err
		}
		for _, b := range mine {
			if b.Kind == rules.BindLicence {
				return rules.ErrAlreadyBound.Withf("licence %s", b.ID)
			}
		}
		id, err := tx.NextBindingID()
		if err != nil {
			return err
		}
		now := s.Now()
		b := rules.Binding{ID: id, IDNumber: p.IDNumber, Kind: rules.BindLicence, Own: true, Status: rules.BindingActive, CreatedAt: now, ActiveFrom: now}
		if err := tx.PutBinding(&b); err != nil {
			return err
		}
		if err := s.Audit(tx, a, "bind_licence", p.IDNumber, l.FileNo); err != nil {
			return err
		}
		out = &b
		return core.Remember(tx, scope, r.IdempotencyKey, hash, out)
	})
	return out, err
}

// ListBindings lists the caller's bindings (staff: any person's). A person
// naming someone else is refused, never answered with their own.
func (s *Service) ListBindings(_ context.Context, a api.Actor, r api.ListBindingsRequest) ([]rules.Binding, error) {
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
	err := s.Store.View(func(tx *store.Tx) (err error) {
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
func (s *Service) RemoveBinding(_ context.Context, a api.Actor, r api.RemoveBindingRequest) error {
	scope := core.KeyScope("remove_binding", a)
	hash := core.RequestHash(r.BindingID)
	return s.Store.Update(func(tx *store.Tx) error {
		if _, ok, err := core.Replay[struct{}](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			return err
		}
		b, err := tx.Binding(r.BindingID)
		if err != nil {
			return err
		}
		if b == nil {
			return rules.ErrBindingNotFound.Withf("%s", r.BindingID)
		}
		if !a.IsStaff() && a.IDNumber != b.IDNumber {
			owner, err := controlsVehicle(tx, a.IDNumber, b.Plate, b.PlateType)
			if err != nil {
				return err
			}
			if !owner {
				return rules.ErrNotOwner.Withf("not your binding")
			}
		}
		if err := tx.DeleteBinding(b); err != nil {
			return err
		}
		if err := s.Audit(tx, a, "remove_binding", b.ID, b.Plate); err != nil {
			return err
		}
		return core.Remember(tx, scope, r.IdempotencyKey, hash, struct{}{})
	})
}
