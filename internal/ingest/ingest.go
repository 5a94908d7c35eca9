// Package ingest reads import files as a stream of rows: CSV with a header
// line, or JSON Lines with one object per line. Each row comes with its
// line number, and its fields by column name, so every later error can
// name the line and the field. Every error is a *rules.Error in the
// user's terms: a row error rejects that row, a *FileError ends the file.
package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jgctl/jgctl/pkg/rules"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Limits, the same for both formats (docs/import-formats.md).
const (
	MaxRow   = 1 << 20  // bytes in one row: a CSV record or a JSON line, without its line ending
	MaxField = 64 << 10 // bytes in one value, after decoding
)

// Row is one input record.
type Row struct {
	Line   int
	fields []string // values, in the reader's column order
	cols   map[string]int
	// Err is set when the row itself could not be read (bad JSON, wrong
	// number of CSV fields, bad text, an over-long value); the fields are
	// then empty. It is a *rules.Error, naming the field when there is one.
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

// Encoding is the text encoding of the input.
type Encoding string

// Encodings. GBK input is decoded as GB18030, its superset.
const (
	UTF8 Encoding = "utf-8"
	GBK  Encoding = "gbk"
)

// ParseEncoding accepts "" and "utf-8" (or "utf8"), and "gbk" (or
// "gb18030"), in any case.
func ParseEncoding(s string) (Encoding, bool) {
	switch strings.ToLower(s) {
	case "", "utf-8", "utf8":
		return UTF8, true
	case "gbk", "gb18030":
		return GBK, true
	}
	return "", false
}

// badString reports whether a decoded value is not valid text: invalid
// UTF-8, or for GBK input a byte the decoder had to replace.
func (e Encoding) badString(s string) bool {
	if e == GBK {
		return strings.ContainsRune(s, utf8.RuneError)
	}
	return !utf8.ValidString(s)
}

func (e Encoding) badBytes(b []byte) bool {
	if e == GBK {
		return bytes.ContainsRune(b, utf8.RuneError)
	}
	return !utf8.Valid(b)
}

func (e Encoding) textErr() *rules.Error {
	if e == GBK {
		return rules.ErrTextNotGBK
	}
	return rules.ErrTextNotUTF8
}

// Config says how to read a stream.
type Config struct {
	Format   Format
	Encoding Encoding // "" is UTF-8
	// Required lists the columns a CSV header must have; JSONL objects are
	// checked per line by the caller through Get.
	Required []string
}

// MissingColumnsError names the required columns the header lacks.
type MissingColumnsError struct{ Columns []string }

func (e *MissingColumnsError) Error() string {
	return "missing required columns: " + strings.Join(e.Columns, ", ")
}

// FileError means the stream cannot be read from Line on.
type FileError struct {
	Line int
	Err  *rules.Error // what is wrong, without the line
	// Cause is the failed read of the underlying stream, if that is what
	// stopped it.
	Cause error
}

func (e *FileError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err.EN) }

// Unwrap gives the rules error and the cause.
func (e *FileError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// readFailed is the FileError for a failed read of the stream at line.
func readFailed(line int, err error) *FileError {
	var re *rules.Error
	if !errors.As(err, &re) {
		re = rules.ErrImportBadFile.Withf("%v", err)
	}
	return &FileError{Line: line, Err: re, Cause: err}
}

// NewReader starts reading r. Its errors are a *MissingColumnsError, a
// *FileError or a *rules.Error.
func NewReader(r io.Reader, c Config) (*Reader, error) {
	if c.Encoding == "" {
		c.Encoding = UTF8
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(2); bytes.Equal(b, []byte{0xFF, 0xFE}) || bytes.Equal(b, []byte{0xFE, 0xFF}) {
		return nil, &FileError{Line: 1, Err: rules.ErrTextUTF16}
	}
	if c.Encoding == GBK {
		br = bufio.NewReaderSize(transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), 1<<16)
	}
	f := c.Format
	if f == "" {
		f = detect(br)
	}
	switch f {
	case CSV:
		return newCSV(br, c)
	case JSONL:
		return newJSONL(br, c.Encoding), nil
	}
	return nil, rules.ErrImportBadFile.Withf("unknown format %q (csv or jsonl)", f)
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

func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		br.Discard(3)
	}
}

