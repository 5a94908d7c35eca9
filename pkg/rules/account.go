package rules

import "time"

// Person is a registered platform user.
type Person struct {
	IDNumber     string    `json:"id_number"`
	Name         string    `json:"name"`
	Phone        string    `json:"phone"`
	RegisteredAt time.Time `json:"registered_at"`
	// Via says how the identity was proven: "licence" or "vehicle".
	Via string `json:"registered_via"`
}

// Unit is a registered organisation (单位).
type Unit struct {
	CreditCode    string    `json:"credit_code"`
	Name          string    `json:"name"`
	AgentIDNumber string    `json:"agent_id_number"`
	RegisteredAt  time.Time `json:"registered_at"`
}
