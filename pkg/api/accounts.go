package api

import "time"

// Role is what an actor may do.
type Role string

// Roles. Staff and admin run the back office; a person acts for themself;
// unit, hospital and bank accounts are service accounts of organisations.
const (
	RoleStaff    Role = "staff"
	RoleAdmin    Role = "admin"
	RolePerson   Role = "person"
	RoleUnit     Role = "unit"
	RoleHospital Role = "hospital"
	RoleBank     Role = "bank"
)

// Roles lists every role.
var Roles = []Role{RolePerson, RoleUnit, RoleHospital, RoleBank, RoleStaff, RoleAdmin}

// Actor is who is calling: back-office staff, a registered person (by ID
// number) or a service account (by name).
type Actor struct {
	Role     Role   `json:"role"`
	IDNumber string `json:"id_number,omitempty" doc:"ID number (身份证号码) of a person."`
	Name     string `json:"name,omitempty" doc:"Name of a service account (staff, admin, unit, hospital, bank)."`
}

// Staff is the back-office actor of the embedded store.
var Staff = Actor{Role: RoleStaff}

// IsStaff reports whether the actor runs the back office.
func (a Actor) IsStaff() bool { return a.Role == RoleStaff || a.Role == RoleAdmin }

// String names the actor for the audit log.
func (a Actor) String() string {
	switch {
	case a.Role == RolePerson:
		return "person:" + a.IDNumber
	case a.Name != "":
		return string(a.Role) + ":" + a.Name
	}
	return string(a.Role)
}

// LoginRequest signs a person in with their password.
type LoginRequest struct {
	IDNumber string `json:"id_number" doc:"The person's ID number."`
	Password string `json:"password" doc:"The password set at registration."`
}

// TokenRequest creates a service-account token (staff, admin, bank, …).
type TokenRequest struct {
	Role Role   `json:"role"`
	Name string `json:"name,omitempty" doc:"The account's name; for role person, the ID number. Required for every other role."`
	// TTL is how long the token lives, e.g. "720h" (default 90 days).
	TTL string `json:"ttl,omitempty" doc:"Lifetime as a Go duration, e.g. \"720h\" (default 2160h, 90 days)."`
}

// Token is a bearer token and who it acts as. The token itself is shown
// once, when issued; the store keeps only its hash.
type Token struct {
	Token     string    `json:"token" doc:"The bearer token (shown once, when issued)."`
	Actor     Actor     `json:"actor"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RegisterPersonRequest registers a person: identity proven by the licence
// file number, or by a plate the person owns.
type RegisterPersonRequest struct {
	Mutation
	IDNumber  string `json:"id_number"`
	Name      string `json:"name"`
	Phone     string `json:"phone" doc:"Mainland mobile number."`
	FileNo    string `json:"licence_file_no,omitempty" doc:"Proof of identity: the licence file number (档案编号). Give it or plate + plate_type."`
	Plate     string `json:"plate,omitempty" doc:"Proof of identity: the plate of a vehicle the person owns."`
	PlateType string `json:"plate_type,omitempty" doc:"Plate type: a GA 24.7 code (\"02\", or \"2\") or its name (\"小型汽车\", \"small car\")."`
	// Password, if set, lets the person sign in to a remote endpoint.
	Password string `json:"password,omitempty" doc:"If set, lets the person sign in (POST /v1/login): 8 to 128 characters with at least one letter and one digit."`
}

// RegisterUnitRequest registers an organisation.
type RegisterUnitRequest struct {
	Mutation
	CreditCode    string `json:"credit_code" doc:"Unified social credit code (统一社会信用代码)."`
	Name          string `json:"name"`
	AgentIDNumber string `json:"agent_id_number" doc:"ID number of the registered person acting for the unit."`
}
