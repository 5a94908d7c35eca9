package core

import (
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// RequirePerson refuses callers that are not a person.
func RequirePerson(a api.Actor) error {
	if a.Role != api.RolePerson || a.IDNumber == "" {
		return rules.ErrPersonOnly
	}
	return nil
}

// RequireStaff refuses callers that are not back-office staff.
func RequireStaff(a api.Actor) error {
	if !a.IsStaff() {
		return rules.ErrStaffOnly
	}
	return nil
}

// Registered loads the acting person, who must be registered.
func Registered(tx store.Tx, a api.Actor) (*rules.Person, error) {
	if err := RequirePerson(a); err != nil {
		return nil, err
	}
	p, err := tx.Person(a.IDNumber)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, rules.ErrPersonNotFound.Withf("%s", a.IDNumber)
	}
	return p, nil
}

// PhoneOf returns a registered person's phone, or "".
func PhoneOf(tx store.Tx, idNumber string) (string, error) {
	p, err := tx.Person(idNumber)
	if err != nil || p == nil {
		return "", err
	}
	return p.Phone, nil
}
