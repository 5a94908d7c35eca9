package client

import (
	"context"
	"io"
	"iter"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// AccountsService signs in and out, issues tokens and registers persons
// and units.
type AccountsService service

// Login signs a person in and returns a token (use it with WithToken).
func (s *AccountsService) Login(ctx context.Context, r api.LoginRequest) (*api.Token, error) {
	return call(ctx, s.t, api.Login, r)
}

// Logout revokes the client's token (embedded: there is none, 401).
func (s *AccountsService) Logout(ctx context.Context) error {
	_, err := call(ctx, s.t, api.Logout, api.NoBody{})
	return err
}

// Whoami returns who the client acts as.
func (s *AccountsService) Whoami(ctx context.Context) (*api.Actor, error) {
	return call(ctx, s.t, api.Whoami, api.NoBody{})
}

// CreateToken issues a service-account token (staff or admin only; the
// embedded staff makes a deployment's first token this way).
func (s *AccountsService) CreateToken(ctx context.Context, r api.TokenRequest) (*api.Token, error) {
	return call(ctx, s.t, api.CreateToken, r)
}

// RegisterPerson registers a person.
func (s *AccountsService) RegisterPerson(ctx context.Context, r api.RegisterPersonRequest) (*rules.Person, error) {
	return call(ctx, s.t, api.RegisterPerson, r)
}

// RegisterUnit registers an organisation.
func (s *AccountsService) RegisterUnit(ctx context.Context, r api.RegisterUnitRequest) (*rules.Unit, error) {
	return call(ctx, s.t, api.RegisterUnit, r)
}

// BindingsService binds vehicles and licences to persons.
type BindingsService service

// BindVehicle binds a vehicle to the calling person (pending when another
// owner must approve).
func (s *BindingsService) BindVehicle(ctx context.Context, r api.BindVehicleRequest) (*api.BindResult, error) {
	return call(ctx, s.t, api.BindVehicle, r)
}

// BindLicence binds the caller's own licence.
func (s *BindingsService) BindLicence(ctx context.Context, r api.BindLicenceRequest) (*rules.Binding, error) {
	return call(ctx, s.t, api.BindLicence, r)
}

// Approve approves a pending binding request (by the vehicle's owner).
func (s *BindingsService) Approve(ctx context.Context, r api.ApproveRequest) (*rules.Binding, error) {
	return call(ctx, s.t, api.ApproveBinding, r)
}

// List lists the caller's bindings, or (staff) a person's.
func (s *BindingsService) List(ctx context.Context, r api.ListBindingsRequest) ([]rules.Binding, error) {
	return call(ctx, s.t, api.ListBindings, r)
}

// Remove removes a binding.
func (s *BindingsService) Remove(ctx context.Context, r api.RemoveBindingRequest) error {
	_, err := call(ctx, s.t, api.RemoveBinding, r)
	return err
}

// ViolationsService lists and handles violation records.
type ViolationsService service

// List returns one page of records (at most api.MaxPageSize).
func (s *ViolationsService) List(ctx context.Context, r api.ListViolationsRequest) (*api.ViolationPage, error) {
	return call(ctx, s.t, api.ListViolations, r)
}

// All iterates over every record of a listing, page by page.
func (s *ViolationsService) All(ctx context.Context, r api.ListViolationsRequest) iter.Seq2[api.ViolationView, error] {
	return pages(func() ([]api.ViolationView, bool, error) {
		page, err := s.List(ctx, r)
		if err != nil {
			return nil, false, err
		}
		r.After = page.Next
		return page.Items, page.Next != "", nil
	})
}

// Handle starts the online handling of a camera record.
func (s *ViolationsService) Handle(ctx context.Context, r api.HandleRequest) (*api.HandleResult, error) {
	return call(ctx, s.t, api.HandleViolation, r)
}

// PaymentsService pays decisions and reconciles gateway orders.
type PaymentsService service

// Pay pays a decision (anyone) or one of the caller's records.
func (s *PaymentsService) Pay(ctx context.Context, r api.PayRequest) (*api.Receipt, error) {
	return call(ctx, s.t, api.Pay, r)
}

// Reconcile asks the gateway what became of an order and records a payment
// the bank took but the platform never heard of (staff, bank).
func (s *PaymentsService) Reconcile(ctx context.Context, r api.ReconcileRequest) (*api.ReconcileResult, error) {
	return call(ctx, s.t, api.Reconcile, r)
}

// FinesService computes fines.
type FinesService service

// Quote computes the late fee and amount due of a fine.
func (s *FinesService) Quote(ctx context.Context, r api.QuoteRequest) (*rules.FeeQuote, error) {
	return call(ctx, s.t, api.QuoteFine, r)
}

// ImportsService imports files (staff).
type ImportsService service

// Import streams a licence, vehicle or violation file. onReject, if not
// nil, is called for every rejected row (over HTTP: the first 1,000). A
// file that breaks partway returns what was committed with the error.
func (s *ImportsService) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	return s.t.Import(ctx, r, data, onReject)
}

// JobsService runs the back office's batch jobs (staff).
type JobsService service

// Sweep folds payments into their records and returns expired online
// handlings to unhandled (the batch job behind `jgctl sweep`).
func (s *JobsService) Sweep(ctx context.Context) (*api.SweepResult, error) {
	return call(ctx, s.t, api.Sweep, api.NoBody{})
}

// OutboxService reads the queued notifications (staff).
type OutboxService service

// List returns the notifications after sequence number r.After.
func (s *OutboxService) List(ctx context.Context, r api.OutboxRequest) ([]rules.Notification, error) {
	return call(ctx, s.t, api.Outbox, r)
}

// All iterates over every notification after r.After, r.Limit a page
// (default api.DefaultPageSize).
func (s *OutboxService) All(ctx context.Context, r api.OutboxRequest) iter.Seq2[rules.Notification, error] {
	if r.Limit <= 0 {
		r.Limit = api.DefaultPageSize
	}
	return pages(func() ([]rules.Notification, bool, error) {
		ns, err := s.List(ctx, r)
		if err != nil || len(ns) == 0 {
			return ns, false, err
		}
		r.After = int64(ns[len(ns)-1].Seq)
		return ns, len(ns) == r.Limit, nil
	})
}
