package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// codec decodes the requests of one operation: worked out once from the
// request type's tags at registration, so a request costs no type walk.
type codec struct {
	path, query []param
	// body: the operation takes a JSON body (any method but GET and DELETE).
	body bool
	// fields are the body's fields by JSON name, names them in declaration
	// order; required are those that must be present and not null.
	fields          map[string]api.Field
	names, required []string
	// key is the index of Mutation.IdempotencyKey, nil if the request has none.
	key []int
}

// param is a path or query parameter.
type param struct {
	name  string
	index []int
	kind  reflect.Kind
}

func newCodec(op *api.OpInfo) *codec {
	c := &codec{body: op.Method != http.MethodGet && op.Method != http.MethodDelete && !op.Stream, fields: map[string]api.Field{}}
	for _, f := range api.Fields(op.Request) {
		switch p := (param{name: f.Name, index: f.Index, kind: f.Type.Kind()}); f.In {
		case api.InPath:
			c.path = append(c.path, p)
			c.fields[f.JSON] = f // the body may name it too (ignored)
		case api.InQuery:
			c.query = append(c.query, p)
		default:
			c.fields[f.Name] = f
			c.names = append(c.names, f.Name)
			if f.Required {
				c.required = append(c.required, f.Name)
			}
			if f.Name == "idempotency_key" && op.Idempotent {
				c.key = f.Index
			}
		}
	}
	return c
}

// decode fills req (a *Req) from the request's path, query, body and
// Idempotency-Key header.
func (c *codec) decode(h *Handler, w http.ResponseWriter, r *http.Request, req any) error {
	v := reflect.ValueOf(req).Elem()
	if c.body && r.ContentLength != 0 {
		if err := c.decodeBody(h, w, r, req); err != nil {
			return err
		}
	} else if len(c.required) > 0 {
		return rules.ErrFieldRequired.WithField(c.required[0])
	}
	for _, p := range c.path {
		v.FieldByIndex(p.index).SetString(r.PathValue(p.name))
	}
	if len(c.query) > 0 {
		q := r.URL.Query()
		for _, p := range c.query {
			if err := setParam(v.FieldByIndex(p.index), p, q.Get(p.name)); err != nil {
				return err
			}
		}
	}
	if c.key != nil {
		if k := r.Header.Get("Idempotency-Key"); k != "" {
			v.FieldByIndex(c.key).SetString(k)
		}
	}
	return nil
}

func setParam(f reflect.Value, p param, s string) error {
	if s == "" {
		return nil
	}
	switch p.kind {
	case reflect.String:
		f.SetString(s)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return rules.ErrQueryValue.WithField(p.name).Withf("%s must be a whole number ≥ 0", p.name)
		}
		f.SetInt(n)
	default:
		return fmt.Errorf("server: query parameter %s of kind %s", p.name, p.kind)
	}
	return nil
}

// decodeBody reads a JSON body strictly: a JSON media type, size-limited,
// one object, no unknown fields, required fields present and not null; a
// malformed value is refused with the code and field a flag of the CLI
// would get (FINE_FORMAT on fine, DATE_FORMAT on served_on, …).
func (c *codec) decodeBody(h *Handler, w http.ResponseWriter, r *http.Request, req any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return rules.ErrMediaType.WithField("Content-Type")
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxBody))
	if err != nil {
		return rules.ErrBodyTooLarge.WithField("body").Withf("more than %d bytes", h.o.MaxBody)
	}
	return c.unmarshal(raw, req)
}

// unmarshal decodes one JSON object into req.
func (c *codec) unmarshal(raw []byte, req any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var members map[string]json.RawMessage
	switch trimmed := bytes.TrimSpace(raw); {
	case !json.Valid(trimmed):
		if err := json.Unmarshal(trimmed, new(any)); err != nil && isTrailing(trimmed) {
			return rules.ErrBadJSON.WithField("body").Withf("more than one JSON value")
		}
		return rules.ErrBadJSON.WithField("body").Withf("not valid JSON")
	case len(trimmed) == 0 || trimmed[0] != '{':
		return rules.ErrBadJSON.WithField("body").Withf("want a JSON object")
	case json.Unmarshal(trimmed, &members) != nil:
		return rules.ErrBadJSON.WithField("body").Withf("want a JSON object")
	}
	for name := range members {
		if _, ok := c.fields[name]; !ok {
			return rules.ErrBadJSON.WithField(cmp.Or(name, "body")).Withf("unknown field %q", name)
		}
	}
	for _, name := range c.required {
		if m, ok := members[name]; !ok || string(bytes.TrimSpace(m)) == "null" {
			return rules.ErrFieldRequired.WithField(name)
		}
	}
	if err := dec.Decode(req); err != nil {
		return c.fieldError(members, err)
	}
	return nil
}

// isTrailing reports whether b starts with a complete JSON value followed
// by more than white space.
func isTrailing(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	return dec.Decode(&v) == nil
}

// fieldError names the field a decoding error concerns, in the user's
// terms: no Go type in the message.
func (c *codec) fieldError(members map[string]json.RawMessage, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		name := te.Field
		if name == "" {
			name = "body"
		}
		return rules.ErrBadJSON.WithField(name).Withf("want %s, got a JSON %s", jsonKind(te.Type), te.Value)
	}
	// A value refused by its type (money, a date): find which.
	for _, name := range c.names {
		m, ok := members[name]
		f := c.fields[name]
		if !ok || json.Unmarshal(m, reflect.New(f.Type).Interface()) == nil {
			continue
		}
		if code := formatError(f); code != nil {
			return code.WithField(name).Withf("%s", string(m))
		}
		return rules.ErrBadJSON.WithField(name).Withf("want %s", jsonKind(f.Type))
	}
	return rules.ErrBadJSON.WithField("body")
}

var (
	moneyType = reflect.TypeFor[rules.Money]()
	dateType  = reflect.TypeFor[rules.Date]()
)

// formatError is the error of a malformed value of f: the catalogue's
// entry its code tag names, or the one of its type (within arrays and
// objects too); nil if none.
func formatError(f api.Field) *rules.Error {
	if e, ok := rules.Lookup(f.Code); ok {
		return &e
	}
	t := f.Type
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == moneyType:
		return rules.ErrMoneyFormat
	case t == dateType:
		return rules.ErrDateFormat
	case t.Kind() == reflect.Struct:
		for _, sub := range api.Fields(t) {
			if e := formatError(sub); e != nil {
				return e
			}
		}
	}
	return nil
}

// jsonKind names what JSON a Go type takes.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		if t == moneyType || t == dateType || t.Implements(reflect.TypeFor[json.Unmarshaler]()) {
			return "a string"
		}
		return "an object"
	}
	return "a JSON value"
}
