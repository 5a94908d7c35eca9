package store

import (
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommitter runs write functions from many goroutines in shared bbolt
// transactions: one committer takes whatever is queued, runs it all in one
// Update and wakes the callers. There is no timer: a lone writer commits at
// once, and under load each commit carries everything that queued during
// the previous one (bbolt's db.Batch waits 10 ms instead).
type groupCommitter struct {
	db    *bolt.DB
	queue chan *call
	done  sync.WaitGroup
}

type call struct {
	fn  func(*Tx) error
	err chan error
}

const maxGroup = 512

var errSkip = errors.New("store: call failed, retry group without it")

func newGroupCommitter(db *bolt.DB) *groupCommitter {
	g := &groupCommitter{db: db, queue: make(chan *call, maxGroup)}
	g.done.Add(1)
	go g.loop()
	return g
}

func (g *groupCommitter) do(fn func(*Tx) error) error {
	c := &call{fn: fn, err: make(chan error, 1)}
	g.queue <- c
	return <-c.err
}

func (g *groupCommitter) stop() {
	close(g.queue)
	g.done.Wait()
}

func (g *groupCommitter) loop() {
	defer g.done.Done()
	group := make([]*call, 0, maxGroup)
	for c := range g.queue {
		group = append(group[:0], c)
	drain:
		for len(group) < maxGroup {
			select {
			case c, ok := <-g.queue:
				if !ok {
					break drain
				}
				group = append(group, c)
			default:
				break drain
			}
		}
		g.commit(group)
	}
}

// commit runs the group in one transaction. A function that fails has its
// error delivered and the transaction is redone without it, so no caller
// ever sees another caller's partial writes.
func (g *groupCommitter) commit(group []*call) {
	for len(group) > 0 {
		failed := -1
		var failErr error
		err := g.db.Update(func(btx *bolt.Tx) error {
			tx := &Tx{tx: btx}
			for i, c := range group {
				if err := c.fn(tx); err != nil {
					failed, failErr = i, err
					return errSkip
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].err <- failErr
			group = append(group[:failed], group[failed+1:]...)
			continue
		}
		for _, c := range group {
			c.err <- err
		}
		return
	}
}
