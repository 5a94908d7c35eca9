// Package store persists jgctl's records in a bbolt file: one schema
// (schema.go), big-endian and 0-separated keys, prefix-scanned secondary
// indexes, a schema version with migrations, and a group committer so
// concurrent writers share fsyncs.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options configure Open.
type Options struct {
	// ReadOnly opens with a shared lock; writes fail.
	ReadOnly bool
	// Create lets Open create a missing file (and its directories) or
	// initialise an empty one. Without it a missing path is
	// rules.ErrStoreNotFound: only commands that write create a store.
	Create bool
	// LockTimeout bounds the wait for the file lock (default 1 s).
	LockTimeout time.Duration
	// NoSync skips fsync: tests and benchmarks only.
	NoSync bool
	// FastCommits does not write the free-page list at each commit, so a
	// commit writes fewer pages (about twice the durable payments per
	// second for one caller), but opening read-write walks the whole file
	// to rebuild the list (about 0.3 s per million records). For
	// long-running processes (a server); still fully durable.
	FastCommits bool

	noInit bool // set when Open initialises a file itself, against loops
}

// Store is an open bbolt store.
type Store struct {
	db *bolt.DB
	gc *groupCommitter
}

// Open opens the store at path, creating it only with o.Create. A lock
// held by another process for longer than the timeout gives
// rules.ErrStoreLocked instead of a hang; a file that is not a sound bbolt
// file gives rules.ErrStoreDamaged, naming what is wrong.
func Open(path string, o Options) (*Store, error) {
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && fi.Size() == 0 && o.Create:
		if !o.Create {
			return nil, rules.ErrStoreNotFound.Withf("%s", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, rules.ErrStoreUnavailable.Withf("%v", err)
		}
		if o.ReadOnly {
			// bbolt initialises a file in a read-write open only.
			if err := initFile(path, o); err != nil {
				return nil, err
			}
		}
	case err != nil:
		return nil, rules.ErrStoreUnavailable.Withf("%v", err)
	case fi.IsDir():
		return nil, rules.ErrStoreUnavailable.Withf("%s is a directory, not a store file", path)
	default:
		if err := checkFile(path, fi.Size()); err != nil {
			return nil, err
		}
	}
	bo := *bolt.DefaultOptions
	bo.Timeout = o.LockTimeout
	bo.ReadOnly = o.ReadOnly
	bo.NoSync = o.NoSync
	bo.NoFreelistSync = o.FastCommits
	bo.FreelistType = bolt.FreelistMapType
	// Map 1 GiB of address space up front: a write that has to remap
	// waits for every open reader, which shows up as latency spikes.
	bo.InitialMmapSize = 1 << 30
	var db *bolt.DB
	err = guarded(path, func() (err error) { db, err = bolt.Open(path, 0o600, &bo); return err })
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, rules.ErrStoreLocked.Withf("%s", path)
		}
		if errors.Is(err, rules.ErrStoreDamaged) {
			return nil, err
		}
		return nil, rules.ErrStoreUnavailable.Withf("%v", err)
	}
	s := &Store{db: db}
	if o.ReadOnly {
		var v int
		err = s.view(func(tx *bolt.Tx) (err error) { v, err = readVersion(tx); return err })
		if err == nil && v == 0 && o.Create && !o.noInit {
			// Created but never initialised (a writer died at once):
			// initialise it, then read it as an empty store.
			db.Close()
			if err := initFile(path, o); err != nil {
				return nil, err
			}
			o.noInit = true
			return Open(path, o)
		}
		switch {
		case err == nil && v > SchemaVersion:
			err = rules.ErrStoreUnavailable.Withf("schema version %d is newer than this jgctl (%d): upgrade jgctl", v, SchemaVersion)
		case err == nil && v != SchemaVersion:
			err = rules.ErrStoreUnavailable.Withf("schema version %d, this jgctl reads %d (open it once read-write to migrate)", v, SchemaVersion)
		}
	} else {
		err = guarded(path, func() error { return db.Update(func(tx *bolt.Tx) error { return migrate(tx, migrations) }) })
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	if !o.ReadOnly {
		s.gc = newGroupCommitter(db)
	}
	return s, nil
}

