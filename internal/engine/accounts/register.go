package accounts

import (
	"context"
	"strings"

	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

func requireName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > 64 {
		return "", rules.ErrNameRequired.WithField(field)
	}
	return s, nil
}

// RegisterPerson registers a person whose identity matches a licence
// record (ID number, name, file number) or a vehicle they own.
func (s *Service) RegisterPerson(_ context.Context, a api.Actor, r api.RegisterPersonRequest) (*rules.Person, error) {
	id, err := rules.ParseIDNumber(r.IDNumber, s.Today())
	if err != nil {
		return nil, err
	}
	name, err := requireName("name", r.Name)
	if err != nil {
		return nil, err
	}
	phone, err := rules.ParseMobile(r.Phone)
	if err != nil {
		return nil, err
	}
	var fileNo, plate string
	var pt rules.PlateType
	switch {
	case r.FileNo != "" && r.Plate != "":
		return nil, rules.ErrRegisterOneProof
	case r.FileNo != "":
		if fileNo, err = rules.ParseLicenceFileNo(r.FileNo); err != nil {
			return nil, err
		}
	case r.Plate != "":
		if pt, err = rules.ParsePlateType(r.PlateType); err != nil {
			return nil, err
		}
		if plate, err = rules.CheckPlate(r.Plate, pt); err != nil {
			return nil, err
		}
	default:
		return nil, rules.ErrRegisterProof
	}
	if r.Password != "" {
		if err := rules.CheckPassword(r.Password); err != nil {
			return nil, err
		}
	}
	// Open registration has no account yet: every caller but staff shares
	// one key namespace, so a key reused for another person is refused.
	scope := "register_person:anonymous"
	if a.IsStaff() {
		scope = core.KeyScope("register_person", a)
	}
	pw := r.Password
	// The fingerprint says whether a password came, never the password: a
	// replay's password is checked against the stored argon2id hash.
	r.Password = ""
	hash := core.RequestHash(struct {
		api.RegisterPersonRequest
		WithPassword bool
	}{r, pw != ""})
	if p, ok, err := s.registrationReplay(scope, r.IdempotencyKey, hash, pw); ok || err != nil {
		return p, err
	}
	var pwHash string
	if pw != "" {
		pwHash = hashPassword(pw) // slow on purpose: outside the transaction
	}
	var out *rules.Person
	replayed := false
	err = s.Store.Update(func(tx *store.Tx) error {
		if p, ok, err := core.Replay[rules.Person](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			out, replayed = p, ok
			return err
		}
		replayed = false
		p := &rules.Person{IDNumber: id.Number, Name: name, Phone: phone, RegisteredAt: s.Now()}
		if fileNo != "" {
			l, err := tx.Licence(id.Number)
			if err != nil {
				return err
			}
			if l == nil || l.FileNo != fileNo || l.Name != name {
				return rules.ErrIdentityMismatch.Withf("licence file number")
			}
			p.Via = "licence"
		} else {
			v, err := tx.Vehicle(plate, pt)
			if err != nil {
				return err
			}
			if v == nil || v.OwnerIDNumber != id.Number || v.OwnerName != name {
				return rules.ErrIdentityMismatch.Withf("vehicle owner")
			}
			p.Via = "vehicle"
		}
		if err := tx.InsertPerson(p); err != nil {
			return err
		}
		if pwHash != "" {
			if err := tx.SetPasswordHash(p.IDNumber, pwHash); err != nil {
				return err
			}
		}
		if err := s.Audit(tx, a, "register_person", id.Number, p.Via); err != nil {
			return err
		}
		if err := s.Notify(tx, phone, "register", "【交管】"+name+"，您已成功注册互联网交通安全综合服务管理平台。"); err != nil {
			return err
		}
		out = p
		return core.Remember(tx, scope, r.IdempotencyKey, hash, p)
	})
	if err == nil && replayed && !s.samePassword(out.IDNumber, pw) {
		return nil, rules.ErrIdempotencyReuse
	}
	return out, err
}

// registrationReplay answers a repeated registration from its stored
// response, if the key was used before, after checking that the password
// is the one registered then.
func (s *Service) registrationReplay(scope, key, hash, pw string) (*rules.Person, bool, error) {
	var p *rules.Person
	var ok bool
	err := s.Store.View(func(tx *store.Tx) (err error) {
		p, ok, err = core.Replay[rules.Person](tx, scope, key, hash)
		return err
	})
	if err != nil || !ok {
		return nil, false, err
	}
	if !s.samePassword(p.IDNumber, pw) {
		return nil, false, rules.ErrIdempotencyReuse
	}
	return p, true, nil
}

// samePassword reports whether pw is the person's registered password
// ("" when none was registered).
func (s *Service) samePassword(idNumber, pw string) bool {
	if pw == "" {
		return true // the fingerprint already says no password came either time
	}
	var stored string
	err := s.Store.View(func(tx *store.Tx) error {
		stored = tx.PasswordHash(idNumber)
		return nil
	})
	return err == nil && stored != "" && verifyPassword(pw, stored)
}

// RegisterUnit registers an organisation with its acting person.
func (s *Service) RegisterUnit(_ context.Context, a api.Actor, r api.RegisterUnitRequest) (*rules.Unit, error) {
	code, err := rules.ParseCreditCode(r.CreditCode)
	if err != nil {
		return nil, err
	}
	name, err := requireName("name", r.Name)
	if err != nil {
		return nil, err
	}
	agent, err := rules.ParseIDNumber(r.AgentIDNumber, s.Today())
	if err != nil {
		return nil, err.(*rules.Error).WithField("agent_id_number")
	}
	scope := core.KeyScope("register_unit", a)
	hash := core.RequestHash(r)
	var out *rules.Unit
	err = s.Store.Update(func(tx *store.Tx) error {
		if u, ok, err := core.Replay[rules.Unit](tx, scope, r.IdempotencyKey, hash); ok || err != nil {
			out = u
			return err
		}
		p, err := tx.Person(agent.Number)
		if err != nil {
			return err
		}
		if p == nil {
			return rules.ErrPersonNotFound.WithField("agent_id_number").Withf("the acting person must register first")
		}
		if !a.IsStaff() && (a.Role != api.RolePerson || a.IDNumber != agent.Number) {
			return rules.ErrNotOwner.Withf("only staff or the acting person may register the unit")
		}
		u := &rules.Unit{CreditCode: code, Name: name, AgentIDNumber: agent.Number, RegisteredAt: s.Now()}
		if err := tx.InsertUnit(u); err != nil {
			return err
		}
		if err := s.Audit(tx, a, "register_unit", code, name); err != nil {
			return err
		}
		out = u
		return core.Remember(tx, scope, r.IdempotencyKey, hash, u)
	})
	return out, err
}
