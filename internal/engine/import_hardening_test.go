package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// importNow is the clock of the hardening tests.
var importNow = time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)

func openImport(t *testing.T) *embedded.Client {
	t.Helper()
	c, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), embedded.CreateIfMissing(), embedded.WithClock(func() time.Time { return importNow }), embedded.UnsafeNoSync())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func gbk(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goInternals are phrases of Go's libraries that must never reach a user.
var goInternals = []string{"bufio", "Go value", "json:", "csv:", "strconv", "unmarshal", "token too long", "context canceled"}

func checkWords(t *testing.T, what, msg string) {
	t.Helper()
	for _, w := range goInternals {
		if strings.Contains(msg, w) {
			t.Errorf("%s %q shows Go internals (%q)", what, msg, w)
		}
	}
}

const violationHeader = "record_no,plate,plate_type,occurred_at,location,code,fine,points,source,decision_no,served_on,suspended_from,suspended_to\n"

// violationRow is a good row with record number no.
func violationRow(no string) string {
	return no + ",鲁A12345,02,2026-11-01 08:00,x,1625,200,6,camera,,,,\n"
}

// TestImportHardeningRejects: bad text, over-long values and rows,
// ambiguous keys and dates that cannot be true reject their row, naming
// the line and the field; the good rows are imported.
func TestImportHardeningRejects(t *testing.T) {
	type rj struct {
		line        int
		field, code string
		reason      string // substring of the English reason
	}
	long := strings.Repeat("x", 10<<20)
	tests := []struct {
		name     string
		kind     api.ImportKind
		encoding string
		data     string
		inserted int
		rejects  []rj
	}{
		{
			name:     "GBK text read as UTF-8",
			kind:     api.ImportViolations,
			data:     violationHeader + violationRow("R1") + "R2,鲁A12345,02,2026-11-01 08:00," + gbk(t, "济南经十路") + ",1625,200,6,camera,,,,\n",
			inserted: 1,
			rejects:  []rj{{3, "location", "TEXT_ENCODING", "the file may be GBK: import it with --encoding gbk"}},
		},
		{
			name:     "GBK file with --encoding gbk",
			kind:     api.ImportViolations,
			encoding: "gbk",
			data:     gbk(t, violationHeader+violationRow("R1")+"R2,鲁A12345,02,2026-11-01 08:00,济南经十路,1625,200,6,camera,,,,\n"),
			inserted: 2,
		},
		{
			name:     "bytes that are not GBK with --encoding gbk",
			kind:     api.ImportViolations,
			encoding: "GBK",
			data:     gbk(t, violationHeader+violationRow("R1")+"R2,鲁A12345,02,2026-11-01 08:00,") + "\x81\x20" + gbk(t, ",1625,200,6,camera,,,,\n"),
			inserted: 1,
			rejects:  []rj{{3, "location", "TEXT_ENCODING", "not valid GBK"}},
		},
		{
			name:     "UTF-8 byte-order mark",
			kind:     api.ImportViolations,
			encoding: "utf-8",
			data:     "\xEF\xBB\xBF" + violationHeader + violationRow("R1"),
			inserted: 1,
		},
		{
			name: "JSON value and key that are not UTF-8",
			kind: api.ImportViolations,
			data: `{"record_no":"R1","plate":"鲁A12345","plate_type":"02","occurred_at":"2026-11-01 08:00","code":"1625","fine":200,"points":6,"source":"camera","location":"` + "\xff\xfe" + `"}` + "\n" +
				`{"record_no":"R2","plate":"鲁A12345","plate_type":"02","occurred_at":"2026-11-01 08:00","code":"1625","fine":200,"points":6,"source":"camera","loc` + "\xff" + `":"x"}` + "\n",
			rejects: []rj{{1, "location", "TEXT_ENCODING", "--encoding gbk"}, {2, "loc\uFFFD", "TEXT_ENCODING", "in the key"}},
		},
		{
			name:     "a CSV value of 10 MiB",
			kind:     api.ImportViolations,
			data:     violationHeader + "R1,鲁A12345,02,2026-11-01 08:00," + long[:1<<20-200] + ",1625,200,6,camera,,,,\n" + violationRow("R2"),
			inserted: 1,
			rejects:  []rj{{2, "location", "IMPORT_FIELD_TOO_LONG", "at most 65536"}},
		},
		{
			name: "a JSON value over 64 KiB, and a JSON line over 1 MiB",
			kind: api.ImportViolations,
			data: `{"record_no":"R1","location":"` + long[:70000] + `"}` + "\n" +
				`{"record_no":"R2","location":"` + long + `"}` + "\n" +
				`{"record_no":"R3","plate":"鲁A12345","plate_type":"02","occurred_at":"2026-11-01 08:00","code":"1625","fine":200,"points":6,"source":"camera"}` + "\n",
			inserted: 1,
			rejects:  []rj{{1, "location", "IMPORT_FIELD_TOO_LONG", "at most 65536"}, {2, "", "IMPORT_ROW_TOO_LONG", "at most 1 MiB"}},
		},
		{
			name: "JSON keys given twice",
			kind: api.ImportViolations,
			data: `{"record_no":"R1","RECORD_NO":"R2"}` + "\n" + `{"fine":"1","fine":"2"}` + "\n" + `{"Fine":"1","fIne":"2"}` + "\n",
			rejects: []rj{
				{1, "record_no", "IMPORT_DUPLICATE_FIELD", "the same field twice"},
				{2, "fine", "IMPORT_DUPLICATE_FIELD", "the same field twice"},
				{3, "fine", "IMPORT_DUPLICATE_FIELD", "the same field twice"},
			},
		},
		{
			name:    "JSON lines that are not objects",
			kind:    api.ImportViolations,
			data:    "{\"a\":\n[1,2]\n42\n\"x\"\n",
			rejects: []rj{{1, "", "IMPORT_BAD_LINE", "not valid JSON"}, {2, "", "IMPORT_BAD_LINE", "each line must be a JSON object"}, {3, "", "IMPORT_BAD_LINE", "each line must be a JSON object"}, {4, "", "IMPORT_BAD_LINE", "each line must be a JSON object"}},
		},
		{
			name: "violation dates that cannot be true",
			kind: api.ImportViolations,
			data: violationHeader +
				"R1,鲁A12345,02,0001-01-01 08:00,x,1625,200,6,camera,,,,\n" +
				"R2,鲁A12345,02,2026-11-24 11:00,x,1625,200,6,camera,,,,\n" +
				"R3,鲁A12345,02,2026-11-10 08:00,x,1625,200,6,onsite,3701000000000003,2026-11-09,,\n" +
				"R4,鲁A12345,02,2026-11-10 08:00,x,1625,200,6,onsite,3701000000000004,2026-11-25,,\n" +
				"R5,鲁A12345,02,2026-11-10 08:00,x,1625,200,6,onsite,3701000000000005,2026-11-12,2026-11-11,\n" +
				"R6,鲁A12345,02,1989-12-31T23:00:00+08:00,x,1625,200,6,camera,,,,\n" +
				"R7,鲁A12345,02,2026-11-24 09:59,x,1625,200,6,onsite,3701000000000007,2026-11-24,2026-11-24,\n",
			inserted: 1,
			rejects: []rj{
				{2, "occurred_at", "DATE_TOO_EARLY", "before 1990-01-01"},
				{3, "occurred_at", "TIME_IN_FUTURE", ""},
				{4, "served_on", "SERVED_BEFORE_VIOLATION", ""},
				{5, "served_on", "DATE_IN_FUTURE", ""},
				{6, "suspended_from", "SUSPENSION_RANGE", "before served_on"},
				{7, "occurred_at", "DATE_TOO_EARLY", ""},
			},
		},
		{
			name: "vehicles registered in the future or too long ago",
			kind: api.ImportVehicles,
			data: "plate,plate_type,owner_id_number,owner_name,registered_on\n" +
				"鲁A12345,02,370102199003071238,张三,2030-01-01\n" +
				"鲁A12346,02,370102199003071238,张三,1900-01-01\n" +
				"鲁A12347,02,370102199003071238,张三,2026-11-24\n",
			inserted: 1,
			rejects:  []rj{{2, "registered_on", "DATE_IN_FUTURE", ""}, {3, "registered_on", "DATE_TOO_EARLY", "before 1950-01-01"}},
		},
		{
			name: "licences valid until before they were issued",
			kind: api.ImportLicences,
			data: "id_number,name,file_no,classes,first_issued_on,valid_until,status\n" +
				"370102199003071238,张三,370100123456,C1,2015-06-01,2015-05-31,normal\n" +
				"370102199003071238,张三,370100123456,C1,1900-06-01,2031-06-01,normal\n" +
				"370102199003071238,张三,370100123456,C1,2015-06-01,2015-06-01,normal\n",
			inserted: 1,
			rejects:  []rj{{2, "valid_until", "LICENCE_VALIDITY_RANGE", ""}, {3, "first_issued_on", "DATE_TOO_EARLY", ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openImport(t)
			res, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: tt.kind, Encoding: tt.encoding}, strings.NewReader(tt.data), nil)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if res.Inserted != tt.inserted || res.Rejected != len(tt.rejects) {
				t.Errorf("inserted %d, rejected %d; want %d and %d; rejects %+v", res.Inserted, res.Rejected, tt.inserted, len(tt.rejects), res.Rejects)
			}
			for i, w := range tt.rejects {
				if i >= len(res.Rejects) {
					break
				}
				g := res.Rejects[i]
				if g.Line != w.line || g.Field != w.field || g.Code != w.code || !strings.Contains(g.Reason, w.reason) {
					t.Errorf("reject %d = %+v, want line %d field %q code %s reason with %q", i, g, w.line, w.field, w.code, w.reason)
				}
				checkWords(t, "reason", g.Reason)
			}
		})
	}
}

