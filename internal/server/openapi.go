package server

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the OpenAPI 3 document of the /v1 API (also docs/openapi.json).
//
//go:embed openapi.json
var openapiJSON []byte

func (h *Handler) openapi(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiJSON)
}
