package bolt

import "github.com/jgctl/jgctl/pkg/store"

// PasswordHash returns a person's stored password hash ("" if none).
func (t *Tx) PasswordHash(idNumber string) (string, error) {
	return string(t.b(bucketCredentials).Get([]byte(idNumber))), nil
}

// SetPasswordHash stores a person's password hash.
func (t *Tx) SetPasswordHash(idNumber, hash string) error {
	return t.b(bucketCredentials).Put([]byte(idNumber), []byte(hash))
}

// Token returns the record of a token hash, or nil.
func (t *Tx) Token(hash []byte) (*store.TokenRecord, error) {
	return getJSON[store.TokenRecord](t, bucketTokens, hash)
}

// PutToken stores a token record under its hash.
func (t *Tx) PutToken(hash []byte, r *store.TokenRecord) error {
	return putJSON(t.b(bucketTokens), hash, r)
}
