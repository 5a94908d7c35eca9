// Package server is the HTTP/JSON adapter over the engine (`jgctl serve`):
// it decodes a request, authenticates its bearer token, calls the use case
// and encodes the answer. No business rule lives here.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	Log                *slog.Logger
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
	if o.Log == nil {
		o.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	h := &Handler{e: e, o: o, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w = &jsonMuxErrors{ResponseWriter: w}
	if h.o.Metrics != nil {
		h.o.Metrics.Instrument(h.mux).ServeHTTP(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Errors of the router itself (no such route, wrong method).
var (
	errNoRoute  = &rules.Error{Code: "NOT_FOUND", Kind: rules.KindNotFound, ZH: "没有这个接口", EN: "no such route"}
	errNoMethod = &rules.Error{Code: "METHOD_NOT_ALLOWED", Kind: rules.KindInvalid, ZH: "该接口不支持此方法", EN: "this route does not take this method"}
)

// jsonMuxErrors turns ServeMux's plain-text 404 and 405 answers into the
// JSON error body every other error has.
type jsonMuxErrors struct {
	http.ResponseWriter
	swallow bool
}

func (w *jsonMuxErrors) WriteHeader(code int) {
	plain := strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain")
	if plain && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		e := errNoRoute
		if code == http.StatusMethodNotAllowed {
			e = errNoMethod
		}
		var b ErrorBody
		b.Error.Code, b.Error.Kind, b.Error.Message, b.Error.MessageZH = e.Code, e.Kind.String(), e.EN, e.ZH
		w.Header().Del("X-Content-Type-Options")
		writeJSON(w.ResponseWriter, code, b)
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

// Status maps an error kind to its HTTP status.
func Status(k rules.Kind) int {
	switch k {
	case rules.KindInvalid:
		return http.StatusBadRequest
	case rules.KindNotFound:
		return http.StatusNotFound
	case rules.KindForbidden:
		return http.StatusForbidden
	case rules.KindDenied:
		return http.StatusUnprocessableEntity
	case rules.KindConflict:
		return http.StatusConflict
	case rules.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON of every error answer.
type ErrorBody struct {
	Error struct {
		Code      string `json:"code"`
		Kind      string `json:"kind"`
		Field     string `json:"field,omitempty"`
		Message   string `json:"message"`
		MessageZH string `json:"message_zh,omitempty"`
	} `json:"error"`
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var re *rules.Error
	if !errors.As(err, &re) {
		h.o.Log.Error("internal error", "path", r.URL.Path, "err", err)
		re = &rules.Error{Code: "INTERNAL", Kind: rules.KindInternal, EN: "internal error", ZH: "内部错误"}
	}
	var b ErrorBody
	b.Error.Code, b.Error.Kind, b.Error.Field, b.Error.Message, b.Error.MessageZH = re.Code, re.Kind.String(), re.Field, re.EN, re.ZH
	status := Status(re.Kind)
	switch {
	case errors.Is(err, rules.ErrUnauthenticated):
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer realm="jgctl"`)
	case errors.Is(err, rules.ErrTooManyAttempts):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", "900")
	}
	writeJSON(w, status, b)
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

var errBadJSON = rules.Invalid("body", "BAD_JSON", "请求体不是合法的 JSON 或含有未知字段", "the body is not valid JSON for this request, or has unknown fields")

// decode reads a JSON body strictly: size-limited, no unknown fields, one value.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, h.o.MaxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return rules.Invalid("body", "BODY_TOO_LARGE", "请求体过大", fmt.Sprintf("the body is larger than %d bytes", mbe.Limit))
		}
		return errBadJSON.Withf("%v", err)
	}
	// Exactly one value: anything after it but whitespace is refused
	// (reading on also enforces the size limit on trailing padding).
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, new(*http.MaxBytesError)):
		return rules.Invalid("body", "BODY_TOO_LARGE", "请求体过大", fmt.Sprintf("the body is larger than %d bytes", h.o.MaxBody))
	default:
		return errBadJSON.Withf("more than one JSON value")
	}
}

// actor authenticates the request. A staff token may act as a person with
// the X-Jgctl-As header (the remote form of --as).
func (h *Handler) actor(r *http.Request) (api.Actor, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return api.Actor{}, rules.ErrUnauthenticated
	}
	a, err := h.e.Authenticate(r.Context(), tok)
	if err != nil {
		return a, err
	}
	if as := r.Header.Get("X-Jgctl-As"); as != "" {
		if !a.IsStaff() {
			return api.Actor{}, rules.ErrStaffOnly.Withf("only a staff token may act as another person")
		}
		a = api.Actor{Role: api.RolePerson, IDNumber: rules.NormalizeIDNumber(as)}
	}
	return a, nil
}

// idempotencyKey takes the key from the Idempotency-Key header.
func idempotencyKey(r *http.Request, m *api.Mutation) {
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		m.IdempotencyKey = k
	}
}

// call is the shape of most routes: authenticate, decode a body (if any),
// run, answer 200 with the result.
func route[Req, Resp any](h *Handler, auth bool, fn func(ctx context.Context, a api.Actor, r *http.Request, req *Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var a api.Actor
		if auth {
			var err error
			if a, err = h.actor(r); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		req := new(Req)
		if r.Method == http.MethodPost && r.ContentLength != 0 {
			if err := h.decode(w, r, req); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		resp, err := fn(r.Context(), a, r, req)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

func queryInt(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, rules.Invalid(name, "QUERY_VALUE", "查询参数必须是非负整数", name+" must be a whole number ≥ 0")
	}
	return n, nil
}
