package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

// readAll reads every row; err is the first error other than io.EOF.
func readAll(t testing.TB, in string, f Format, required ...string) ([]Row, error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), Config{Format: f, Required: required})
	if err != nil {
		return nil, err
	}
	var rows []Row
	for i := 0; ; i++ {
		if i > len(in)+1 {
			t.Fatalf("more rows than bytes: Next loops")
		}
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

func mustReadAll(t *testing.T, in string, f Format, required ...string) []Row {
	t.Helper()
	rows, err := readAll(t, in, f, required...)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return rows
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReaderSize(strings.NewReader(s), 1<<16) }

func lines(rows []Row) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.Line
	}
	return out
}

// want describes one expected row: its line, an error substring (or ""),
// and the values of some columns.
type want struct {
	line int
	err  string
	get  map[string]string
}

func checkRows(t *testing.T, rows []Row, wants []want) {
	t.Helper()
	if len(rows) != len(wants) {
		t.Fatalf("got %d rows (lines %v), want %d", len(rows), lines(rows), len(wants))
	}
	for i, w := range wants {
		r := rows[i]
		if r.Line != w.line {
			t.Errorf("row %d: Line = %d, want %d", i, r.Line, w.line)
		}
		switch {
		case w.err == "" && r.Err != nil:
			t.Errorf("row %d (line %d): unexpected Err %v", i, r.Line, r.Err)
		case w.err != "" && r.Err == nil:
			t.Errorf("row %d (line %d): Err = nil, want %q", i, r.Line, w.err)
		case w.err != "" && !strings.Contains(r.Err.Error(), w.err):
			t.Errorf("row %d (line %d): Err = %q, want it to contain %q", i, r.Line, r.Err, w.err)
		}
		for k, v := range w.get {
			if got := r.Get(k); got != v {
				t.Errorf("row %d (line %d): Get(%q) = %q, want %q", i, r.Line, k, got, v)
			}
		}
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		f     Format
		wants []want
	}{
		{
			name: "header and rows",
			in:   "plate,fine,code\n鲁A12345,200,1625\n鲁B00001,50,1039\n",
			wants: []want{
				{line: 2, get: map[string]string{"plate": "鲁A12345", "fine": "200", "code": "1625", "absent": ""}},
				{line: 3, get: map[string]string{"plate": "鲁B00001", "fine": "50", "code": "1039"}},
			},
		},
		{
			name:  "no final newline",
			in:    "a,b\n1,2",
			wants: []want{{line: 2, get: map[string]string{"a": "1", "b": "2"}}},
		},
		{
			name:  "header names are trimmed and lower-cased; values are trimmed",
			in:    " Plate ,FINE\t\n  鲁A1 , 200 \n",
			wants: []want{{line: 2, get: map[string]string{"plate": "鲁A1", "fine": "200", "Plate": ""}}},
		},
		{
			name:  "BOM, detected",
			in:    "\xEF\xBB\xBFplate,fine\n鲁A1,200\n",
			wants: []want{{line: 2, get: map[string]string{"plate": "鲁A1", "fine": "200"}}},
		},
		{
			name:  "BOM, explicit CSV",
			in:    "\xEF\xBB\xBFplate,fine\n鲁A1,200\n",
			f:     CSV,
			wants: []want{{line: 2, get: map[string]string{"plate": "鲁A1"}}},
		},
		{
			name: "quoted fields with commas, quotes and newlines",
			in:   "plate,location,note\n鲁A1,\"济南, 经十路\",x\n鲁A2,\"line1\nline2\n\",\"say \"\"hi\"\"\"\n鲁A3,plain,\"\"\n",
			wants: []want{
				{line: 2, get: map[string]string{"location": "济南, 经十路", "note": "x"}},
				{line: 3, get: map[string]string{"location": "line1\nline2", "note": `say "hi"`}},
				{line: 6, get: map[string]string{"plate": "鲁A3", "location": "plain", "note": ""}},
			},
		},
		{
			name: "CRLF",
			in:   "a,b\r\n1,2\r\n3,\"x\r\ny\"\r\n5,6\r\n",
			wants: []want{
				{line: 2, get: map[string]string{"a": "1", "b": "2"}},
				{line: 3, get: map[string]string{"b": "x\ny"}},
				{line: 5, get: map[string]string{"a": "5"}},
			},
		},
		{
			name: "blank lines are skipped but counted",
			in:   "a,b\n\n1,2\n\n\n3,4\n\n",
			wants: []want{
				{line: 3, get: map[string]string{"a": "1"}},
				{line: 6, get: map[string]string{"a": "3"}},
			},
		},
		{
			name:  "blank lines before the header, detected",
			in:    "\n\r\n\na,b\n1,2\n",
			wants: []want{{line: 5, get: map[string]string{"a": "1", "b": "2"}}},
		},
		{
			name: "wrong field count",
			in:   "a,b\n1,2\n1,2,3\n4,5\n6\n\"7\n\",8,9\n10,11\n",
			wants: []want{
				{line: 2, get: map[string]string{"a": "1"}},
				{line: 3, err: "has 3 fields, the header has 2", get: map[string]string{"a": ""}},
				{line: 4, get: map[string]string{"a": "4", "b": "5"}},
				{line: 5, err: "has 1 fields, the header has 2"},
				{line: 6, err: "has 3 fields"},
				{line: 8, get: map[string]string{"a": "10", "b": "11"}},
			},
		},
		{
			name:  "a file starting with '{' read as CSV when told so",
			in:    "{a},b\n1,2\n",
			f:     CSV,
			wants: []want{{line: 2, get: map[string]string{"{a}": "1", "b": "2"}}},
		},
		{
			name:  "header only",
			in:    "a,b\n",
			wants: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRows(t, mustReadAll(t, tt.in, tt.f), tt.wants)
		})
	}
}

