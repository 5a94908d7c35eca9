package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// rowErr is an expected row error: its line, code and field.
type rowErr struct {
	line        int
	code, field string
}

// checkRowErrs checks that the rows with errors are exactly wants, and
// that the others read fine.
func checkRowErrs(t *testing.T, rows []Row, wants []rowErr) {
	t.Helper()
	var got []rowErr
	for _, r := range rows {
		if r.Err == nil {
			continue
		}
		var re *rules.Error
		if !errors.As(r.Err, &re) {
			t.Fatalf("line %d: Err %v is not a *rules.Error", r.Line, r.Err)
		}
		got = append(got, rowErr{r.Line, re.Code, re.Field})
	}
	if len(got) != len(wants) {
		t.Fatalf("row errors %+v, want %+v", got, wants)
	}
	for i := range wants {
		if got[i] != wants[i] {
			t.Errorf("row error %d = %+v, want %+v", i, got[i], wants[i])
		}
	}
}

func gbkText(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTextEncoding(t *testing.T) {
	tests := []struct {
		name string
		in   string
		c    Config
		errs []rowErr
		get  map[string]string // values of the first good row
	}{
		{"GBK value read as UTF-8", "plate,note\n鲁A1," + gbkText(t, "经十路") + "\n鲁A2,ok\n", Config{}, []rowErr{{2, "TEXT_ENCODING", "note"}}, map[string]string{"plate": "鲁A2"}},
		{"UTF-16 bytes in a value", "plate,note\n鲁A1,\xff\xfex\n", Config{}, []rowErr{{2, "TEXT_ENCODING", "note"}}, nil},
		{"value in an unnamed column", "a,\n1,\xff\n", Config{}, []rowErr{{2, "TEXT_ENCODING", "column 2"}}, nil},
		{"GBK file read as GBK", gbkText(t, "plate,note\n鲁A1,经十路\n"), Config{Encoding: GBK}, nil, map[string]string{"plate": "鲁A1", "note": "经十路"}},
		{"GBK JSON read as GBK", gbkText(t, `{"plate":"鲁A1","note":"经十路"}`+"\n"), Config{Encoding: GBK}, nil, map[string]string{"plate": "鲁A1", "note": "经十路"}},
		{"bytes that are not GBK", gbkText(t, "plate,note\n鲁A1,") + "\x81\x7f\n", Config{Encoding: GBK}, []rowErr{{2, "TEXT_ENCODING", "note"}}, nil},
		{"JSON value not UTF-8", `{"plate":"鲁A1","note":"` + gbkText(t, "经十路") + `"}` + "\n" + `{"plate":"鲁A2"}`, Config{}, []rowErr{{1, "TEXT_ENCODING", "note"}}, map[string]string{"plate": "鲁A2"}},
		{"JSON escape of U+FFFD is text", `{"note":"\ufffd"}`, Config{Encoding: GBK}, nil, map[string]string{"note": "\uFFFD"}},
		{"UTF-8 BOM with explicit UTF-8", "\xEF\xBB\xBFplate\n鲁A1\n", Config{Encoding: UTF8}, nil, map[string]string{"plate": "鲁A1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), tt.c)
			if err != nil {
				t.Fatal(err)
			}
			var rows []Row
			for {
				row, err := r.Next()
				if err != nil {
					break
				}
				rows = append(rows, row)
			}
			checkRowErrs(t, rows, tt.errs)
			for _, row := range rows {
				if row.Err != nil {
					continue
				}
				for k, v := range tt.get {
					if got := row.Get(k); got != v {
						t.Errorf("Get(%q) = %q, want %q", k, got, v)
					}
				}
				break
			}
		})
	}
}

// TestFileErrors: what makes a whole file unreadable names the line, the
// code and the field.
func TestFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		rows  int // read before the error
		line  int
		code  string
		field string
	}{
		{"duplicate column", "plate,fine, FINE \n", 0, 1, "IMPORT_DUPLICATE_COLUMN", "fine"},
		{"duplicate column after blank lines", "\n\na,b,a\n", 0, 3, "IMPORT_DUPLICATE_COLUMN", "a"},
		{"header not UTF-8", "plate,\xb1\xb8\n", 0, 1, "TEXT_ENCODING", "file"},
		{"UTF-16 LE", "\xff\xfep\x00", 0, 1, "TEXT_ENCODING", "file"},
		{"UTF-16 BE", "\xfe\xff\x00p", 0, 1, "TEXT_ENCODING", "file"},
		{"runaway quote", "a,b\n1,2\n\n3,\"" + strings.Repeat("x\n", MaxRow/2+3000), 1, 3, "IMPORT_ROW_TOO_LONG", "file"},
		{"long CSV line", "a\n" + strings.Repeat("x", MaxRow+csvBuffer+1), 0, 2, "IMPORT_ROW_TOO_LONG", "file"},
		{"broken quote", "a,b\n1,2\n\"x,3\n4,5\n", 1, 3, "IMPORT_BAD_FILE", "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(t, tt.in, "")
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if fe.Line != tt.line || fe.Err.Code != tt.code || fe.Err.Field != tt.field {
				t.Errorf("err = line %d %+v, want line %d code %s field %s", fe.Line, fe.Err, tt.line, tt.code, tt.field)
			}
			if len(rows) != tt.rows {
				t.Errorf("%d rows before the error, want %d", len(rows), tt.rows)
			}
			checkNoInternals(t, err.Error())
		})
	}
}

