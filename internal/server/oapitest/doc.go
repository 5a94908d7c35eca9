// Package oapitest holds a client generated from docs/openapi.json by
// oapi-codegen and a test that runs the README's flow through it. Regenerate
// the client after changing the document:
//
//	go generate ./internal/server/oapitest  (from this directory: go generate)
package oapitest

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -generate types,client -package oapitest_test -o client_gen_test.go ../../../docs/openapi.json
