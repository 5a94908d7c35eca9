package store

import "encoding/json"

// EncodeIdempotent encodes the record of an idempotent request (its
// request hash and its response) for PutEncodedIdempotent, so that a hot
// write transaction does no encoding.
func EncodeIdempotent(hash string, response any) ([]byte, error) {
	raw, err := json.Marshal(response)
	if err != nil {
		return nil, err
	}
	v := make([]byte, 0, len(hash)+1+len(raw))
	return append(append(append(v, hash...), '\n'), raw...), nil
}

// PutEncodedIdempotent stores a record made by EncodeIdempotent under
// (scope, key); an empty key stores nothing.
func (t *Tx) PutEncodedIdempotent(scope, k string, record []byte) error {
	if k == "" {
		return nil
	}
	return t.b(bucketIdempotency).Put(key(scope, k), record)
}
