// Package examples embeds the sample import files documented in
// docs/import-formats.md, which `jgctl demo` loads.
package examples

import "embed"

// Files holds licences.csv, vehicles.csv, violations.csv and violations.jsonl.
//
//go:embed *.csv *.jsonl
var Files embed.FS
