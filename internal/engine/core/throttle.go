package core

import (
	"sync"
	"time"
)

// Throttle counts failures per key: Max failures within Window lock the
// key out until the window passes. It is per process.
type Throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	m      map[string][]time.Time
}

// NewThrottle returns a throttle allowing max failures per window.
func NewThrottle(max int, window time.Duration) *Throttle {
	return &Throttle{max: max, window: window, m: map[string][]time.Time{}}
}

func (t *Throttle) recent(id string, now time.Time) []time.Time {
	var keep []time.Time
	for _, at := range t.m[id] {
		if now.Sub(at) < t.window {
			keep = append(keep, at)
		}
	}
	return keep
}

// Allow reports whether the key is not locked out.
func (t *Throttle) Allow(id string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m[id] = t.recent(id, now); len(t.m[id]) == 0 {
		delete(t.m, id)
	}
	return len(t.m[id]) < t.max
}

// Take records an attempt as a failure if the key is not locked out, and
// reports whether it may go ahead.
func (t *Throttle) Take(id string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[id] = t.recent(id, now)
	if len(t.m[id]) >= t.max {
		return false
	}
	t.m[id] = append(t.m[id], now)
	return true
}

// Fail records a failure.
func (t *Throttle) Fail(id string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[id] = append(t.recent(id, now), now)
}

// Reset forgets the key's failures.
func (t *Throttle) Reset(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, id)
}
