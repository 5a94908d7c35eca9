package store

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The plate index (plate → record numbers) is the one index whose keys
// arrive in random order: a plate's records are spread over years of
// imports. Inserting them into one B+tree touches a page per key, which
// made imports slow down as the store grew. Instead the index is a set of
// sorted runs, as in a log-structured merge tree:
//
//   - every import chunk writes its keys, sorted, into a new nested bucket
//     (a level-0 run) in the same transaction as the records: a sequential
//     append, whatever the store's size;
//   - when mergeFanIn level-0 runs exist, the same transaction merges them
//     into one level-1 run, so a query seeks at most mergeFanIn-1 small
//     runs plus one run per ~mergeFanIn chunks of history;
//   - records written one at a time go to a small ordinary bucket ("live").
//
// A query seeks its prefix in every run. Every step is inside a single
// transaction, so the index is always consistent with the records.
const mergeFanIn = 8

const (
	runLevel0 byte = 0
	runLevel1 byte = 1
	runLive   byte = 0xFF
)

func runName(level byte, id uint64) []byte { return append([]byte{level}, u64(id)...) }

// addRun writes keys (sorted here) as a new level-0 run of the index
// bucket and merges level-0 runs when there are enough.
func addRun(parent *bolt.Bucket, keys [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	id, err := parent.NextSequence()
	if err != nil {
		return err
	}
	run, err := parent.CreateBucket(runName(runLevel0, id))
	if err != nil {
		return err
	}
	if err := putSorted(run, keys); err != nil {
		return err
	}
	var level0 [][]byte
	c := parent.Cursor()
	for k, v := c.Seek([]byte{runLevel0}); k != nil && k[0] == runLevel0; k, v = c.Next() {
		if v == nil {
			level0 = append(level0, bytes.Clone(k))
		}
	}
	if len(level0) < mergeFanIn {
		return nil
	}
	return mergeRuns(parent, level0)
}

// mergeRuns replaces the named runs by one level-1 run holding all their keys.
func mergeRuns(parent *bolt.Bucket, names [][]byte) error {
	var all [][]byte
	for _, n := range names {
		parent.Bucket(n).ForEach(func(k, _ []byte) error {
			all = append(all, bytes.Clone(k)) // pages of deleted runs may be reused
			return nil
		})
	}
	id, err := parent.NextSequence()
	if err != nil {
		return err
	}
	merged, err := parent.CreateBucket(runName(runLevel1, id))
	if err != nil {
		return err
	}
	if err := putSorted(merged, all); err != nil {
		return err
	}
	for _, n := range names {
		if err := parent.DeleteBucket(n); err != nil {
			return err
		}
	}
	return nil
}

// putLive adds one key to the live run.
func putLive(parent *bolt.Bucket, k []byte) error {
	live, err := parent.CreateBucketIfNotExists(runName(runLive, 0))
	if err != nil {
		return err
	}
	return live.Put(k, nil)
}

// runKeys returns the suffixes (after pfx) of every key with that prefix
// in any run, sorted, for suffixes greater than after.
func runKeys(parent *bolt.Bucket, pfx []byte, after string) []string {
	var out []string
	start := pfx
	if after != "" {
		start = append(bytes.Clone(pfx), after+"\x00"...)
	}
	c := parent.Cursor()
	for name, v := c.First(); name != nil; name, v = c.Next() {
		if v != nil {
			continue // not a run
		}
		rc := parent.Bucket(name).Cursor()
		for k, _ := rc.Seek(start); k != nil && bytes.HasPrefix(k, pfx); k, _ = rc.Next() {
			out = append(out, string(k[len(pfx):]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