func TestCSVRequiredColumns(t *testing.T) {
	rows := mustReadAll(t, "Plate,fine,code\n鲁A1,1,2\n", "", "plate", "fine")
	checkRows(t, rows, []want{{line: 2, get: map[string]string{"plate": "鲁A1"}}})

	_, err := readAll(t, "plate,location\n鲁A1,x\n", "", "plate", "fine", "code", "location")
	var mc *MissingColumnsError
	if !errors.As(err, &mc) {
		t.Fatalf("err = %v, want *MissingColumnsError", err)
	}
	if !slices.Equal(mc.Columns, []string{"fine", "code"}) {
		t.Errorf("Columns = %v, want [fine code]", mc.Columns)
	}
	if err.Error() != "missing required columns: fine, code" {
		t.Errorf("Error() = %q", err)
	}
	// JSONL has no header: required columns are the caller's business.
	rows = mustReadAll(t, `{"plate":"鲁A1"}`+"\n", "", "plate", "fine")
	checkRows(t, rows, []want{{line: 1, get: map[string]string{"plate": "鲁A1", "fine": ""}}})
}

func TestCSVFatalErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		rows    []int  // lines of the rows read before the error
		wantErr string // substring; "" means no error
	}{
		{"unterminated quote", "a,b\n1,2\n\"x,3\n4,5\n", []int{2}, "line 3:"},
		{"bare quote in a later field", "a,b\n1,2\n3,x\"y\n", []int{2}, "line 3:"},
		{"bare quote in the first field", "a,b\n1,2\nx\"y,3\n", []int{2}, "line 3:"},
		{"bare quote in the only field", "a\n1\nx\"y\n", []int{2}, "line 3:"},
		{"quote then junk", "a,b\n\"x\"y,1\n", nil, "line 2:"},
		{"quote in a multi-line record", "a,b\n1,\"x\ny\"z\n", nil, "line 2:"},
		{"broken header", "a,\"b\n", nil, "line 1:"},
		{"broken header after blank lines", "\n\na,b\"c\n", nil, "line 3:"},
		{"empty file", "", nil, "empty file"},
		{"only blank lines", "\n\n\r\n", nil, "empty file"},
		{"only a BOM", "\xEF\xBB\xBF", nil, "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(t, tt.in, CSV)
			if err == nil {
				t.Fatalf("no error; rows at lines %v", lines(rows))
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantErr)
			}
			if !slices.Equal(lines(rows), tt.rows) {
				t.Errorf("rows before the error at lines %v, want %v", lines(rows), tt.rows)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{
		{`{"a":1}`, JSONL},
		{"  \t\r\n\n{\"a\":1}", JSONL},
		{"\xEF\xBB\xBF{\"a\":1}", JSONL},
		{"\xEF\xBB\xBF\n {\"a\":1}", JSONL},
		{"a,b", CSV},
		{"\n\na,b", CSV},
		{"\xEF\xBB\xBFa,b", CSV},
		{"[1]", CSV},
		{"\"{\"", CSV},
		{"", CSV},
		{"   ", CSV},
		{"\xEF\xBB", CSV},
		{strings.Repeat(" ", 70000) + "{}", CSV}, // beyond the peek buffer
	}
	for _, tt := range tests {
		r := bufioReader(tt.in)
		if got := detect(r); got != tt.want {
			t.Errorf("detect(%.20q) = %s, want %s", tt.in, got, tt.want)
		}
		// Detection consumes nothing.
		if rest, _ := io.ReadAll(r); string(rest) != tt.in {
			t.Errorf("detect(%.20q) consumed input", tt.in)
		}
	}
}

func TestJSONL(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		f     Format
		wants []want
	}{
		{
			name: "strings, numbers, null",
			in: `{"plate":"鲁A12345","fine":200,"late":-1.5e2,"zero":0,"s":"  padded  ","n":null,"e":"","u":"\u6d4e\n"}` + "\n" +
				`{"fine":"200.50"}` + "\n",
			wants: []want{
				{line: 1, get: map[string]string{"plate": "鲁A12345", "fine": "200", "late": "-1.5e2", "zero": "0", "s": "padded", "n": "", "e": "", "u": "济", "absent": ""}},
				{line: 2, get: map[string]string{"fine": "200.50", "plate": ""}},
			},
		},
		{
			name:  "keys are lower-cased",
			in:    `{"Plate":"鲁A1","FINE":5}`,
			wants: []want{{line: 1, get: map[string]string{"plate": "鲁A1", "fine": "5", "Plate": ""}}},
		},
		{
			name: "blank lines are skipped but counted",
			in:   "\n\n{\"a\":\"1\"}\n   \n\t\n{\"a\":\"2\"}\n\n",
			wants: []want{
				{line: 3, get: map[string]string{"a": "1"}},
				{line: 6, get: map[string]string{"a": "2"}},
			},
		},
		{
			name: "CRLF and surrounding space",
			in:   "{\"a\":\"1\"}\r\n  {\"a\":\"2\"}  \r\n",
			wants: []want{
				{line: 1, get: map[string]string{"a": "1"}},
				{line: 2, get: map[string]string{"a": "2"}},
			},
		},
		{
			name:  "BOM",
			in:    "\xEF\xBB\xBF{\"a\":\"1\"}\n",
			wants: []want{{line: 1, get: map[string]string{"a": "1"}}},
		},
		{
			name: "non-object lines are row errors and reading goes on",
			in:   "{\"a\":\"1\"}\n[1,2]\n\"str\"\n42\nnull\ntrue\n{bad json\n{\"a\":1} trailing\n{\"a\":\"9\"}\n",
			wants: []want{
				{line: 1, get: map[string]string{"a": "1"}},
				{line: 2, err: "each line must be a JSON object"},
				{line: 3, err: "each line must be a JSON object"},
				{line: 4, err: "each line must be a JSON object"},
				{line: 5, err: "each line must be a JSON object"},
				{line: 6, err: "each line must be a JSON object"},
				{line: 7, err: "not valid JSON: unexpected 'b' at byte 2"},
				{line: 8, err: "not valid JSON: unexpected 't' at byte 9"},
				{line: 9, get: map[string]string{"a": "9"}},
			},
		},
		{
			name: "values that are neither string nor number",
			in:   "{\"ok\":\"1\",\"flag\":true}\n{\"nested\":{\"a\":1}}\n{\"list\":[1]}\n{\"a\":\"fine\"}\n",
			wants: []want{
				{line: 1, err: "flag: the line cannot be read: expected a string or number, got true", get: map[string]string{"ok": ""}},
				{line: 2, err: "nested: the line cannot be read: expected a string or number, got {\"a\":1}"},
				{line: 3, err: "list: the line cannot be read: expected a string or number, got [1]"},
				{line: 4, get: map[string]string{"a": "fine"}},
			},
		},
		{
			name:  "empty object",
			in:    "{}\n",
			wants: []want{{line: 1, get: map[string]string{"a": ""}}},
		},
		{
			name:  "JSONL forced on a CSV file",
			in:    "a,b\n1,2\n",
			f:     JSONL,
			wants: []want{{line: 1, err: "each line must be a JSON object"}, {line: 2, err: "each line must be a JSON object"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRows(t, mustReadAll(t, tt.in, tt.f), tt.wants)
		})
	}
}

// TestJSONLLongLine: a line over MaxRow is a reject, and reading goes on
// with the next line.
func TestJSONLLongLine(t *testing.T) {
	long := `{"a":"` + strings.Repeat("x", MaxRow) + `"}`
	rows := mustReadAll(t, "{\"a\":\"1\"}\n"+long+"\n{\"a\":\"3\"}\n", JSONL)
	checkRows(t, rows, []want{
		{line: 1, get: map[string]string{"a": "1"}},
		{line: 2, err: "the row is too long: more than 1048576 bytes"},
		{line: 3, get: map[string]string{"a": "3"}},
	})
	// A line of exactly MaxRow bytes, each value within MaxField, is fine.
	ok := jsonLineOf(MaxRow)
	rows = mustReadAll(t, ok+"\n", JSONL)
	checkRows(t, rows, []want{{line: 1, get: map[string]string{"k0": strings.Repeat("x", MaxField)}}})
}

// jsonLineOf returns a JSON object of exactly n bytes whose values are at
// most MaxField bytes.
func jsonLineOf(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; ; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		key := fmt.Sprintf(`"k%d":"`, i)
		v := min(MaxField, n-b.Len()-len(key)-2)
		b.WriteString(key + strings.Repeat("x", v) + `"`)
		if b.Len() == n-1 {
			break
		}
	}
	b.WriteString("}")
	return b.String()
}

