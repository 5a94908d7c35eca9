package api

import "github.com/jgctl/jgctl/pkg/rules"

// BindVehicleRequest binds a vehicle to the calling person.
type BindVehicleRequest struct {
	Mutation
	Plate     string `json:"plate"`
	PlateType string `json:"plate_type" doc:"Plate type: a GA 24.7 code or its name."`
}

// BindResult is a binding; when the owner must approve, it is pending and
// RequestID names the request.
type BindResult struct {
	rules.Binding
}

// ApproveRequest approves a pending binding request (by the owner).
type ApproveRequest struct {
	Mutation
	RequestID string `json:"request_id" path:"id" doc:"The binding request ID (request_id of the pending binding)."`
}

// BindLicenceRequest binds the caller's own licence.
type BindLicenceRequest struct {
	Mutation
}

// RemoveBindingRequest removes one of the caller's bindings.
type RemoveBindingRequest struct {
	Mutation
	BindingID string `json:"binding_id" path:"id" doc:"The binding ID."`
}

// ListBindingsRequest lists bindings: the caller's, or (staff) a person's.
type ListBindingsRequest struct {
	IDNumber string `json:"id_number,omitempty" query:"id_number" doc:"Staff: the person whose bindings to list (required for staff, 400 ID_NUMBER_REQUIRED). A person always gets their own."`
}
