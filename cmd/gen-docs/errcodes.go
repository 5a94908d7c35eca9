package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jgctl/jgctl/pkg/rules"
)

// The generated part of docs/exit-codes.md lies between these markers.
const (
	beginCodes = "<!-- BEGIN GENERATED: error codes (go run ./cmd/gen-docs) -->\n"
	endCodes   = "<!-- END GENERATED -->\n"
)

// kindOrder lists the kinds as the tables give them: by exit status.
var kindOrder = []rules.Kind{rules.KindInvalid, rules.KindNotFound, rules.KindForbidden, rules.KindDenied, rules.KindConflict, rules.KindUnavailable, rules.KindInternal}

// codeTables is the Markdown of the error catalogue: one table per kind.
func codeTables() string {
	var b strings.Builder
	cat := rules.Catalogue()
	for i, k := range kindOrder {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "### Kind `%s`: exit %d\n\n", k, k.ExitCode())
		b.WriteString("| code | HTTP | field | message | 中文 |\n|---|---|---|---|---|\n")
		for _, e := range cat {
			if e.Kind != k {
				continue
			}
			field := "—"
			if e.Field != "" {
				field = "`" + e.Field + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s |\n", e.Code, e.HTTPStatus(), field, cell(e.EN), cell(e.ZH))
		}
	}
	return b.String()
}

// cell escapes a text for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// withCodeTables returns doc with the text between its markers replaced by
// the catalogue's tables.
func withCodeTables(doc []byte) ([]byte, error) {
	i := bytes.Index(doc, []byte(beginCodes))
	j := bytes.Index(doc, []byte(endCodes))
	if i < 0 || j < i {
		return nil, errors.New("docs/exit-codes.md: no " + strings.TrimSpace(beginCodes) + " … " + strings.TrimSpace(endCodes) + " markers")
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(beginCodes)])
	out.WriteString("\n" + codeTables() + "\n")
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// writeCodeTables regenerates the tables of the file at path.
func writeCodeTables(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := withCodeTables(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
