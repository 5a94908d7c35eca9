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
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// httpTransport carries operations to a `jgctl serve` endpoint, each as
// its declaration says.
type httpTransport struct {
	base    *url.URL
	hc      *http.Client
	token   string
	as      string
	retries int
}

// Option configures New.
type Option func(*httpTransport) error

// WithToken authenticates every request with a bearer token.
func WithToken(t string) Option {
	return func(c *httpTransport) error {
		if strings.ContainsAny(t, " \r\n") {
			return errors.New("client: token contains spaces or newlines")
		}
		c.token = t
		return nil
	}
}

// WithHTTPClient uses hc (copied) instead of a client with a 30 s timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *httpTransport) error {
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
	return func(c *httpTransport) error {
		if n < 0 {
			return errors.New("client: negative retries")
		}
		c.retries = n
		return nil
	}
}

// ActingAs makes a staff token act as the person with this ID number.
func ActingAs(idNumber string) Option {
	return func(c *httpTransport) error { c.as = idNumber; return nil }
}

// ErrEndpointUnavailable: the endpoint could not be reached or kept failing.
var ErrEndpointUnavailable = rules.ErrEndpointUnavailable

// New returns a client of the endpoint, e.g. "https://jg.example.cn/".
func New(endpoint string, opts ...Option) (*Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: endpoint %q: want an http or https URL", endpoint)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c := &httpTransport{base: u, hc: &http.Client{Timeout: 30 * time.Second}, retries: 2}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return NewClient(c), nil
}

// Close implements Transport.
func (c *httpTransport) Close() error { c.hc.CloseIdleConnections(); return nil }

// request is one API call.
type request struct {
	method, path string
	query        url.Values
	body         []byte    // JSON, or
	stream       io.Reader // sent as is (never retried)
	ctype        string    // the stream's Content-Type
	key          string    // Idempotency-Key
	safe         bool      // retried without a key
}

// encoder lays a request out as its operation's declaration says.
type encoder struct {
	path, query []api.Field
	body        bool // the request has body fields
	key         []int
}

var encoders sync.Map // operation ID → *encoder

func encoderOf(op *api.OpInfo) *encoder {
	if e, ok := encoders.Load(op.ID); ok {
		return e.(*encoder)
	}
	e := &encoder{}
	for _, f := range api.Fields(op.Request) {
		switch {
		case f.In == api.InPath:
			e.path = append(e.path, f)
		case f.In == api.InQuery:
			e.query = append(e.query, f)
		default:
			e.body = op.Method != http.MethodGet && op.Method != http.MethodDelete
			if f.Name == "idempotency_key" && op.Idempotent {
				e.key = f.Index
			}
		}
	}
	encoders.Store(op.ID, e)
	return e
}

func (e *encoder) request(op *api.OpInfo, req any) (request, error) {
	v := reflect.ValueOf(req).Elem()
	path := op.Path
	for _, f := range e.path {
		path = strings.Replace(path, "{"+f.Name+"}", url.PathEscape(v.FieldByIndex(f.Index).String()), 1)
	}
	rq := request{method: op.Method, path: strings.TrimPrefix(path, "/"), safe: op.Safe || op.Method == http.MethodGet}
	if len(e.query) > 0 {
		rq.query = url.Values{}
		for _, f := range e.query {
			fv := v.FieldByIndex(f.Index)
			switch {
			case fv.Kind() == reflect.String && fv.String() != "":
				rq.query.Set(f.Name, fv.String())
			case fv.CanInt() && fv.Int() != 0:
				rq.query.Set(f.Name, strconv.FormatInt(fv.Int(), 10))
			}
		}
	}
	if e.key != nil {
		rq.key = v.FieldByIndex(e.key).String()
	}
	if e.body {
		var err error
		if rq.body, err = json.Marshal(req); err != nil {
			return rq, err
		}
	}
	return rq, nil
}

// Call implements Transport.
func (c *httpTransport) Call(ctx context.Context, op api.Operation, req, resp any) error {
	info := op.Info()
	rq, err := encoderOf(info).request(info, req)
	if err != nil {
		return err
	}
	return c.do(ctx, rq, resp, nil)
}

func (c *httpTransport) do(ctx context.Context, rq request, out any, partial **api.ImportResult) error {
	u := c.base.JoinPath(rq.path)
	u.RawQuery = rq.query.Encode()
	retryable := rq.stream == nil && (rq.safe || rq.key != "")
	for attempt := 0; ; attempt++ {
		var body io.Reader = rq.stream
		if rq.body != nil {
			body = bytes.NewReader(rq.body)
		}
		req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), body)
		if err != nil {
			return err
		}
		if rq.body != nil {
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
			retryErr = decodeError(resp, partial)
		default:
			defer resp.Body.Close()
			if resp.StatusCode >= 400 {
				return decodeError(resp, partial)
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
// so that errors.Is answers as with the embedded transport; an import's
// partial result goes to partial.
func decodeError(resp *http.Response, partial **api.ImportResult) error {
	defer resp.Body.Close()
	var b api.ErrorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(raw, &b); err != nil || b.Error.Code == "" {
		return ErrEndpointUnavailable.Withf("HTTP %d", resp.StatusCode)
	}
	if partial != nil {
		*partial = b.Result
	}
	e := b.Error
	kind := rules.ParseKind(e.Kind)
	if known, ok := rules.Lookup(e.Code); ok {
		kind = known.Kind
	}
	return &rules.Error{Code: e.Code, Kind: kind, Field: e.Field, EN: e.Message, ZH: e.MessageZH}
}

// Import implements Transport. Rejects arrive with the result (the first
// 1,000); onReject is called for each of them.
func (c *httpTransport) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	info := api.Import.Info()
	rq, err := encoderOf(info).request(info, &r)
	if err != nil {
		return nil, err
	}
	// Name the body's type: JSON Lines when asked for, or when it starts with '{'.
	br := bufio.NewReader(data)
	rq.stream, rq.ctype = br, "text/csv"
	if r.Format == api.FormatJSONL {
		rq.ctype = "application/x-ndjson"
	} else if r.Format == "" {
		if b, _ := br.Peek(64); len(bytes.TrimLeft(b, " \t\r\n")) > 0 && bytes.TrimLeft(b, " \t\r\n")[0] == '{' {
			rq.ctype = "application/x-ndjson"
		}
	}
	var res *api.ImportResult
	err = c.do(ctx, rq, &res, &res)
	if onReject != nil && res != nil {
		for _, rj := range res.Rejects {
			onReject(rj)
		}
	}
	return res, err
}
