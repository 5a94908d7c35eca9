package server

import (
	"fmt"
	"net/http"

	"github.com/jgctl/jgctl/internal/ops"
	"github.com/jgctl/jgctl/pkg/api"
)

// routes serves every declared operation: through its binding, or (for the
// few the table leaves to the server) by the handler named in special.
func (h *Handler) routes() {
	special := map[string]http.HandlerFunc{
		api.Import.Info().ID:           h.importData,
		api.BankNotification.Info().ID: h.notification,
		api.OpenAPI.Info().ID:          serveOpenAPI,
		api.Metrics.Info().ID:          h.metrics,
	}
	for _, op := range api.Operations() {
		info := op.Info()
		pattern := info.Method + " " + info.Path
		if b := ops.Lookup(info); b != nil {
			h.mux.HandleFunc(pattern, h.route(b))
			continue
		}
		fn, ok := special[info.ID]
		if !ok {
			panic(fmt.Sprintf("server: operation %s has neither a binding nor a handler", info.ID))
		}
		h.mux.HandleFunc(pattern, fn)
	}
}

// route serves one bound operation: authenticate (unless public), decode,
// run, answer 200 with the result.
func (h *Handler) route(b *ops.Binding) http.HandlerFunc {
	c := newCodec(b.Op)
	public := b.Op.Access == api.Public
	pay := b.Op.ID == api.Pay.Info().ID
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var a api.Actor
		if !public {
			var tok string
			var err error
			if a, tok, err = h.actor(r); err != nil {
				h.fail(w, r, err)
				return
			}
			ctx = ops.WithToken(ctx, tok)
		}
		req := b.New()
		if err := c.decode(h, w, r, req); err != nil {
			h.fail(w, r, err)
			return
		}
		resp, err := b.Run(ctx, h.e, a, req)
		if pay && h.o.Metrics != nil {
			h.o.Metrics.countPayment(resp, err)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

// importData streams the body into the import; a file that breaks partway
// answers the error together with what was committed.
func (h *Handler) importData(w http.ResponseWriter, r *http.Request) {
	a, _, err := h.actor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var req api.ImportRequest
	if err := importCodec.decode(h, w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.e.Import(r.Context(), a, req, http.MaxBytesReader(w, r.Body, h.o.MaxImport), nil)
	if h.o.Metrics != nil && res != nil {
		h.o.Metrics.countImport(req.Kind, res)
	}
	if err != nil {
		h.failWith(w, r, err, res)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

var importCodec = newCodec(api.Import.Info())

func (h *Handler) metrics(w http.ResponseWriter, r *http.Request) {
	if h.o.Metrics == nil {
		h.fail(w, r, errNoMetrics)
		return
	}
	h.o.Metrics.Handler().ServeHTTP(w, r)
}
