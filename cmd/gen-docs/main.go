// Command gen-docs regenerates jgctl's Markdown command reference:
//
//	go run ./cmd/gen-docs            # writes docs/cli/
//	go run ./cmd/gen-docs -out DIR
//
// TestDocsUpToDate fails when docs/cli/ differs from what this writes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/jgctl/jgctl/cmd/jgctl/clidocs"
)

func main() {
	out := flag.String("out", "docs/cli", "directory to write the Markdown files into")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen-docs [-out DIR]")
		os.Exit(2)
	}
	if err := clidocs.Generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}
