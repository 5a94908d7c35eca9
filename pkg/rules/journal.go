package rules

import "time"

// AuditEntry records one mutation and who made it.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail,omitempty"`
}

// Notification is a message (SMS) in the outbox, waiting to be sent.
type Notification struct {
	Seq       uint64    `json:"seq"`
	CreatedAt time.Time `json:"created_at"`
	To        string    `json:"to"`
	Template  string    `json:"template"`
	Text      string    `json:"text"`
}
