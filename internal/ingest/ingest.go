// Package ingest reads import files as a stream of rows: CSV with a header
// line, or JSON Lines with one object per line. Each row comes with its
// line number, and its fields by column name, so every later error can
// name the line and the field.
package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Row is one input record.
type Row struct {
	Line   int
	fields []string // values, in the reader's column order
	cols   map[string]int
	// Err is set when the line itself could not be read (bad JSON, wrong
	// number of CSV fields); the fields are then empty.
	Err error
}

// Get returns the trimmed value of column name ("" if absent).
func (r *Row) Get(name string) string {
	i, ok := r.cols[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// Reader yields rows from a CSV or JSONL stream.
type Reader struct {
	next func() (Row, error)
}

// Format is the input format.
type Format string

// Formats; "" detects JSONL when the first non-space byte is '{'.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// MissingColumnsError names the required columns the header lacks.
type MissingColumnsError struct{ Columns []string }

func (e *MissingColumnsError) Error() string {
	return "missing required columns: " + strings.Join(e.Columns, ", ")
}

// NewReader starts reading r. required lists the columns a CSV header must
// have; JSONL objects are checked per line by the caller through Get.
func NewReader(r io.Reader, f Format, required []string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if f == "" {
		f = detect(br)
	}
	switch f {
	case CSV:
		return newCSV(br, required)
	case JSONL:
		return newJSONL(br), nil
	}
	return nil, fmt.Errorf("unknown format %q (csv or jsonl)", f)
}

// detect returns JSONL when the first byte after an optional UTF-8 BOM and
// any white space is '{', else CSV. It only peeks, so that no line (and no
// line number) is lost.
func detect(br *bufio.Reader) Format {
	i := 0
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		i = 3
	}
	for ; ; i++ {
		b, err := br.Peek(i + 1)
		if err != nil {
			return CSV
		}
		switch b[i] {
		case ' ', '\n', '\r', '\t':
			continue
		case '{':
			return JSONL
		}
		return CSV
	}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// Next returns the next row, or io.EOF at the end. A non-nil error other
// than io.EOF means the stream cannot be read further.
func (r *Reader) Next() (Row, error) { return r.next() }

func newCSV(br *bufio.Reader, required []string) (*Reader, error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = false
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: expected a header line")
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err) // blank lines may precede the header
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingColumnsError{missing}
	}
	return &Reader{next: func() (Row, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				return Row{Line: pe.StartLine, Err: fmt.Errorf("has %d fields, the header has %d", len(rec), len(header))}, nil
			}
			// A quoting error leaves the reader unable to find the next row.
			return Row{}, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
		}
		if err != nil {
			return Row{}, err
		}
		// FieldPos only after a successful Read: after a parse error in the
		// first field it has no position and panics.
		line, _ := cr.FieldPos(0)
		return Row{Line: line, fields: rec, cols: cols}, nil
	}}, nil
}

func newJSONL(br *bufio.Reader) *Reader {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		br.Discard(3)
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	return &Reader{next: func() (Row, error) {
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			return parseJSONLine(line, b), nil
		}
		if err := sc.Err(); err != nil {
			return Row{}, fmt.Errorf("line %d: %w", line+1, err)
		}
		return Row{}, io.EOF
	}}
}

func parseJSONLine(line int, b []byte) Row {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return Row{Line: line, Err: fmt.Errorf("not a JSON object: %v", err)}
	}
	if obj == nil { // the line is null, which Unmarshal accepts into a map
		return Row{Line: line, Err: fmt.Errorf("not a JSON object: %s", b)}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r := Row{Line: line, cols: make(map[string]int, len(obj)), fields: make([]string, 0, len(obj))}
	for _, k := range keys {
		v := obj[k]
		var s string
		switch {
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &s); err != nil {
				return Row{Line: line, Err: fmt.Errorf("field %s: %v", k, err)}
			}
		case string(v) == "null":
		case len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')):
			if _, err := strconv.ParseFloat(string(v), 64); err != nil {
				return Row{Line: line, Err: fmt.Errorf("field %s: bad number %s", k, v)}
			}
			s = string(v)
		default:
			return Row{Line: line, Err: fmt.Errorf("field %s: expected a string or number, got %s", k, v)}
		}
		r.cols[strings.ToLower(k)] = len(r.fields)
		r.fields = append(r.fields, s)
	}
	return r
}
