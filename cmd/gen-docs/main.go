// Command gen-docs regenerates jgctl's Markdown command reference, the
// OpenAPI document of the HTTP API and the error-code tables of
// docs/exit-codes.md (from the catalogue of pkg/rules):
//
//	go run ./cmd/gen-docs            # writes docs/cli/, docs/openapi.json, docs/exit-codes.md
//	go run ./cmd/gen-docs -out DIR -openapi FILE -exit-codes FILE
//
// TestDocsUpToDate fails when docs/cli/ differs from what this writes,
// TestExitCodesUpToDate when docs/exit-codes.md does, and internal/server's
// TestOpenAPIUpToDate when docs/openapi.json does.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/jgctl/jgctl/cmd/jgctl/clidocs"
	"github.com/jgctl/jgctl/internal/openapi"
)

func main() {
	out := flag.String("out", "docs/cli", "directory to write the Markdown files into")
	spec := flag.String("openapi", "docs/openapi.json", "file to write the OpenAPI document into")
	codes := flag.String("exit-codes", "docs/exit-codes.md", "file whose error-code tables to regenerate")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen-docs [-out DIR] [-openapi FILE] [-exit-codes FILE]")
		os.Exit(2)
	}
	err := clidocs.Generate(*out)
	if err == nil {
		err = os.WriteFile(*spec, openapi.JSON(), 0o644)
	}
	if err == nil {
		err = writeCodeTables(*codes)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}
