package openapi_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jgctl/jgctl/internal/openapi"
	"github.com/jgctl/jgctl/internal/textdiff"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json")

// TestDocumentUpToDate fails when docs/openapi.json differs from the
// document the declarations make (`go run ./cmd/gen-docs`, or this test
// with -update, rewrites it).
func TestDocumentUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "openapi.json")
	fresh := openapi.JSON()
	if *update {
		if err := os.WriteFile(path, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, fresh) {
		t.Errorf("docs/openapi.json is out of date (run `go run ./cmd/gen-docs` or `go test ./internal/openapi -update`):\n%s",
			textdiff.Lines(string(committed), string(fresh), 2))
	}
}

// TestDocumentValid loads the document with kin-openapi and validates it.
func TestDocumentValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("not a valid OpenAPI document: %v", err)
	}
}
