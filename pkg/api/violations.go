package api

import (
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

// ListViolationsRequest filters violations. A person sees the records of
// their bound vehicles and licence; staff filter freely, but always
// through an index (plate, driver or status).
type ListViolationsRequest struct {
	Plate     string `json:"plate,omitempty" query:"plate" doc:"Plate (needs plate_type)."`
	PlateType string `json:"plate_type,omitempty" query:"plate_type" doc:"Plate type code or name; required with plate (400 PLATE_TYPE_REQUIRED)."`
	Driver    string `json:"driver_id_number,omitempty" query:"driver_id_number" doc:"Records whose decision was issued to this person."`
	Status    string `json:"status,omitempty" query:"status" schema:"ViolationStatus" doc:"Only records in this state."`
	After     string `json:"after,omitempty" query:"after" doc:"Page cursor: the next of the previous page."`
	Limit     int    `json:"limit,omitempty" query:"limit" max:"1000" doc:"Page size, at most 1,000 (0 or absent: 1,000)."`
}

// ShowViolationRequest names one violation record.
type ShowViolationRequest struct {
	RecordNo string `json:"record_no" path:"record_no" doc:"The record number."`
}

// ViolationView is a record as shown to a user: with the late fee and the
// amount due as of the query time.
type ViolationView struct {
	rules.Violation
	DueOn     rules.Date  `json:"due_on,omitzero"`
	LateFee   rules.Money `json:"late_fee"`
	AmountDue rules.Money `json:"amount_due"`
}

// ViolationPage is one page of a listing; Next is the cursor for the next
// page ("" at the end).
type ViolationPage struct {
	Items []ViolationView `json:"items"`
	Next  string          `json:"next,omitempty" doc:"The cursor of the next page (pass it as after); absent at the end."`
}

// HandleRequest starts the online handling of a camera record.
type HandleRequest struct {
	Mutation
	RecordNo string `json:"record_no" path:"record_no" doc:"The record number."`
}

// HandleResult is the pending decision and its payment order.
type HandleResult struct {
	OrderID      string      `json:"order_id"`
	RecordNo     string      `json:"record_no"`
	DecisionNo   string      `json:"decision_no"`
	Fine         rules.Money `json:"fine"`
	Points       int         `json:"points"`
	AmountDue    rules.Money `json:"amount_due"`
	PendingUntil time.Time   `json:"pending_until"`
}