// Next returns the next row, or io.EOF at the end. A non-nil error other
// than io.EOF is a *FileError: the stream cannot be read further.
func (r *Reader) Next() (Row, error) { return r.next() }

// csvBuffer is the read-ahead of encoding/csv (bufio's default size).
const csvBuffer = 4096

// rowGuard stops the CSV reader once more than MaxRow bytes have gone by
// without a complete row, so that a runaway quoted field cannot fill memory.
type rowGuard struct {
	r       io.Reader
	n, mark int64 // bytes read; offset of the end of the last row
}

var errRowTooLong = errors.New("row too long")

func (g *rowGuard) Read(p []byte) (int, error) {
	if g.n-g.mark > MaxRow+csvBuffer {
		return 0, errRowTooLong
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// csvFailure turns an error of encoding/csv into a FileError; next is the
// first line after the last complete row.
func csvFailure(err error, next int) *FileError {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errRowTooLong):
		return &FileError{Line: next, Err: rules.ErrRowTooLong.WithField("file").Withf("no complete row within %d bytes (a row may have at most 1 MiB)", MaxRow)}
	case errors.As(err, &pe):
		e := *rules.ErrQuoteUnclosed
		if errors.Is(pe.Err, csv.ErrBareQuote) {
			e = *rules.ErrBareQuote
		}
		if pe.Line != pe.StartLine {
			e.EN += fmt.Sprintf(" (found on line %d)", pe.Line)
			e.ZH += fmt.Sprintf("（在第 %d 行发现）", pe.Line)
		}
		return &FileError{Line: pe.StartLine, Err: &e}
	}
	return readFailed(next, err)
}

// columnName names column i for messages: its header name, or its number.
func columnName(names []string, i int) string {
	if i < len(names) && names[i] != "" {
		return names[i]
	}
	return "column " + strconv.Itoa(i+1)
}

// checkFields returns the row error of the first value that is too long or
// not valid text, or nil.
func checkFields(rec, names []string, enc Encoding) error {
	for i, v := range rec {
		if len(v) > MaxField {
			return rules.ErrFieldTooLong.WithField(columnName(names, i)).Withf("%d bytes, at most %d (64 KiB)", len(v), MaxField)
		}
		if enc.badString(v) {
			return enc.textErr().WithField(columnName(names, i))
		}
	}
	return nil
}

func newCSV(br *bufio.Reader, c Config) (*Reader, error) {
	skipBOM(br)
	g := &rowGuard{r: br}
	cr := csv.NewReader(g)
	cr.FieldsPerRecord = 0
	// end is the line on which the last row read ended.
	end := 0
	rowRead := func(rec []string) {
		g.mark = cr.InputOffset()
		line, _ := cr.FieldPos(len(rec) - 1)
		end = line + strings.Count(rec[len(rec)-1], "\n")
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, rules.ErrImportBadFile.Withf("empty file: expected a header line")
	}
	if err != nil {
		return nil, csvFailure(err, 1) // blank lines may precede the header
	}
	rowRead(header)
	headerLine, _ := cr.FieldPos(0)
	names := make([]string, len(header))
	cols := make(map[string]int, len(header))
	for i, h := range header {
		if c.Encoding.badString(h) {
			return nil, &FileError{Line: headerLine, Err: c.Encoding.textErr().WithField("file").Withf("in the header, column %d", i+1)}
		}
		names[i] = strings.ToLower(strings.TrimSpace(h))
		if names[i] == "" {
			continue // spreadsheets leave empty trailing columns
		}
		if j, dup := cols[names[i]]; dup {
			return nil, &FileError{Line: headerLine, Err: rules.ErrDuplicateColumn.WithField(names[i]).Withf("%s is columns %d and %d", names[i], j+1, i+1)}
		}
		cols[names[i]] = i
	}
	var missing []string
	for _, c := range c.Required {
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
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			rowRead(rec)
			return Row{Line: pe.StartLine, Err: rules.ErrImportBadLine.Withf("has %d fields, the header has %d", len(rec), len(header))}, nil
		}
		if err != nil {
			// A quoting error leaves the reader unable to find the next row.
			return Row{}, csvFailure(err, end+1)
		}
		rowRead(rec)
		// FieldPos only after a successful Read: after a parse error in the
		// first field it has no position and panics.
		line, _ := cr.FieldPos(0)
		if err := checkFields(rec, names, c.Encoding); err != nil {
			return Row{Line: line, Err: err}, nil
		}
		return Row{Line: line, fields: rec, cols: cols}, nil
	}}, nil
}

