package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// KeyScope is the namespace of a caller's idempotency keys for one kind of
// request: keys belong to the caller, never to the record or decision a
// request names, so a key reused for a different target is refused.
// Callers without an account (open registration) share one namespace.
func KeyScope(op string, a api.Actor) string {
	if a.Role == "" {
		return op + ":anonymous"
	}
	return op + ":" + a.String()
}

// RequestHash fingerprints a request so that an idempotency key reused for
// a different request is refused.
func RequestHash(v any) string {
	b, _ := json.Marshal(v) // request types always encode
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// Replay returns the stored response of an idempotent request, if any; a
// key used before for a different request is rules.ErrIdempotencyReuse.
func Replay[T any](tx store.Tx, scope, key, hash string) (*T, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	raw, ok, err := tx.Idempotent(scope, key, hash)
	if !ok || err != nil {
		return nil, false, err
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false, rules.ErrStoreDamaged.Withf("the stored answer of idempotency key %q cannot be read", key)
	}
	return &out, true, nil
}

// Remember stores the response of an idempotent request.
func Remember(tx store.Tx, scope, key, hash string, resp any) error {
	if key == "" {
		return nil
	}
	return tx.PutIdempotent(scope, key, hash, resp)
}

// Keyed runs fn in one write transaction under an idempotency key: a
// repeat of the request answers fn's first answer (replayed is then
// true), and another request under the key is rules.ErrIdempotencyReuse.
func Keyed[T any](ctx context.Context, st store.Store, scope, key, hash string, fn func(tx store.Tx) (*T, error)) (out *T, replayed bool, err error) {
	err = st.Update(ctx, func(tx store.Tx) error {
		var err error
		if out, replayed, err = Replay[T](tx, scope, key, hash); replayed || err != nil {
			return err
		}
		if out, err = fn(tx); err != nil {
			return err
		}
		return Remember(tx, scope, key, hash, out)
	})
	return out, replayed, err
}
