package rules

// Vehicle is a registered motor vehicle (imported by staff). The owner is a
// person (ID number) or a unit (unified social credit code).
type Vehicle struct {
	Plate         string    `json:"plate"`
	PlateType     PlateType `json:"plate_type"`
	OwnerIDNumber string    `json:"owner_id_number"`
	OwnerName     string    `json:"owner_name"`
	VIN           string    `json:"vin,omitempty"`
	RegisteredOn  Date      `json:"registered_on,omitzero"`
}
