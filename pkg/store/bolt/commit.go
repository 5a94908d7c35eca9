package bolt

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// groupCommitter runs write functions from many goroutines in shared bbolt
// transactions. There is no committer goroutine and no timer: the first
// writer to arrive while none is committing becomes the leader, lets
// writers about to queue catch up (gather), commits everything queued (its
// own call included) in one Update, then hands the lead to the first writer
// that queued meanwhile. A lone writer commits at once on its own
// goroutine; under load each commit carries everything that queued during
// the previous one (bbolt's db.Batch waits 10 ms instead).
type groupCommitter struct {
	db    *bolt.DB
	mu    sync.Mutex
	queue []*call
	busy  bool // a leader is committing
	// lastTogether is when a commit last carried more than one writer:
	// gather waits for more only while writers arrive together.
	lastTogether time.Time
	closed       bool
	idle         *sync.Cond
}

type call struct {
	fn  func(*Tx) error
	res chan result
}

type result struct {
	err  error
	lead bool // take the lead instead: commit the queue
}

var (
	errSkip   = errors.New("store: call failed, retry group without it")
	errClosed = errors.New("store: closed")
)

func newGroupCommitter(db *bolt.DB) *groupCommitter {
	g := &groupCommitter{db: db}
	g.idle = sync.NewCond(&g.mu)
	return g
}

func (g *groupCommitter) do(fn func(*Tx) error) error {
	c := &call{fn: fn, res: make(chan result, 1)}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errClosed
	}
	g.queue = append(g.queue, c)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !lead {
		r := <-c.res
		if !r.lead {
			return r.err
		}
	}
	g.gather()
	g.mu.Lock()
	group := g.queue
	g.queue = nil
	g.mu.Unlock()
	g.commit(group) // delivers every result, ours included
	g.mu.Lock()
	if len(group) > 1 {
		g.lastTogether = time.Now()
	}
	if len(g.queue) > 0 {
		g.queue[0].res <- result{lead: true}
	} else {
		g.busy = false
		g.idle.Broadcast()
	}
	g.mu.Unlock()
	return (<-c.res).err
}

// gather lets writers that are about to queue join the coming commit while
// writers arrive together (a commit carried several in the last
// togetherWindow): the leader yields its processor until the queue stops
// growing (two yields in a row without a newcomer; at most gatherYields in
// all). A lone writer goes on at once: yielding would wake an idle
// processor for nothing.
func (g *groupCommitter) gather() {
	g.mu.Lock()
	n, together := len(g.queue), time.Since(g.lastTogether) < togetherWindow
	g.mu.Unlock()
	for i, quiet := 0, 0; together && i < gatherYields && quiet < 2; i++ {
		runtime.Gosched()
		if m := g.queued(); m > n {
			n, quiet = m, 0
		} else {
			quiet++
		}
	}
}

const (
	gatherYields   = 64
	togetherWindow = 100 * time.Millisecond
)

func (g *groupCommitter) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// stop refuses new calls and waits for the running commits to finish.
func (g *groupCommitter) stop() {
	g.mu.Lock()
	g.closed = true
	for g.busy {
		g.idle.Wait()
	}
	g.mu.Unlock()
}

// commit runs the group in one transaction. A function that fails has its
// error delivered and the transaction is redone without it, so no caller
// ever sees another caller's partial writes.
func (g *groupCommitter) commit(group []*call) {
	for len(group) > 0 {
		failed := -1
		var failErr error
		err := guarded(g.db.Path(), func() error {
			return g.db.Update(func(btx *bolt.Tx) error {
				tx := &Tx{tx: btx}
				for i, c := range group {
					if err := run(c.fn, tx); err != nil {
						failed, failErr = i, err
						return errSkip
					}
				}
				return nil
			})
		})
		if failed >= 0 {
			group[failed].res <- result{err: failErr}
			group = append(group[:failed], group[failed+1:]...)
			continue
		}
		for _, c := range group {
			c.res <- result{err: err}
		}
		return
	}
}

// run calls fn, turning a panic into an error for its caller alone, so that
// one faulty function cannot wedge every writer: ErrStoreDamaged when
// reading the file raised it (guard.go).
func run(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if err = damage(r, tx.tx.DB().Path()); err == nil {
				err = fmt.Errorf("store: update function panicked: %v", r)
			}
		}
	}()
	return fn(tx)
}