// jsonl reads JSON Lines.
type jsonl struct {
	br   *bufio.Reader
	enc  Encoding
	line int
	buf  []byte
}

func newJSONL(br *bufio.Reader, enc Encoding) *Reader {
	skipBOM(br)
	j := &jsonl{br: br, enc: enc}
	return &Reader{next: j.next}
}

func (j *jsonl) next() (Row, error) {
	for {
		b, long, err := j.readLine()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, readFailed(j.line+1, err)
		}
		j.line++
		if long {
			return Row{Line: j.line, Err: rules.ErrRowTooLong.Withf("more than %d bytes (a row may have at most 1 MiB)", MaxRow)}, nil
		}
		if b = bytes.TrimSpace(b); len(b) > 0 {
			return j.parse(b), nil
		}
	}
}

// readLine returns the next line without its line ending, or long when it
// has more than MaxRow bytes (which are then skipped, so that reading can
// go on with the next line). It returns io.EOF only when no byte is left.
func (j *jsonl) readLine() (b []byte, long bool, err error) {
	b, err = j.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		j.buf = append(j.buf[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = j.br.ReadSlice('\n')
			if long = long || len(j.buf)+len(b) > MaxRow+2; !long {
				j.buf = append(j.buf, b...)
			}
		}
		b = j.buf
	}
	if err == io.EOF && (len(b) > 0 || long) {
		err = nil
	}
	if err != nil {
		return nil, false, err
	}
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	return b, long || len(b) > MaxRow, nil
}

var errNotObject = rules.ErrImportBadLine.Withf("each line must be a JSON object")

// parse reads one JSON object; every value must be a string, a number or
// null, and no key may come twice (keys are case-insensitive).
func (j *jsonl) parse(b []byte) Row {
	bad := func(err *rules.Error) Row { return Row{Line: j.line, Err: err} }
	if b[0] != '{' {
		return bad(errNotObject)
	}
	checkText := j.enc.badBytes(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token() // the '{'
	r := Row{Line: j.line, cols: make(map[string]int, 16)}
	for dec.More() {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return bad(syntaxErr(b))
		}
		key, _ := tok.(string)
		name := strings.ToLower(key)
		if checkText && j.enc.badBytes(b[start:dec.InputOffset()]) {
			return bad(j.enc.textErr().WithField(name).Withf("in the key"))
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return bad(syntaxErr(b))
		}
		if _, dup := r.cols[name]; dup {
			return bad(rules.ErrDuplicateField.WithField(name))
		}
		s, verr := value(v)
		if verr != nil {
			return bad(verr.WithField(name))
		}
		if len(s) > MaxField {
			return bad(rules.ErrFieldTooLong.WithField(name).Withf("%d bytes, at most %d (64 KiB)", len(s), MaxField))
		}
		if checkText && j.enc.badBytes(v) {
			return bad(j.enc.textErr().WithField(name))
		}
		r.cols[name] = len(r.fields)
		r.fields = append(r.fields, s)
	}
	if _, err := dec.Token(); err != nil || dec.InputOffset() < int64(len(b)) { // the '}', and nothing after it
		return bad(syntaxErr(b))
	}
	return r
}

// value returns a JSON string, number or null as text.
func value(v json.RawMessage) (string, *rules.Error) {
	switch {
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", rules.ErrImportBadLine.Withf("not a valid JSON string")
		}
		return s, nil
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		return string(v), nil
	case string(v) == "null":
		return "", nil
	}
	got := string(v)
	if len(got) > 20 {
		got = strings.ToValidUTF8(got[:17], "") + "..."
	}
	return "", rules.ErrImportBadLine.Withf("expected a string or number, got %s", got)
}

// syntaxErr says where line b is not valid JSON, in the user's terms.
func syntaxErr(b []byte) *rules.Error {
	var se *json.SyntaxError
	if err := json.Unmarshal(b, new(json.RawMessage)); errors.As(err, &se) && se.Offset > 0 && int(se.Offset) <= len(b) {
		return rules.ErrImportBadLine.Withf("not valid JSON: unexpected %q at byte %d", b[se.Offset-1], se.Offset)
	}
	return rules.ErrImportBadLine.Withf("not valid JSON: the line ends inside the object")
}
