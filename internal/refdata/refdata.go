// Package refdata loads the reference data jgctl ships: official holidays
// and make-up working days (cn-holidays.tsv) and violation codes with
// points and fines (violation-codes.tsv). Both are embedded as defaults and
// can be replaced by files of the same format (config keys
// reference.holidays and reference.violation_codes); their sources are in
// the *-SOURCES.md files beside them.
package refdata

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/jgctl/jgctl/pkg/rules"
)

//go:embed cn-holidays.tsv
var holidaysTSV []byte

//go:embed violation-codes.tsv
var codesTSV []byte

// Calendar loads the holiday file at path, or the embedded one if path is "".
func Calendar(path string) (rules.Calendar, error) {
	r, err := open(path, holidaysTSV)
	if err != nil {
		return rules.Calendar{}, err
	}
	return ParseHolidays(r)
}

// Codes loads the violation-code file at path, or the embedded one if path is "".
func Codes(path string) (rules.CodeBook, error) {
	r, err := open(path, codesTSV)
	if err != nil {
		return rules.CodeBook{}, err
	}
	return ParseCodes(r)
}

func open(path string, def []byte) (io.Reader, error) {
	if path == "" {
		return bytes.NewReader(def), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}

// tsv reads a tab-separated file with a header, calling fn with each row's
// fields by column name and its line number.
func tsv(r io.Reader, need []string, fn func(line int, get func(string) string) error) error {
	sc := bufio.NewScanner(r)
	var cols map[string]int
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if cols == nil {
			cols = map[string]int{}
			for i, h := range f {
				cols[strings.TrimSpace(h)] = i
			}
			for _, n := range need {
				if _, ok := cols[n]; !ok {
					return fmt.Errorf("line %d: missing column %q", line, n)
				}
			}
			continue
		}
		get := func(name string) string {
			if i, ok := cols[name]; ok && i < len(f) {
				return strings.TrimSpace(f[i])
			}
			return ""
		}
		if err := fn(line, get); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", line+1, err)
	}
	if cols == nil {
		// An empty replacement file must not silently mean "no data".
		return fmt.Errorf("line %d: no header line (want columns %s)", line+1, strings.Join(need, ", "))
	}
	return nil
}

// ParseHolidays reads date, kind (holiday or workday) and name columns.
func ParseHolidays(r io.Reader) (rules.Calendar, error) {
	hol, work := map[rules.Date]string{}, map[rules.Date]string{}
	err := tsv(r, []string{"date", "kind", "name"}, func(_ int, get func(string) string) error {
		d, err := rules.ParseDate(get("date"))
		if err != nil {
			return fmt.Errorf("date: %w", err)
		}
		switch get("kind") {
		case "holiday":
			hol[d] = get("name")
		case "workday":
			work[d] = get("name")
		default:
			return fmt.Errorf("kind %q: want holiday or workday", get("kind"))
		}
		return nil
	})
	return rules.NewCalendar(hol, work), err
}

// ParseCodes reads code, description, points, fine_min and fine_max columns.
func ParseCodes(r io.Reader) (rules.CodeBook, error) {
	var entries []rules.ViolationCode
	err := tsv(r, []string{"code", "description", "points", "fine_min", "fine_max"}, func(_ int, get func(string) string) error {
		c := rules.ViolationCode{Code: get("code"), Description: get("description")}
		if c.Code == "" {
			return nil // a variant row without a code of its own
		}
		var err error
		if c.Points, err = strconv.Atoi(get("points")); err != nil || !rules.ValidPoints(c.Points) {
			return fmt.Errorf("points %q: want 0, 1, 3, 6, 9 or 12", get("points"))
		}
		for _, m := range []struct {
			col string
			dst *rules.Money
		}{{"fine_min", &c.FineMin}, {"fine_max", &c.FineMax}} {
			if s := get(m.col); s != "" {
				if *m.dst, err = rules.ParseMoney(s); err != nil {
					return fmt.Errorf("%s: %w", m.col, err)
				}
			}
		}
		entries = append(entries, c)
		return nil
	})
	return rules.NewCodeBook(entries), err
}
