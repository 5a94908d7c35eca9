package server

import (
	"net/http"
	"sync"

	"github.com/jgctl/jgctl/internal/openapi"
)

// document is the OpenAPI document generated from the declarations
// (docs/openapi.json is the same bytes).
var document = sync.OnceValue(openapi.JSON)

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(document())
}
