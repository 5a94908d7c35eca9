package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Column is one output column: its header in both languages and whether
// it is right-aligned (money, counts).
type Column struct {
	ZH, EN string
	Right  bool
}

// Listing is what a command prints: rows for table and plain output, and
// the value to encode for JSON (its own schema, snake_case).
type Listing struct {
	Cols []Column
	Rows [][]string
	JSON any
	// EmptyZH and EmptyEN are printed to stderr with -o table when there
	// are no rows.
	EmptyZH, EmptyEN string
	// Clip shortens long cells to this many runes (by column index), in
	// the table only: plain output keeps the full text for scripts.
	Clip map[int]int
}

// Print writes l in the run's output format: table, plain (tab-separated,
// no header) or JSON (indented, or one line per document in JSON Lines
// mode).
func (f *Factory) Print(l Listing) error {
	out := f.IO.Out
	switch f.Config.Output {
	case "json":
		if f.JSONLines {
			return writeJSONLine(out, l.JSON)
		}
		return WriteJSON(out, l.JSON)
	case "plain":
		for _, r := range l.Rows {
			clean := make([]string, len(r))
			for i, c := range r {
				clean[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
			}
			if _, err := fmt.Fprintln(out, strings.Join(clean, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	if len(l.Rows) == 0 && l.EmptyEN != "" {
		fmt.Fprintln(f.IO.Err, T(f.Config.Lang, l.EmptyZH, l.EmptyEN))
		return nil
	}
	rows := l.Rows
	if len(l.Clip) > 0 {
		rows = make([][]string, len(l.Rows))
		for i, r := range l.Rows {
			rows[i] = slices.Clone(r)
			for c, n := range l.Clip {
				if c < len(r) {
					rows[i][c] = clipText(r[c], n)
				}
			}
		}
	}
	return writeTable(out, f.Config.Lang, l.Cols, rows)
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// writeTable is the only place that calls tablewriter (v1 API).
func writeTable(w io.Writer, lang string, cols []Column, rows [][]string) error {
	header := make([]string, len(cols))
	align := make([]tw.Align, len(cols))
	for i, c := range cols {
		header[i] = T(lang, c.ZH, c.EN)
		align[i] = tw.AlignLeft
		if c.Right {
			align[i] = tw.AlignRight
		}
	}
	table := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	table.Header(header)
	if err := table.Bulk(rows); err != nil {
		return err
	}
	return table.Render()
}

// WriteJSON writes v as indented JSON, HTML characters unescaped.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONLine writes v as one line of JSON (JSON Lines).
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Say prints a line of human text to stdout (table output only), in the
// chosen language.
func (f *Factory) Say(zh, en string, args ...any) {
	if f.Config.Output == "table" {
		fmt.Fprintf(f.IO.Out, T(f.Config.Lang, zh, en)+"\n", args...)
	}
}

// SayErr prints a diagnostic line to stderr.
func (f *Factory) SayErr(line string) { fmt.Fprintln(f.IO.Err, line) }

// YesNo is how booleans read in tables.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Col is a left-aligned column.
func Col(zh, en string) Column { return Column{ZH: zh, EN: en} }

// Num is a right-aligned column (money, counts).
func Num(zh, en string) Column { return Column{ZH: zh, EN: en, Right: true} }
