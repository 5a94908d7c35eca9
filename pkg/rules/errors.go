package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kind classifies an error so every layer (engine, HTTP, CLI exit codes)
// can treat it the same way.
type Kind uint8

// Error kinds. Their exit codes are documented in docs/exit-codes.md.
const (
	KindInternal    Kind = iota // anything unexpected (exit 1)
	KindInvalid                 // bad input: a field breaks a format rule (exit 2)
	KindNotFound                // the thing named does not exist (exit 3)
	KindForbidden               // the caller may not do this (exit 4)
	KindDenied                  // a business rule refuses it (exit 5)
	KindConflict                // it clashes with existing state (exit 5)
	KindUnavailable             // store locked, gateway or endpoint down (exit 6)
)

var kindNames = [...]string{"internal", "invalid", "not_found", "forbidden", "denied", "conflict", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// ParseKind is the inverse of Kind.String; unknown names give KindInternal.
func ParseKind(s string) Kind {
	for i, n := range kindNames {
		if n == s {
			return Kind(i)
		}
	}
	return KindInternal
}

// Error is every refusal jgctl gives: a stable machine code, the field it
// concerns (if any) and a message in Chinese and English. Two Errors match
// under errors.Is when their codes are equal, so the sentinels below work
// across transports.
type Error struct {
	Code  string `json:"code"`
	Kind  Kind   `json:"-"`
	Field string `json:"field,omitempty"`
	ZH    string `json:"message_zh"`
	EN    string `json:"message"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Field, e.EN, e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.EN, e.Code)
}

// Message returns the message in the given language ("zh" or "en").
func (e *Error) Message(lang string) string {
	if lang == "zh" && e.ZH != "" {
		return e.ZH
	}
	return e.EN
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// WithField returns a copy of e that names field.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// Withf returns a copy of e whose messages have detail appended.
func (e *Error) Withf(format string, args ...any) *Error {
	c := *e
	d := fmt.Sprintf(format, args...)
	c.EN += ": " + d
	c.ZH += "：" + d
	return &c
}

// catalogue holds every error jgctl defines, by code. It is filled while
// the package initialises (each newErr in a var declaration) and only read
// after that.
var catalogue = map[string]*Error{}

// newErr defines an error code: once, with its kind and its text in both
// languages. Defining a code twice is a programming error.
func newErr(kind Kind, code, zh, en string) *Error {
	if _, dup := catalogue[code]; dup {
		panic("rules: error code defined twice: " + code)
	}
	e := &Error{Code: code, Kind: kind, ZH: zh, EN: en}
	catalogue[code] = e
	return e
}

// Catalogue returns every error code jgctl can give, sorted by code.
func Catalogue() []Error {
	out := make([]Error, 0, len(catalogue))
	for _, e := range catalogue {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Error) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Lookup returns the catalogue entry of a code.
func Lookup(code string) (Error, bool) {
	e, ok := catalogue[code]
	if !ok {
		return Error{}, false
	}
	return *e, true
}

// ExitCode is the CLI exit status of an error of this kind.
func (k Kind) ExitCode() int {
	switch k {
	case KindInvalid:
		return 2
	case KindNotFound:
		return 3
	case KindForbidden:
		return 4
	case KindDenied, KindConflict:
		return 5
	case KindUnavailable:
		return 6
	}
	return 1
}

// HTTPStatus is the HTTP status of an error of this kind (a few codes refine
// it: see (*Error).HTTPStatus).
func (k Kind) HTTPStatus() int {
	switch k {
	case KindInvalid:
		return 400
	case KindNotFound:
		return 404
	case KindForbidden:
		return 403
	case KindDenied:
		return 422
	case KindConflict:
		return 409
	case KindUnavailable:
		return 503
	}
	return 500
}

// HTTPStatus is the HTTP status of the error: that of its kind, except
// UNAUTHENTICATED (401), METHOD_NOT_ALLOWED (405), UNSUPPORTED_MEDIA_TYPE
// (415), TOO_MANY_ATTEMPTS (429) and HEADER_TOO_LARGE (431).
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case "UNAUTHENTICATED":
		return 401
	case "TOO_MANY_ATTEMPTS":
		return 429
	case "METHOD_NOT_ALLOWED":
		return 405
	case "UNSUPPORTED_MEDIA_TYPE":
		return 415
	case "HEADER_TOO_LARGE":
		return 431
	}
	return e.Kind.HTTPStatus()
}

// WithDetail returns a copy of e whose messages have a detail appended in
// each language.
func (e *Error) WithDetail(zh, en string) *Error {
	c := *e
	c.ZH += "：" + zh
	c.EN += ": " + en
	return &c
}

// KindOf returns the kind of err: that of the *Error it wraps, else internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
