// Package server is the HTTP/JSON adapter over the engine (`jgctl serve`):
// it serves every operation declared in pkg/api through its binding in
// internal/ops — decode the request, authenticate its bearer token, call the
// use case, encode the answer. No business rule lives here.
package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// Options configure the handler.
type Options struct {
	// MaxBody bounds a JSON request body (default 1 MiB); imports may be
	// up to MaxImport (default 1 GiB).
	MaxBody, MaxImport int64
	// MaxHeader bounds the request line and headers together (default
	// 64 KiB): larger requests get 431 HEADER_TOO_LARGE in the JSON error
	// shape. Keep http.Server.MaxHeaderBytes above it (its default, 1 MiB,
	// is): past that net/http answers 431 itself, in plain text.
	MaxHeader int
	Log       *slog.Logger
	// Metrics, if set, are served at /metrics and fed by every request.
	Metrics *Metrics
	// NotifySecret is the HMAC key of the bank's payment notifications
	// (POST /v1/gateway/notifications); none: the endpoint refuses them.
	NotifySecret []byte
}

// Handler serves the /v1 API over an engine.
type Handler struct {
	e   *engine.Engine
	o   Options
	mux *http.ServeMux
}

// New returns the API handler.
func New(e *engine.Engine, o Options) *Handler {
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.MaxImport <= 0 {
		o.MaxImport = 1 << 30
	}
	if o.MaxHeader <= 0 {
		o.MaxHeader = 64 << 10
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	h := &Handler{e: e, o: o, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if headerSize(r) > h.o.MaxHeader {
		h.fail(w, r, rules.ErrHeaderTooLarge.Withf("more than %d bytes", h.o.MaxHeader))
		return
	}
	w = &jsonMuxErrors{ResponseWriter: w}
	if h.o.Metrics != nil {
		h.o.Metrics.Instrument(h.mux).ServeHTTP(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// headerSize is the size of the request line and headers as sent.
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// jsonMuxErrors turns ServeMux's plain-text 404 and 405 answers into the
// JSON error body every other error has.
type jsonMuxErrors struct {
	http.ResponseWriter
	swallow bool
}

func (w *jsonMuxErrors) WriteHeader(code int) {
	plain := strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain")
	if plain && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		e := rules.ErrRouteNotFound
		if code == http.StatusMethodNotAllowed {
			e = rules.ErrMethodNotAllowed
		}
		w.Header().Del("X-Content-Type-Options")
		writeJSON(w.ResponseWriter, code, errorBody(e, nil))
		w.swallow = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonMuxErrors) Write(p []byte) (int, error) {
	if w.swallow {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// ErrorBody is the JSON of every error answer.
type ErrorBody = api.ErrorBody

func errorBody(re *rules.Error, res *api.ImportResult) ErrorBody {
	return ErrorBody{Error: api.ErrorDetail{Code: re.Code, Kind: re.Kind.String(), Field: re.Field, Message: re.EN, MessageZH: re.ZH}, Result: res}
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) { h.failWith(w, r, err, nil) }

// failWith answers an error, with an import's partial result if any.
func (h *Handler) failWith(w http.ResponseWriter, r *http.Request, err error, res *api.ImportResult) {
	var re *rules.Error
	if !errors.As(err, &re) {
		h.o.Log.Error("internal error", "path", r.URL.Path, "err", err)
		re = rules.ErrInternal
	}
	switch {
	case errors.Is(re, rules.ErrUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="jgctl"`)
	case errors.Is(re, rules.ErrTooManyAttempts):
		w.Header().Set("Retry-After", "900")
	}
	writeJSON(w, re.HTTPStatus(), errorBody(re, res))
}

// appender is a value that writes its own JSON (the listings' fast path).
type appender interface{ AppendJSON([]byte) []byte }

// bodies recycles answer buffers: a listing's is several kilobytes, and
// net/http has copied it by the time Write returns.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var body []byte
	var written bool
	if a, ok := v.(appender); ok {
		buf := bodies.Get().(*[]byte)
		body = append(a.AppendJSON((*buf)[:0]), '\n')
		defer func() {
			// Kept only after a complete write (an HTTP/2 stream reset can
			// return while its frame writer still reads the body), and not
			// when a long staff page made it large.
			if written && cap(body) <= 64<<10 {
				*buf = body
				bodies.Put(buf)
			}
		}()
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		body = buf.Bytes()
	}
	// A known length lets net/http send the answer in one piece, not chunked.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	written = err == nil
}

// actor authenticates the request and returns its bearer token. A staff
// token may act as a registered person with the X-Jgctl-As header (the
// remote form of --as), which must be a valid ID number.
func (h *Handler) actor(r *http.Request) (api.Actor, string, error) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return api.Actor{}, "", rules.ErrUnauthenticated
	}
	a, err := h.e.Authenticate(r.Context(), tok)
	if err != nil {
		return a, tok, err
	}
	if as := r.Header.Get("X-Jgctl-As"); as != "" {
		if !a.IsStaff() {
			return api.Actor{}, tok, rules.ErrStaffOnly.Withf("only a staff token may act as another person")
		}
		id, err := rules.ParseIDNumber(as, rules.DateOf(h.e.Now()))
		if err != nil {
			return api.Actor{}, tok, rules.ErrActAs.WithField("X-Jgctl-As")
		}
		a = api.Actor{Role: api.RolePerson, IDNumber: id.Number}
	}
	return a, tok, nil
}
