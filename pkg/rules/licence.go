package rules

// LicenceStatus is the state of a driving licence.
type LicenceStatus string

// Licence states.
const (
	LicenceNormal    LicenceStatus = "normal"
	LicenceExpired   LicenceStatus = "expired"
	LicenceDetained  LicenceStatus = "detained"
	LicenceSuspended LicenceStatus = "suspended"
	LicenceRevoked   LicenceStatus = "revoked"
	LicenceCancelled LicenceStatus = "cancelled"
)

// ParseLicenceStatus accepts the documented names; empty means normal.
func ParseLicenceStatus(s string) (LicenceStatus, error) {
	switch st := LicenceStatus(s); st {
	case LicenceNormal, LicenceExpired, LicenceDetained, LicenceSuspended, LicenceRevoked, LicenceCancelled:
		return st, nil
	case "":
		return LicenceNormal, nil
	}
	return "", ErrLicenceStatusUnknown
}

// Licence is a driving licence record (imported by staff).
type Licence struct {
	IDNumber      string        `json:"id_number"`
	Name          string        `json:"name"`
	FileNo        string        `json:"file_no"`
	Classes       string        `json:"classes"`
	FirstIssuedOn Date          `json:"first_issued_on"`
	ValidUntil    Date          `json:"valid_until,omitzero"`
	Status        LicenceStatus `json:"status"`
	Phone         string        `json:"phone,omitempty"`
}
