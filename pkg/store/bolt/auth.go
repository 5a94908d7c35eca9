package store

import (
	"time"
)

// TokenRecord is what the store keeps of a bearer token: who it acts as
// and until when. It is keyed by the token's SHA-256, never the token.
type TokenRecord struct {
	Role      string    `json:"role"`
	Subject   string    `json:"subject"` // the ID number of a person, or a service account's name
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// PasswordHash returns a person's stored password hash ("" if none).
func (t *Tx) PasswordHash(idNumber string) string {
	return string(t.b(bucketCredentials).Get([]byte(idNumber)))
}

// SetPasswordHash stores a person's password hash.
func (t *Tx) SetPasswordHash(idNumber, hash string) error {
	return t.b(bucketCredentials).Put([]byte(idNumber), []byte(hash))
}

// Token returns the record of a token hash, or nil.
func (t *Tx) Token(hash []byte) (*TokenRecord, error) {
	return getJSON[TokenRecord](t, bucketTokens, hash)
}

// PutToken stores a token record under its hash.
func (t *Tx) PutToken(hash []byte, r *TokenRecord) error {
	return putJSON(t.b(bucketTokens), hash, r)
}
