package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

type empty struct{}

func (h *Handler) routes() {
	e, m := h.e, h.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := e.Ready(r.Context()); err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})

	m.HandleFunc("GET /v1/openapi.json", h.openapi)
	if h.o.Metrics != nil {
		m.Handle("GET /metrics", h.o.Metrics.Handler())
	}

	m.HandleFunc("POST /v1/login", route(h, false, func(ctx context.Context, _ api.Actor, _ *http.Request, req *api.LoginRequest) (*api.Token, error) {
		return e.Login(ctx, *req)
	}))
	m.HandleFunc("POST /v1/logout", route(h, true, func(ctx context.Context, _ api.Actor, r *http.Request, _ *empty) (map[string]bool, error) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return map[string]bool{"logged_out": true}, e.Logout(ctx, tok)
	}))
	m.HandleFunc("GET /v1/whoami", route(h, true, func(_ context.Context, a api.Actor, _ *http.Request, _ *empty) (api.Actor, error) {
		return a, nil
	}))
	m.HandleFunc("POST /v1/tokens", route(h, true, func(ctx context.Context, a api.Actor, _ *http.Request, req *api.TokenRequest) (*api.Token, error) {
		return e.CreateToken(ctx, a, *req)
	}))

	m.HandleFunc("POST /v1/imports/{kind}", func(w http.ResponseWriter, r *http.Request) {
		a, err := h.actor(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		chunk, err := queryInt(r, "chunk_size")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		req := api.ImportRequest{Kind: api.ImportKind(r.PathValue("kind")), Format: api.ImportFormat(r.URL.Query().Get("format")), ChunkSize: chunk}
		body := http.MaxBytesReader(w, r.Body, h.o.MaxImport)
		res, err := e.Import(r.Context(), a, req, body, nil)
		if mt := h.o.Metrics; mt != nil && res != nil {
			k := string(req.Kind)
			mt.imported.WithLabelValues(k, "inserted").Add(float64(res.Inserted))
			mt.imported.WithLabelValues(k, "updated").Add(float64(res.Updated))
			mt.imported.WithLabelValues(k, "duplicate").Add(float64(res.Duplicates))
			mt.imported.WithLabelValues(k, "rejected").Add(float64(res.Rejected))
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})

	// Registration is open: a citizen has no token yet.
	m.HandleFunc("POST /v1/persons", route(h, false, func(ctx context.Context, _ api.Actor, r *http.Request, req *api.RegisterPersonRequest) (*rules.Person, error) {
		idempotencyKey(r, &req.Mutation)
		return e.RegisterPerson(ctx, api.Actor{Role: api.RolePerson, IDNumber: rules.NormalizeIDNumber(req.IDNumber)}, *req)
	}))
	m.HandleFunc("POST /v1/units", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, req *api.RegisterUnitRequest) (*rules.Unit, error) {
		idempotencyKey(r, &req.Mutation)
		return e.RegisterUnit(ctx, a, *req)
	}))

	m.HandleFunc("POST /v1/bindings/vehicles", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, req *api.BindVehicleRequest) (*api.BindResult, error) {
		idempotencyKey(r, &req.Mutation)
		return e.BindVehicle(ctx, a, *req)
	}))
	m.HandleFunc("POST /v1/bindings/licence", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, req *api.BindLicenceRequest) (*rules.Binding, error) {
		idempotencyKey(r, &req.Mutation)
		return e.BindLicence(ctx, a, *req)
	}))
	m.HandleFunc("POST /v1/bindings/{id}/approve", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, req *api.ApproveRequest) (*rules.Binding, error) {
		idempotencyKey(r, &req.Mutation)
		req.RequestID = r.PathValue("id")
		return e.ApproveBinding(ctx, a, *req)
	}))
	m.HandleFunc("GET /v1/bindings", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, _ *empty) ([]rules.Binding, error) {
		return e.ListBindings(ctx, a, api.ListBindingsRequest{IDNumber: r.URL.Query().Get("id_number")})
	}))
	m.HandleFunc("DELETE /v1/bindings/{id}", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, _ *empty) (map[string]string, error) {
		req := api.RemoveBindingRequest{BindingID: r.PathValue("id")}
		idempotencyKey(r, &req.Mutation)
		return map[string]string{"removed": req.BindingID}, e.RemoveBinding(ctx, a, req)
	}))

	m.HandleFunc("GET /v1/violations", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, _ *empty) (*api.ViolationPage, error) {
		q := r.URL.Query()
		limit, err := queryInt(r, "limit")
		if err != nil {
			return nil, err
		}
		return e.ListViolations(ctx, a, api.ListViolationsRequest{Plate: q.Get("plate"), PlateType: q.Get("plate_type"),
			Driver: q.Get("driver_id_number"), Status: q.Get("status"), After: q.Get("after"), Limit: limit})
	}))
	m.HandleFunc("POST /v1/violations/{record_no}/handle", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, req *api.HandleRequest) (*api.HandleResult, error) {
		idempotencyKey(r, &req.Mutation)
		req.RecordNo = r.PathValue("record_no")
		return e.HandleViolation(ctx, a, *req)
	}))
	m.HandleFunc("POST /v1/payments", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, req *api.PayRequest) (*api.Receipt, error) {
		idempotencyKey(r, &req.Mutation)
		rec, err := e.Pay(ctx, a, *req)
		if mt := h.o.Metrics; mt != nil {
			outcome := "paid"
			switch {
			case err != nil:
				outcome = "refused"
			case rec.Replayed:
				outcome = "replayed"
			}
			mt.payments.WithLabelValues(outcome).Inc()
		}
		return rec, err
	}))
	m.HandleFunc("POST /v1/payments/reconcile", route(h, true, func(ctx context.Context, a api.Actor, _ *http.Request, req *api.ReconcileRequest) (*api.ReconcileResult, error) {
		return e.Reconcile(ctx, a, req.OrderID)
	}))
	m.HandleFunc("POST /v1/gateway/notifications", h.notification)
	m.HandleFunc("POST /v1/fines/quote", route(h, true, func(ctx context.Context, _ api.Actor, _ *http.Request, req *api.QuoteRequest) (*rules.FeeQuote, error) {
		return e.QuoteFine(ctx, *req)
	}))
	m.HandleFunc("POST /v1/sweep", route(h, true, func(ctx context.Context, a api.Actor, _ *http.Request, _ *empty) (*api.SweepResult, error) {
		return e.Sweep(ctx, a)
	}))
	m.HandleFunc("GET /v1/outbox", route(h, true, func(ctx context.Context, a api.Actor, r *http.Request, _ *empty) ([]rules.Notification, error) {
		after, err := queryInt(r, "after")
		if err != nil {
			return nil, err
		}
		limit, err := queryInt(r, "limit")
		if err != nil {
			return nil, err
		}
		return e.Outbox(ctx, a, uint64(after), limit)
	}))
}
