package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// column is one output column: its header in both languages and whether
// it is right-aligned (money, counts).
type column struct {
	zh, en string
	right  bool
}

// listing is what a command prints: rows for table and plain output, and
// the value to encode for JSON (its own schema, snake_case).
type listing struct {
	cols []column
	rows [][]string
	json any
	// empty is printed to stderr with -o table when there are no rows.
	emptyZH, emptyEN string
	// clip shortens long cells to this many runes (by column index), in
	// the table only: plain output keeps the full text for scripts.
	clip map[int]int
}

func (f *Factory) print(l listing) error {
	out := f.IO.Out
	switch f.Config.Output {
	case "json":
		return writeJSON(out, l.json)
	case "plain":
		for _, r := range l.rows {
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
	if len(l.rows) == 0 && l.emptyEN != "" {
		fmt.Fprintln(f.IO.Err, t(f.Config.Lang, l.emptyZH, l.emptyEN))
		return nil
	}
	rows := l.rows
	if len(l.clip) > 0 {
		rows = make([][]string, len(l.rows))
		for i, r := range l.rows {
			rows[i] = slices.Clone(r)
			for c, n := range l.clip {
				if c < len(r) {
					rows[i][c] = clipText(r[c], n)
				}
			}
		}
	}
	return writeTable(out, f.Config.Lang, l.cols, rows)
}

// writeTable is the only place that calls tablewriter (v1 API).
func writeTable(w io.Writer, lang string, cols []column, rows [][]string) error {
	header := make([]string, len(cols))
	align := make([]tw.Align, len(cols))
	for i, c := range cols {
		header[i] = t(lang, c.zh, c.en)
		align[i] = tw.AlignLeft
		if c.right {
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// say prints a line of human text to stdout (table output only), in the
// chosen language.
func (f *Factory) say(zh, en string, args ...any) {
	if f.Config.Output == "table" {
		fmt.Fprintf(f.IO.Out, t(f.Config.Lang, zh, en)+"\n", args...)
	}
}

// sayErr prints a diagnostic line to stderr.
func (f *Factory) sayErr(line string) { fmt.Fprintln(f.IO.Err, line) }