func TestUnknownFormat(t *testing.T) {
	_, err := NewReader(strings.NewReader("a\n"), Config{Format: "xml"})
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("err = %v", err)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadErrorIsFatal(t *testing.T) {
	boom := errors.New("disk on fire")
	for _, f := range []Format{CSV, JSONL} {
		in := "a,b\n1,2\n"
		if f == JSONL {
			in = "{\"a\":\"1\"}\n"
		}
		r, err := NewReader(&failingReader{data: []byte(in), err: boom}, Config{Format: f})
		if err != nil {
			t.Fatalf("%s: NewReader: %v", f, err)
		}
		var last error
		for i := 0; i < 10; i++ {
			if _, last = r.Next(); last != nil {
				break
			}
		}
		if !errors.Is(last, boom) {
			t.Errorf("%s: Next error = %v, want the read error", f, last)
		}
	}
}

// FuzzReader reads arbitrary input in every format: it never panics, never
// loops, and line numbers strictly increase and stay inside the input.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"plate,fine\n鲁A1,200\n",
		"\xEF\xBB\xBFa,b\n1,2\n\n3,\"x\ny\"\n",
		"a,b\n1,2,3\n4\n",
		"a,b\n1,2\nx\"y,3\n",
		"a,b\n\"unterminated\n",
		"\n\n{\"a\":1,\"b\":\"x\",\"c\":null}\n[1]\nnull\n\n{bad\n",
		"\xEF\xBB\xBF{\"a\":true}\r\n{}\r\n",
		"{\"a\":{\"b\":[1,2]}}",
		"",
		"\r\r\r",
		"a\n\"\"\"\n",
		"plate,note\n\xc2\xb3A1,\xbe\xad\xca\xae\xc2\xb7\n", // GBK
		"\xff\xfea\x00,\x00b\x00",                           // UTF-16
		"a,fine,FINE\n1,2,3\n",
		"a,,\n1,2,3\n",
		"{\"fine\":\"1\",\"FINE\":2}\n{\"a\":\"\xff\"}\n{\"\xfe\":1}\n",
		// Values and rows over the limits are in TestLimits and TestFileErrors:
		// seeds of a megabyte slow the fuzzer down a hundredfold.
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(6)) // GBK
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		format := []Format{"", CSV, JSONL}[mode%3]
		r, err := NewReader(bytes.NewReader(data), Config{Format: format, Required: []string{"a"}[:mode/3%2], Encoding: []Encoding{UTF8, GBK}[mode/6%2]})
		if err != nil {
			return
		}
		maxLine := bytes.Count(data, []byte("\n")) + 1
		prev := 0
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("%d rows from %d bytes: Next loops", i, len(data))
			}
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "line ") {
					t.Fatalf("fatal error is not a FileError naming a line: %v", err)
				}
				return
			}
			if row.Line <= prev {
				t.Fatalf("line %d after line %d", row.Line, prev)
			}
			if row.Line > maxLine {
				t.Fatalf("line %d beyond the input's %d lines", row.Line, maxLine)
			}
			prev = row.Line
			var re *rules.Error
			if row.Err != nil && (len(row.fields) != 0 || !errors.As(row.Err, &re)) {
				t.Fatalf("row with Err %v has fields %q, or Err is not a *rules.Error", row.Err, row.fields)
			}
			for _, v := range row.fields {
				if len(v) > MaxField {
					t.Fatalf("value of %d bytes read", len(v))
				}
			}
			_ = row.Get("a")
		}
	})
}
