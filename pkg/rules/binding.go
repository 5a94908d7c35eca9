package rules

import "time"

// Binding links a person to a vehicle or to their licence.
type Binding struct {
	ID        string    `json:"id"`
	IDNumber  string    `json:"id_number"`
	Kind      string    `json:"kind"` // "vehicle" or "licence"
	Plate     string    `json:"plate,omitempty"`
	PlateType PlateType `json:"plate_type,omitempty"`
	// Own is true when the person owns the vehicle.
	Own       bool      `json:"own"`
	Status    string    `json:"status"` // "active" or "pending" (awaiting the owner)
	RequestID string    `json:"request_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ActiveFrom is when the binding took effect (for another owner's
	// vehicle, the approval): records from then on are the person's.
	ActiveFrom time.Time `json:"active_from,omitzero"`
}

// Binding kinds and states.
const (
	BindVehicle    = "vehicle"
	BindLicence    = "licence"
	BindingActive  = "active"
	BindingPending = "pending"
)
