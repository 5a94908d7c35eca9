package refdata

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
)

func date(t *testing.T, s string) rules.Date {
	t.Helper()
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// embeddedHolidayRows returns the data rows of the embedded holiday file.
func embeddedHolidayRows(t *testing.T) [][]string {
	t.Helper()
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(holidaysTSV))
	header := true
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows
}

func TestEmbeddedHolidays(t *testing.T) {
	cal, err := Calendar("")
	if err != nil {
		t.Fatalf("Calendar(\"\"): %v", err)
	}
	rows := embeddedHolidayRows(t)
	var holidays, workdays int
	seen := map[string]bool{}
	var prev rules.Date
	for _, r := range rows {
		d := date(t, r[0])
		if seen[r[0]] {
			t.Errorf("%s listed twice", r[0])
		}
		seen[r[0]] = true
		if !prev.IsZero() && !prev.Before(d) {
			t.Errorf("%s is not after %s: the file is not in date order", d, prev)
		}
		prev = d
		if strings.TrimSpace(r[2]) == "" {
			t.Errorf("%s has no name", r[0])
		}
		switch r[1] {
		case "holiday":
			holidays++
			if cal.IsWorkday(d) {
				t.Errorf("holiday %s is a working day", d)
			}
		case "workday":
			workdays++
			// A make-up working day only makes sense on a weekend.
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Errorf("make-up working day %s is a %v", d, wd)
			}
			if !cal.IsWorkday(d) {
				t.Errorf("make-up working day %s is not a working day", d)
			}
		default:
			t.Errorf("%s: kind %q", r[0], r[1])
		}
	}
	if holidays != 89 || workdays != 19 {
		t.Errorf("embedded file has %d holidays and %d make-up days, want 89 and 19", holidays, workdays)
	}
	// Spot checks: National Day 2024 and its make-up days.
	for s, want := range map[string]bool{
		"2024-09-29": true, "2024-09-30": true, "2024-10-01": false, "2024-10-07": false,
		"2024-10-08": true, "2024-10-12": true, "2024-10-13": false, "2025-01-01": false,
	} {
		if got := cal.IsWorkday(date(t, s)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestEmbeddedCodes(t *testing.T) {
	book, err := Codes("")
	if err != nil {
		t.Fatalf("Codes(\"\"): %v", err)
	}
	if book.Len() != 54 {
		t.Errorf("Len = %d, want 54 (60 rows, 6 variants without a code)", book.Len())
	}
	if got := book.Description("1625"); got != "驾驶机动车不按交通信号灯指示通行的" {
		t.Errorf("Description(1625) = %q", got)
	}
	// 1625 (red light): 6 points, 20–200 yuan.
	checks := []struct {
		points int
		fine   string
		ok     bool
	}{
		{6, "20", true}, {6, "200", true}, {6, "100.50", true},
		{6, "19.99", false}, {6, "200.01", false},
		{3, "200", false}, {12, "200", false}, {0, "200", false},
	}
	for _, c := range checks {
		m, _ := rules.ParseMoney(c.fine)
		err := book.Check("1625", c.points, m)
		if (err == nil) != c.ok {
			t.Errorf("Check(1625, %d, %s) = %v, want ok=%v", c.points, c.fine, err, c.ok)
		}
	}
	// Other known rows.
	if err := book.Check("4702", 12, rules.Yuan(200)); err != nil {
		t.Errorf("4702 (wrong way on an expressway, 12 points): %v", err)
	}
	if err := book.Check("1039", 0, rules.Yuan(100)); err != nil {
		t.Errorf("1039 (parking, 0 points): %v", err)
	}
	if err := book.Check("1362", 3, rules.Yuan(50)); err != nil {
		t.Errorf("1362 (phone, 3 points): %v", err)
	}
}

func TestLoadFromPath(t *testing.T) {
	dir := t.TempDir()
	hol := filepath.Join(dir, "h.tsv")
	if err := os.WriteFile(hol, []byte("date\tkind\tname\n2030-01-02\tholiday\tX\n2030-01-05\tworkday\tX\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cal, err := Calendar(hol)
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkday(date(t, "2030-01-02")) || !cal.IsWorkday(date(t, "2030-01-05")) || !cal.IsWorkday(date(t, "2030-01-03")) {
		t.Error("calendar from file does not have its holidays")
	}
	// The file replaces the embedded data entirely.
	if !cal.IsWorkday(date(t, "2024-10-08")) || !cal.IsWorkday(date(t, "2024-10-01")) {
		t.Error("calendar from file still has embedded holidays")
	}

	codes := filepath.Join(dir, "c.tsv")
	if err := os.WriteFile(codes, []byte("code\tdescription\tpoints\tfine_min\tfine_max\n9001\tX\t3\t10\t20\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	book, err := Codes(codes)
	if err != nil {
		t.Fatal(err)
	}
	if book.Len() != 1 || book.Check("9001", 3, rules.Yuan(21)) == nil || book.Check("9001", 3, rules.Yuan(15)) != nil {
		t.Errorf("code book from file: Len %d", book.Len())
	}

	for _, p := range []string{filepath.Join(dir, "missing.tsv"), dir} {
		if _, err := Calendar(p); err == nil {
			t.Errorf("Calendar(%s) succeeded", p)
		}
		if _, err := Codes(p); err == nil {
			t.Errorf("Codes(%s) succeeded", p)
		}
	}
}

func TestParseHolidays(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string // substring; "" for success
	}{
		{"comments, blank lines, CRLF, extra columns", "# comment\n\ndate\tkind\tname\tnote\r\n# c\n2030-01-02\tholiday\tX\tn\r\n\n2030-01-05\t workday \tX\r\n", ""},
		{"columns in another order", "name\tdate\tkind\nX\t2030-01-02\tholiday\n", ""},
		{"bad date", "date\tkind\tname\n2030-01-02\tholiday\tX\n2023-02-29\tholiday\tX\n", "line 3: date:"},
		{"date in another format", "date\tkind\tname\n2030/01/02\tholiday\tX\n", "line 2: date:"},
		{"empty date", "date\tkind\tname\n\tholiday\tX\n", "line 2: date:"},
		{"bad kind", "# c\ndate\tkind\tname\n2030-01-02\tholiday\tX\n\n2030-01-03\tvacation\tX\n", `line 5: kind "vacation"`},
		{"missing kind field", "date\tkind\tname\n2030-01-02\n", `line 2: kind ""`},
		{"missing column", "date\tname\n2030-01-02\tX\n", `line 1: missing column "kind"`},
		{"missing column after comments", "# a\n\n# b\ndate\tkind\n", `line 4: missing column "name"`},
		{"spaces instead of tabs", "date kind name\n", `line 1: missing column "date"`},
		{"empty file", "", "no header line"},
		{"only comments", "# nothing\n\n", "line 3: no header line"},
		{"line too long", "date\tkind\tname\n" + strings.Repeat("x", 70000) + "\n", "line 2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal, err := ParseHolidays(strings.NewReader(tt.in))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if cal.IsWorkday(date(t, "2030-01-02")) {
					t.Error("2030-01-02 is not a holiday")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseCodes(t *testing.T) {
	const header = "code\tdescription\tpoints\tfine_min\tfine_max\n"
	tests := []struct {
		name    string
		in      string
		wantLen int
		wantErr string
	}{
		{"ok", header + "1625\t闯红灯\t6\t20\t200\n1039\t违停\t0\t20\t200\n", 2, ""},
		{"variant row without a code is skipped", header + "1625\t闯红灯\t6\t20\t200\n\t变体\t9\tx\ty\n", 1, ""},
		{"empty fines", header + "1711\t醉驾\t12\t\t\n", 1, ""},
		{"extra columns and CRLF", "code\tdescription\tpoints\tfine_min\tfine_max\tsource\r\n1\tA\t1\t1\t2\tS\r\n", 1, ""},
		{"points 2 (abolished)", header + "1625\tX\t6\t20\t200\n1\tX\t2\t20\t200\n", 0, `line 3: points "2"`},
		{"points not a number", header + "1\tX\tsix\t20\t200\n", 0, `line 2: points "six"`},
		{"points empty", header + "1\tX\t\t20\t200\n", 0, `line 2: points ""`},
		{"points 13", header + "1\tX\t13\t20\t200\n", 0, `line 2: points "13"`},
		{"bad fine_min", header + "1\tX\t1\tabc\t200\n", 0, "line 2: fine_min:"},
		{"negative fine_max", header + "1\tX\t1\t20\t-200\n", 0, "line 2: fine_max: negative"},
		{"fine with three decimals", header + "# c\n1\tX\t1\t20.001\t200\n", 0, "line 3: fine_min: more than two decimals"},
		{"missing column", "code\tdescription\tpoints\tfine_min\n", 0, `line 1: missing column "fine_max"`},
		{"empty file", "", 0, "no header line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book, err := ParseCodes(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if book.Len() != tt.wantLen {
				t.Errorf("Len = %d, want %d", book.Len(), tt.wantLen)
			}
		})
	}
	// Parsed values are used by Check.
	book, err := ParseCodes(strings.NewReader(header + "1625\t闯红灯\t6\t20\t200.50\n1711\t醉驾\t12\t\t\n"))
	if err != nil {
		t.Fatal(err)
	}
	if book.Description("1625") != "闯红灯" {
		t.Errorf("Description = %q", book.Description("1625"))
	}
	if book.Check("1625", 6, rules.Fen(20050)) != nil || book.Check("1625", 6, rules.Fen(20051)) == nil || book.Check("1625", 3, rules.Yuan(100)) == nil {
		t.Error("1625 range or points not parsed")
	}
	if book.Check("1711", 12, rules.Yuan(5000)) != nil {
		t.Error("1711 without a range refused a fine")
	}
}