// TestImportGBKText: a GBK file imported with encoding gbk is stored as
// the text it means.
func TestImportGBKText(t *testing.T) {
	c := openImport(t)
	data := gbk(t, violationHeader+"R1,鲁A12345,02,2026-11-01 08:00,济南经十路,1625,200,6,camera,,,,\n")
	if _, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations, Encoding: "gbk"}, strings.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	page, err := c.Violations.List(context.Background(), api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list = %+v, %v", page, err)
	}
	if got := page.Items[0].Location; got != "济南经十路" {
		t.Errorf("location %q, want 济南经十路", got)
	}
}

// TestImportRefusedFiles: a request or file that cannot be read at all is
// refused before anything is written, with a code and the field.
func TestImportRefusedFiles(t *testing.T) {
	good := violationHeader + violationRow("R1")
	tests := []struct {
		name  string
		req   api.ImportRequest
		data  string
		code  string
		field string
		msg   string
	}{
		{"header names a column twice", api.ImportRequest{}, "record_no,plate,plate_type,occurred_at,code,fine,points,source,FINE\n", "IMPORT_DUPLICATE_COLUMN", "fine", "line 1: the header names a column twice: fine is columns 6 and 9"},
		{"unknown encoding", api.ImportRequest{Encoding: "latin1"}, good, "IMPORT_ENCODING", "encoding", "encoding must be utf-8 or gbk"},
		{"negative chunk size", api.ImportRequest{ChunkSize: -100}, good, "IMPORT_CHUNK_SIZE", "chunk_size", "got -100"},
		{"chunk size over the maximum", api.ImportRequest{ChunkSize: 100001}, good, "IMPORT_CHUNK_SIZE", "chunk_size", "1 to 100000"},
		{"UTF-16", api.ImportRequest{}, "\xff\xfer\x00e\x00", "TEXT_ENCODING", "file", "UTF-16"},
		{"header that is not UTF-8", api.ImportRequest{}, "record_no,plate,plate_type,occurred_at,code,fine,points,source," + gbk(t, "备注") + "\n", "TEXT_ENCODING", "file", "line 1:"},
		{"broken header quoting", api.ImportRequest{}, "record_no,\"plate\n", "IMPORT_BAD_FILE", "file", "line 1: the file cannot be read: broken quoting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openImport(t)
			tt.req.Kind = api.ImportViolations
			res, err := c.Imports.Import(context.Background(), tt.req, strings.NewReader(tt.data), nil)
			var re *rules.Error
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (result %+v), want a *rules.Error", err, res)
			}
			if re.Code != tt.code || re.Field != tt.field || re.Kind != rules.KindInvalid || !strings.Contains(re.EN, tt.msg) || re.ZH == "" {
				t.Errorf("err = %+v, want code %s field %s kind invalid, message with %q", re, tt.code, tt.field, tt.msg)
			}
			checkWords(t, "message", re.EN)
		})
	}
}
