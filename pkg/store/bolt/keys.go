package bolt

// PutEncodedIdempotent stores a record made by EncodeIdempotent under
// (scope, key); an empty key stores nothing.
func (t *Tx) PutEncodedIdempotent(scope, k string, record []byte) error {
	if k == "" {
		return nil
	}
	return t.b(bucketIdempotency).Put(key(scope, k), record)
}
