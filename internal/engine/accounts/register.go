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
func (s *Service) RegisterPerson(ctx context.Context, a api.Actor, r api.RegisterPersonRequest) (*rules.Person, error) {
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
	scope := core.KeyScope("register_person", api.Actor{})
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
	if p, ok, err := s.registrationReplay(ctx, scope, r.IdempotencyKey, hash, pw); ok || err != nil {
		return p, err
	}
	var pwHash string
	if pw != "" {
		pwHash = hashPassword(pw) // slow on purpose: outside the transaction
	}
	out, replayed, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*rules.Person, error) {
		p := &rules.Person{IDNumber: id.Number, Name: name, Phone: phone, RegisteredAt: s.Now()}
		if fileNo != "" {
			l, err := tx.Licence(id.Number)
			if err != nil {
				return nil, err
			}
			if l == nil || l.FileNo != fileNo || l.Name != name {
				return nil, rules.ErrIdentityMismatch.Withf("licence file number")
			}
			p.Via = "licence"
		} else {
			v, err := tx.Vehicle(plate, pt)
			if err != nil {
				return nil, err
			}
			if v == nil || v.OwnerIDNumber != id.Number || v.OwnerName != name {
				return nil, rules.ErrIdentityMismatch.Withf("vehicle owner")
			}
			p.Via = "vehicle"
		}
		if err := tx.InsertPerson(p); err != nil {
			return nil, err
		}
		if pwHash != "" {
			if err := tx.SetPasswordHash(p.IDNumber, pwHash); err != nil {
				return nil, err
			}
		}
		if err := s.Audit(tx, a, "register_person", id.Number, p.Via); err != nil {
			return nil, err
		}
		if err := s.Notify(tx, phone, "register", "【交管】"+name+"，您已成功注册互联网交通安全综合服务管理平台。"); err != nil {
			return nil, err
		}
		return p, nil
	})
	if err == nil && replayed {
		if err := s.replayPassword(ctx, out.IDNumber, pw); err != nil {
			return nil, err
		}
	}
	return out, err
}

// registrationReplay answers a repeated registration from its stored
// response, if the key was used before, after checking that the password
// is the one registered then.
func (s *Service) registrationReplay(ctx context.Context, scope, key, hash, pw string) (*rules.Person, bool, error) {
	var p *rules.Person
	var ok bool
	err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		p, ok, err = core.Replay[rules.Person](tx, scope, key, hash)
		return err
	})
	if err != nil || !ok {
		return nil, false, err
	}
	if err := s.replayPassword(ctx, p.IDNumber, pw); err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// replayPassword checks that a repeated registration's password is the one
// registered ("" when none came either time: the fingerprint says so). A
// wrong one is another request under the key, and counts as a failed
// sign-in: the replay is no way round the login throttle.
func (s *Service) replayPassword(ctx context.Context, idNumber, pw string) error {
	if pw == "" {
		return nil
	}
	if !s.failures.Take(idNumber, s.Now()) {
		return rules.ErrTooManyAttempts
	}
	var stored string
	if err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		stored, err = tx.PasswordHash(idNumber)
		return err
	}); err != nil {
		return err
	}
	if stored == "" || !verifyPassword(pw, stored) {
		return rules.ErrIdempotencyReuse
	}
	s.failures.Reset(idNumber)
	return nil
}

// RegisterUnit registers an organisation with its acting person.
func (s *Service) RegisterUnit(ctx context.Context, a api.Actor, r api.RegisterUnitRequest) (*rules.Unit, error) {
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
	out, _, err := core.Keyed(ctx, s.Store, scope, r.IdempotencyKey, hash, func(tx store.Tx) (*rules.Unit, error) {
		p, err := tx.Person(agent.Number)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, rules.ErrPersonNotFound.WithField("agent_id_number").Withf("the acting person must register first")
		}
		if !a.IsStaff() && (a.Role != api.RolePerson || a.IDNumber != agent.Number) {
			return nil, rules.ErrNotOwner.Withf("only staff or the acting person may register the unit")
		}
		u := &rules.Unit{CreditCode: code, Name: name, AgentIDNumber: agent.Number, RegisteredAt: s.Now()}
		if err := tx.InsertUnit(u); err != nil {
			return nil, err
		}
		if err := s.Audit(tx, a, "register_unit", code, name); err != nil {
			return nil, err
		}
		return u, nil
	})
	return out, err
}
