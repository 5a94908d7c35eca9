package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// HTTP is the transport to a `jgctl serve` endpoint.
type HTTP struct {
	base    *url.URL
	hc      *http.Client
	token   string
	as      string
	retries int
}

var _ Client = (*HTTP)(nil)

// Option configures New.
type Option func(*HTTP) error

// WithToken authenticates every request with a bearer token.
func WithToken(t string) Option {
	return func(c *HTTP) error {
		if strings.ContainsAny(t, " \r\n") {
			return errors.New("client: token contains spaces or newlines")
		}
		c.token = t
		return nil
	}
}

// WithHTTPClient uses hc (copied) instead of a client with a 30 s timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *HTTP) error {
		if hc == nil {
			return errors.New("client: nil http.Client")
		}
		cp := *hc
		c.hc = &cp
		return nil
	}
}

// WithRetries sets how often a safe or keyed request is retried (default 2).
func WithRetries(n int) Option {
	return func(c *HTTP) error {
		if n < 0 {
			return errors.New("client: negative retries")
		}
		c.retries = n
		return nil
	}
}

// ActingAs makes a staff token act as the person with this ID number.
func ActingAs(idNumber string) Option {
	return func(c *HTTP) error { c.as = idNumber; return nil }
}

// ErrEndpointUnavailable: the endpoint could not be reached or kept failing.
var ErrEndpointUnavailable = &rules.Error{Code: "ENDPOINT_UNAVAILABLE", Kind: rules.KindUnavailable, ZH: "无法连接服务端", EN: "the endpoint is unavailable"}

// New returns a client of the endpoint, e.g. "https://jg.example.cn/".
func New(endpoint string, opts ...Option) (*HTTP, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: endpoint %q: want an http or https URL", endpoint)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c := &HTTP{base: u, hc: &http.Client{Timeout: 30 * time.Second}, retries: 2}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Close implements Client.
func (c *HTTP) Close() error { c.hc.CloseIdleConnections(); return nil }

// request is one API call.
type request struct {
	method, path string
	query        url.Values
	body         any       // JSON-encoded, or
	stream       io.Reader // sent as is (never retried)
	ctype        string    // the stream's Content-Type
	key          string    // Idempotency-Key
}

func (c *HTTP) do(ctx context.Context, rq request, out any) error {
	var payload []byte
	if rq.body != nil {
		var err error
		if payload, err = json.Marshal(rq.body); err != nil {
			return err
		}
	}
	u := c.base.JoinPath(rq.path)
	u.RawQuery = rq.query.Encode()
	retryable := rq.stream == nil && (rq.method == http.MethodGet || rq.key != "")
	for attempt := 0; ; attempt++ {
		var body io.Reader = rq.stream
		if payload != nil {
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), body)
		if err != nil {
			return err
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if rq.ctype != "" {
			req.Header.Set("Content-Type", rq.ctype)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.as != "" {
			req.Header.Set("X-Jgctl-As", c.as)
		}
		if rq.key != "" {
			req.Header.Set("Idempotency-Key", rq.key)
		}
		resp, err := c.hc.Do(req)
		var retryErr error
		switch {
		case err != nil:
			retryErr = ErrEndpointUnavailable.Withf("%v", err)
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			retryErr = decodeError(resp)
		default:
			defer resp.Body.Close()
			if resp.StatusCode >= 400 {
				return decodeError(resp)
			}
			if out == nil {
				return nil
			}
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				return ErrEndpointUnavailable.Withf("bad response: %v", err)
			}
			return nil
		}
		if ctx.Err() != nil || !retryable || attempt >= c.retries {
			return retryErr
		}
		// Exponential backoff with full jitter, never past the context.
		wait := time.Duration(rand.Int64N(int64(100*time.Millisecond) << attempt))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return retryErr
		case <-t.C:
		}
	}
}