func TestLimits(t *testing.T) {
	big := strings.Repeat("x", MaxField)
	tests := []struct {
		name string
		in   string
		errs []rowErr
	}{
		{"CSV value at the limit", "a,b\n" + big + ",1\n", nil},
		{"CSV value over the limit, then a good row", "a,b\n1," + big + "x\n2,3\n", []rowErr{{2, "IMPORT_FIELD_TOO_LONG", "b"}}},
		{"CSV quoted value over the limit", "a,b\n\"" + big + "\n\",1\n2,3\n", []rowErr{{2, "IMPORT_FIELD_TOO_LONG", "a"}}},
		{"CSV row of 10 MiB in one value", "a,b\n1," + strings.Repeat("y", MaxRow-10) + "\n2,3\n", []rowErr{{2, "IMPORT_FIELD_TOO_LONG", "b"}}},
		{"JSON value at the limit", `{"a":"` + big + `"}`, nil},
		{"JSON value over the limit, then a good line", `{"a":"` + big + `x"}` + "\n{}\n", []rowErr{{1, "IMPORT_FIELD_TOO_LONG", "a"}}},
		{"JSON line over the limit", "{}\n" + `{"a":"` + strings.Repeat("z", 2*MaxRow) + "\"}\r\n{}", []rowErr{{2, "IMPORT_ROW_TOO_LONG", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRowErrs(t, mustReadAll(t, tt.in, ""), tt.errs)
		})
	}
}

func TestJSONLDuplicateKeys(t *testing.T) {
	in := `{"fine":"1","fine":"2"}` + "\n" +
		`{"record_no":"R1","RECORD_NO":"R2"}` + "\n" +
		`{"a":"1","b":"2","A":null}` + "\n" +
		`{"a":"1","b":"2"}` + "\n"
	checkRowErrs(t, mustReadAll(t, in, ""), []rowErr{
		{1, "IMPORT_DUPLICATE_FIELD", "fine"},
		{2, "IMPORT_DUPLICATE_FIELD", "record_no"},
		{3, "IMPORT_DUPLICATE_FIELD", "a"},
	})
}

func checkNoInternals(t *testing.T, msg string) {
	t.Helper()
	for _, w := range []string{"bufio", "Go value", "json:", "csv:", "parse error", "token too long", "unmarshal", "invalid character"} {
		if strings.Contains(msg, w) {
			t.Errorf("message %q shows Go internals (%q)", msg, w)
		}
	}
}

// TestMessagesInUserTerms: no row error shows a Go library's message.
func TestMessagesInUserTerms(t *testing.T) {
	in := "[1]\n42\n\"s\"\nnull\n{bad\n{\"a\":1} x\n{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12]}\n{\"a\":\n{\"a\":\"\\x\"}\n{1:2}\n"
	rows := mustReadAll(t, in, JSONL)
	if len(rows) != 10 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Err == nil {
			t.Errorf("line %d: no error", r.Line)
			continue
		}
		checkNoInternals(t, r.Err.Error())
	}
}
