package core

import (
	"context"
	"sync"
)

// KeyLocks serialises work on one key (a decision) within this process:
// work on different keys never waits, and a waiter gives up when its
// context ends.
type KeyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{} // holds a token while locked
	refs int
}

// Lock locks k and returns its unlock, or the context's error.
func (l *KeyLocks) Lock(ctx context.Context, k string) (func(), error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	kl := l.m[k]
	if kl == nil {
		kl = &keyLock{ch: make(chan struct{}, 1)}
		l.m[k] = kl
	}
	kl.refs++
	l.mu.Unlock()
	select {
	case kl.ch <- struct{}{}:
		return func() { <-kl.ch; l.drop(k, kl) }, nil
	case <-ctx.Done():
		l.drop(k, kl)
		return nil, ctx.Err()
	}
}

func (l *KeyLocks) drop(k string, kl *keyLock) {
	l.mu.Lock()
	if kl.refs--; kl.refs == 0 {
		delete(l.m, k)
	}
	l.mu.Unlock()
}