// decodeError turns an error answer into the *rules.Error the server sent,
// so that errors.Is answers as with the embedded transport.
func decodeError(resp *http.Response) error {
	defer resp.Body.Close()
	var b struct {
		Error struct {
			Code      string `json:"code"`
			Kind      string `json:"kind"`
			Field     string `json:"field"`
			Message   string `json:"message"`
			MessageZH string `json:"message_zh"`
		} `json:"error"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := json.Unmarshal(raw, &b); err != nil || b.Error.Code == "" {
		return ErrEndpointUnavailable.Withf("HTTP %d", resp.StatusCode)
	}
	e := b.Error
	return &rules.Error{Code: e.Code, Kind: rules.ParseKind(e.Kind), Field: e.Field, EN: e.Message, ZH: e.MessageZH}
}

func keyOf(m *api.Mutation) string { EnsureKey(m); return m.IdempotencyKey }

// Import implements Client. Rejects arrive with the result (the first
// 1,000); onReject is called for each of them.
func (c *HTTP) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	q := url.Values{}
	if r.Format != "" {
		q.Set("format", string(r.Format))
	}
	if r.ChunkSize > 0 {
		q.Set("chunk_size", strconv.Itoa(r.ChunkSize))
	}
	// Name the body's type: JSON Lines when asked for, or when it starts with '{'.
	br := bufio.NewReader(data)
	ctype := "text/csv"
	if r.Format == api.FormatJSONL {
		ctype = "application/x-ndjson"
	} else if r.Format == "" {
		if b, _ := br.Peek(64); len(bytes.TrimLeft(b, " \t\r\n")) > 0 && bytes.TrimLeft(b, " \t\r\n")[0] == '{' {
			ctype = "application/x-ndjson"
		}
	}
	var res api.ImportResult
	if err := c.do(ctx, request{method: http.MethodPost, path: "v1/imports/" + url.PathEscape(string(r.Kind)), query: q, stream: br, ctype: ctype}, &res); err != nil {
		return nil, err
	}
	if onReject != nil {
		for _, rj := range res.Rejects {
			onReject(rj)
		}
	}
	return &res, nil
}

func post[T any](c *HTTP, ctx context.Context, path string, body any, key string) (*T, error) {
	var out T
	if err := c.do(ctx, request{method: http.MethodPost, path: path, body: body, key: key}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RegisterPerson implements Client.
func (c *HTTP) RegisterPerson(ctx context.Context, r api.RegisterPersonRequest) (*rules.Person, error) {
	return post[rules.Person](c, ctx, "v1/persons", r, keyOf(&r.Mutation))
}

// RegisterUnit implements Client.
func (c *HTTP) RegisterUnit(ctx context.Context, r api.RegisterUnitRequest) (*rules.Unit, error) {
	return post[rules.Unit](c, ctx, "v1/units", r, keyOf(&r.Mutation))
}

// BindVehicle implements Client.
func (c *HTTP) BindVehicle(ctx context.Context, r api.BindVehicleRequest) (*api.BindResult, error) {
	return post[api.BindResult](c, ctx, "v1/bindings/vehicles", r, keyOf(&r.Mutation))
}

// ApproveBinding implements Client.
func (c *HTTP) ApproveBinding(ctx context.Context, r api.ApproveRequest) (*rules.Binding, error) {
	key := keyOf(&r.Mutation)
	return post[rules.Binding](c, ctx, "v1/bindings/"+url.PathEscape(r.RequestID)+"/approve", api.ApproveRequest{Mutation: r.Mutation}, key)
}

// BindLicence implements Client.
func (c *HTTP) BindLicence(ctx context.Context, r api.BindLicenceRequest) (*rules.Binding, error) {
	return post[rules.Binding](c, ctx, "v1/bindings/licence", r, keyOf(&r.Mutation))
}

// ListBindings implements Client.
func (c *HTTP) ListBindings(ctx context.Context, r api.ListBindingsRequest) ([]rules.Binding, error) {
	var out []rules.Binding
	q := url.Values{}
	if r.IDNumber != "" {
		q.Set("id_number", r.IDNumber)
	}
	return out, c.do(ctx, request{method: http.MethodGet, path: "v1/bindings", query: q}, &out)
}

// RemoveBinding implements Client.
func (c *HTTP) RemoveBinding(ctx context.Context, r api.RemoveBindingRequest) error {
	return c.do(ctx, request{method: http.MethodDelete, path: "v1/bindings/" + url.PathEscape(r.BindingID), key: keyOf(&r.Mutation)}, nil)
}

// ListViolations implements Client.
func (c *HTTP) ListViolations(ctx context.Context, r api.ListViolationsRequest) (*api.ViolationPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"plate": r.Plate, "plate_type": r.PlateType, "driver_id_number": r.Driver, "status": r.Status, "after": r.After} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if r.Limit > 0 {
		q.Set("limit", strconv.Itoa(r.Limit))
	}
	var out api.ViolationPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "v1/violations", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// HandleViolation implements Client.
func (c *HTTP) HandleViolation(ctx context.Context, r api.HandleRequest) (*api.HandleResult, error) {
	key := keyOf(&r.Mutation)
	return post[api.HandleResult](c, ctx, "v1/violations/"+url.PathEscape(r.RecordNo)+"/handle", api.HandleRequest{Mutation: r.Mutation}, key)
}

// Pay implements Client.
func (c *HTTP) Pay(ctx context.Context, r api.PayRequest) (*api.Receipt, error) {
	return post[api.Receipt](c, ctx, "v1/payments", r, keyOf(&r.Mutation))
}

// Reconcile implements Client (asking again changes nothing: safe to retry).
func (c *HTTP) Reconcile(ctx context.Context, r api.ReconcileRequest) (*api.ReconcileResult, error) {
	return post[api.ReconcileResult](c, ctx, "v1/payments/reconcile", r, NewIdempotencyKey())
}

// QuoteFine implements Client (a pure computation: safe to retry).
func (c *HTTP) QuoteFine(ctx context.Context, r api.QuoteRequest) (*rules.FeeQuote, error) {
	return post[rules.FeeQuote](c, ctx, "v1/fines/quote", r, NewIdempotencyKey())
}

// Sweep implements Client.
func (c *HTTP) Sweep(ctx context.Context) (*api.SweepResult, error) {
	return post[api.SweepResult](c, ctx, "v1/sweep", nil, "")
}

// Outbox implements Client.
func (c *HTTP) Outbox(ctx context.Context, after uint64, limit int) ([]rules.Notification, error) {
	q := url.Values{"after": {strconv.FormatUint(after, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out []rules.Notification
	return out, c.do(ctx, request{method: http.MethodGet, path: "v1/outbox", query: q}, &out)
}

// Login signs a person in and returns a token (use it with WithToken).
func (c *HTTP) Login(ctx context.Context, r api.LoginRequest) (*api.Token, error) {
	return post[api.Token](c, ctx, "v1/login", r, "")
}

// Logout revokes the client's token.
func (c *HTTP) Logout(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodPost, path: "v1/logout"}, nil)
}

// Whoami returns who the client's token acts as.
func (c *HTTP) Whoami(ctx context.Context) (*api.Actor, error) {
	var a api.Actor
	if err := c.do(ctx, request{method: http.MethodGet, path: "v1/whoami"}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// CreateToken issues a service-account token (staff or admin tokens only).
func (c *HTTP) CreateToken(ctx context.Context, r api.TokenRequest) (*api.Token, error) {
	return post[api.Token](c, ctx, "v1/tokens", r, "")
}
