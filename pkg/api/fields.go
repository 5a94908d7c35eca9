package api

import (
	"reflect"
	"strconv"
	"strings"
)

// Where a request field travels.
const (
	InPath  = "path"
	InQuery = "query"
	InBody  = "body"
)

// Field is one JSON field of a request or answer type, as its tags
// describe it: the codec of the server and of the HTTP client, and the
// OpenAPI generator, all read the tags through Fields.
type Field struct {
	Name  string // the path or query name, else the JSON name
	JSON  string // the JSON name
	In    string // InPath, InQuery or InBody
	Index []int  // for reflect.Value.FieldByIndex
	Type  reflect.Type
	// Optional fields are omitted when empty (omitempty, omitzero).
	Optional bool
	// Required request fields must be present and not null (tag required).
	Required bool
	// Max bounds an integer (tag max); 0: no bound.
	Max int64
	// Doc describes the field (tag doc); Schema names the shared schema
	// that describes a plain string (tag schema); Code is the error code of
	// a malformed value (tag code).
	Doc, Schema, Code string
}

// Fields lists the fields of struct type t as encoding/json sees them
// (embedded structs flattened), each with where it travels.
func Fields(t reflect.Type) []Field {
	var out []Field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for _, sub := range Fields(f.Type) {
				sub.Index = append([]int{i}, sub.Index...)
				out = append(out, sub)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		fd := Field{Name: name, JSON: name, In: InBody, Index: []int{i}, Type: f.Type,
			Optional: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero"),
			Required: f.Tag.Get("required") == "true",
			Doc:      f.Tag.Get("doc"), Schema: f.Tag.Get("schema"), Code: f.Tag.Get("code")}
		if p := f.Tag.Get("path"); p != "" {
			fd.In, fd.Name = InPath, p
		} else if q := f.Tag.Get("query"); q != "" {
			fd.In, fd.Name = InQuery, q
		}
		if m := f.Tag.Get("max"); m != "" {
			fd.Max, _ = strconv.ParseInt(m, 10, 64)
		}
		out = append(out, fd)
	}
	return out
}