// checkFile refuses a file that bbolt cannot map safely (checkMeta) or
// whose root bucket is damaged (which every transaction reads).
func checkFile(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return rules.ErrStoreUnavailable.Withf("%v", err)
	}
	defer f.Close()
	m, problems, fatal := checkMeta(f, size)
	if fatal && foreign(f, size) {
		return rules.ErrStoreUnavailable.Withf("%s is not a jgctl store (not a bbolt file)", path)
	}
	if !fatal {
		problems, _ = checkTrees(f, m, false)
	}
	if fatal || len(problems) > 0 {
		return rules.ErrStoreDamaged.Withf("%s: %s", path, strings.Join(problems, "; "))
	}
	return nil
}

func initFile(path string, o Options) error {
	s, err := Open(path, Options{Create: true, LockTimeout: o.LockTimeout, NoSync: o.NoSync, noInit: true})
	if err != nil {
		return err
	}
	return s.Close()
}

// Close stops the committer and closes the file.
func (s *Store) Close() error {
	if s.gc != nil {
		s.gc.stop()
	}
	return s.db.Close()
}

// Path returns the file path.
func (s *Store) Path() string { return s.db.Path() }

// View runs fn in a read-only transaction.
func (s *Store) View(_ context.Context, fn func(store.Tx) error) error {
	return s.viewTx(func(t *Tx) error { return fn(t) })
}

// viewTx is View with the bbolt transaction type.
func (s *Store) viewTx(fn func(*Tx) error) error {
	return s.view(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// view is db.View guarded against a damaged file.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return guarded(s.db.Path(), func() error { return s.db.View(fn) })
}

// Update runs fn in a write transaction shared with other concurrent
// callers (group commit). fn may run more than once (when another
// caller's function in the same group fails) and must have no effects
// outside the transaction. Its error is returned and its writes discarded.
func (s *Store) Update(_ context.Context, fn func(store.Tx) error) error {
	return s.updateTx(func(t *Tx) error { return fn(t) })
}

// updateTx is Update with the bbolt transaction type.
func (s *Store) updateTx(fn func(*Tx) error) error {
	if s.gc == nil {
		return rules.ErrStoreUnavailable.Withf("store opened read-only")
	}
	return s.gc.do(fn)
}

// Check runs bbolt's consistency check.
func (s *Store) Check() error {
	return s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
}

// A migration moves the schema from version From to From+1.
type migration struct {
	From int
	Run  func(*bolt.Tx) error
}

// migrations lists every step; version 0 is an empty file.
var migrations = []migration{
	{From: 0, Run: func(tx *bolt.Tx) error { return createBuckets(tx, allBuckets()...) }},
	// 1 → 2: payment orders (online handling) get their own bucket.
	{From: 1, Run: func(tx *bolt.Tx) error { return createBuckets(tx, bucketOrders) }},
	// 2 → 3: passwords and bearer tokens for the remote endpoint.
	{From: 2, Run: func(tx *bolt.Tx) error { return createBuckets(tx, bucketCredentials, bucketTokens) }},
}

func createBuckets(tx *bolt.Tx, ids ...bucket) error {
	for _, id := range ids {
		if _, err := tx.CreateBucketIfNotExists(id.name()); err != nil {
			return err
		}
	}
	return nil
}

func readVersion(tx *bolt.Tx) (int, error) {
	m := tx.Bucket(bucketMeta.name())
	if m == nil {
		return 0, nil
	}
	v := m.Get(keySchemaVersion)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, rules.ErrStoreDamaged.Withf("%s: bad schema version %q", tx.DB().Path(), v)
	}
	return n, nil
}

// migrate brings the schema to the newest version in the caller's
// transaction: every step and the version bump commit together or not at all.
func migrate(tx *bolt.Tx, steps []migration) error {
	v, err := readVersion(tx)
	if err != nil {
		return err
	}
	target := len(steps)
	if v > target {
		return rules.ErrStoreUnavailable.Withf("schema version %d is newer than this jgctl (%d): upgrade jgctl", v, target)
	}
	for ; v < target; v++ {
		if err := steps[v].Run(tx); err != nil {
			return fmt.Errorf("store: migration %d→%d: %w", v, v+1, err)
		}
	}
	m, err := tx.CreateBucketIfNotExists(bucketMeta.name())
	if err != nil {
		return err
	}
	if string(m.Get(keySchemaVersion)) == strconv.Itoa(target) {
		return nil
	}
	return m.Put(keySchemaVersion, []byte(strconv.Itoa(target)))
}

var _ store.Store = (*Store)(nil)
var _ store.Tx = (*Tx)(nil)
