package api

// ErrorDetail is the error of an error answer.
type ErrorDetail struct {
	Code      string `json:"code" doc:"Stable machine code, e.g. BAD_JSON, UNAUTHENTICATED, STAFF_ONLY, RECORD_NOT_FOUND."`
	Kind      string `json:"kind" schema:"ErrorKind"`
	Field     string `json:"field,omitempty" doc:"The request field (or header) the error concerns, if any."`
	Message   string `json:"message" doc:"English message."`
	MessageZH string `json:"message_zh,omitempty" doc:"Chinese message."`
}

// ErrorBody is the JSON of every error answer over HTTP. An import that
// failed partway also carries what it committed (Result).
type ErrorBody struct {
	Error  ErrorDetail   `json:"error"`
	Result *ImportResult `json:"result,omitempty" doc:"Imports only: what was committed before the error, and where it stopped."`
}
