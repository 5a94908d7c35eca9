package api

// ImportKind names what an import file holds.
type ImportKind string

// Import kinds.
const (
	ImportLicences   ImportKind = "licences"
	ImportVehicles   ImportKind = "vehicles"
	ImportViolations ImportKind = "violations"
)

// ImportFormat is the file format.
type ImportFormat string

// Import formats; empty means detect from the first byte ('{' is JSONL).
const (
	FormatCSV   ImportFormat = "csv"
	FormatJSONL ImportFormat = "jsonl"
)

// ImportRequest describes an import; the data comes as a stream beside it.
type ImportRequest struct {
	Kind      ImportKind   `json:"kind" path:"kind" doc:"What the file holds."`
	Format    ImportFormat `json:"format,omitempty" query:"format" doc:"File format; absent: JSONL when the first non-space byte is '{', else CSV. The Content-Type header is not read."`
	ChunkSize int          `json:"chunk_size,omitempty" query:"chunk_size" doc:"Rows per transaction (0 or absent: the default; at most 100,000)."`
	// Encoding of the file: "" or "utf-8", or "gbk" (read as GB18030).
	Encoding string `json:"encoding,omitempty" query:"encoding" doc:"Text encoding of the file: utf-8 (default) or gbk (read as GB18030)."`
}

// Reject is an input row that was not imported, with the reason.
type Reject struct {
	Line     int    `json:"line"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
	ReasonZH string `json:"reason_zh,omitempty"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Kind       ImportKind `json:"kind"`
	Rows       int        `json:"rows"`
	Inserted   int        `json:"inserted"`
	Updated    int        `json:"updated"`
	Duplicates int        `json:"duplicates" doc:"Violation records skipped because their record number exists."`
	Rejected   int        `json:"rejected"`
	Rejects    []Reject   `json:"rejects" doc:"The first 1,000 rejects."`
	// RejectsTruncated is set when more rejects happened than are listed.
	RejectsTruncated bool `json:"rejects_truncated,omitempty"`
	// StoppedAtLine is set only when the import stopped early, with an
	// error: the damaged line, the line after the last row read when it was
	// interrupted, or the first line of the chunk whose commit failed. The
	// counts above then cover the committed chunks only.
	StoppedAtLine int `json:"stopped_at_line,omitempty" doc:"Set only when the import stopped early: the damaged line, or the line after the last row read when interrupted."`
	// CommittedThroughLine comes with StoppedAtLine: the last line of the
	// last committed chunk (absent when none was). Rows after it were not
	// imported.
	CommittedThroughLine int `json:"committed_through_line,omitempty" doc:"With stopped_at_line: the last line of the last committed chunk."`
}

// SweepResult counts what a sweep did: payments folded into their records,
// and expired online handlings returned to unhandled.
type SweepResult struct {
	Folded  int `json:"folded"`
	Expired int `json:"expired"`
}
