package bolt

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
//     runs plus one run per mergeFanIn chunks of history (about 8 per
//     million records);
//   - records written one at a time go to a small ordinary bucket ("live").
//
// A query seeks its prefix in every run whose Bloom filter (filter.go) may
// hold its plate. Every step is inside a single
// transaction, so the index is always consistent with the records.
const mergeFanIn = 16

const (
	runLevel0 byte = 0
	// maxRunLevel bounds merges: a level-1 run holds mergeFanIn chunks
	// (about 130,000 keys), which one transaction merges in about 10 MB.
	maxRunLevel byte = 1
	runLive     byte = 0xFF
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
	name := runName(runLevel0, id)
	run, err := parent.CreateBucket(name)
	if err != nil {
		return err
	}
	if err := putSorted(run, keys); err != nil {
		return err
	}
	var plates plateSet
	for _, k := range keys {
		plates.add(k)
	}
	if err := parent.Put(filterKey(name), newFilter(plates.hashes)); err != nil {
		return err
	}
	for level := runLevel0; level < maxRunLevel; level++ {
		var names [][]byte
		c := parent.Cursor()
		for k, v := c.Seek([]byte{level}); k != nil && k[0] == level; k, v = c.Next() {
			if v == nil {
				names = append(names, bytes.Clone(k))
			}
		}
		if len(names) < mergeFanIn {
			return nil
		}
		if err := mergeRuns(parent, names, level+1); err != nil {
			return err
		}
	}
	return nil
}

// mergeRuns replaces the named runs by one run of the given level holding
// all their keys. It streams a k-way merge of the runs' cursors into the
// new run (bbolt copies each key on Put), so it holds no key list of its own.
func mergeRuns(parent *bolt.Bucket, names [][]byte, level byte) error {
	id, err := parent.NextSequence()
	if err != nil {
		return err
	}
	name := runName(level, id)
	merged, err := parent.CreateBucket(name)
	if err != nil {
		return err
	}
	var plates plateSet
	merged.FillPercent = 1
	curs := make([]*bolt.Cursor, len(names))
	heads := make([][]byte, len(names))
	for i, n := range names {
		curs[i] = parent.Bucket(n).Cursor()
		heads[i], _ = curs[i].First()
	}
	var last []byte
	for {
		min := -1
		for i, h := range heads {
			if h != nil && (min < 0 || bytes.Compare(h, heads[min]) < 0) {
				min = i
			}
		}
		if min < 0 {
			break
		}
		if k := heads[min]; last == nil || !bytes.Equal(k, last) {
			if err := merged.Put(k, nil); err != nil {
				return err
			}
			plates.add(k)
			last = k
		}
		heads[min], _ = curs[min].Next()
	}
	for _, n := range names {
		if err := parent.DeleteBucket(n); err != nil {
			return err
		}
		if err := parent.Delete(filterKey(n)); err != nil {
			return err
		}
	}
	return parent.Put(filterKey(name), newFilter(plates.hashes))
}

// plateSet collects the plate hashes of sorted index keys, each plate once.
type plateSet struct {
	last   []byte
	hashes []uint64
}

func (s *plateSet) add(k []byte) {
	if p := platePrefix(k); !bytes.Equal(p, s.last) {
		s.hashes = append(s.hashes, plateHash(p))
		s.last = p
	}
}

// putLive adds one key to the live run.
func putLive(parent *bolt.Bucket, k []byte) error {
	live, err := parent.CreateBucketIfNotExists(runName(runLive, 0))
	if err != nil {
		return err
	}
	return live.Put(k, nil)
}

// deleteFromRuns removes a key from whichever runs hold it.
func deleteFromRuns(parent *bolt.Bucket, k []byte) error {
	return parent.ForEachBucket(func(name []byte) error {
		return parent.Bucket(name).Delete(k)
	})
}

// runKeys returns the suffixes (after pfx) of every key with that prefix
// in any run, sorted, for suffixes greater than after. They point into the
// transaction's pages: use them before it writes to the index or ends.
func runKeys(parent *bolt.Bucket, pfx []byte, after string) [][]byte {
	var out [][]byte
	start := pfx
	if after != "" {
		start = append(bytes.Clone(pfx), after+"\x00"...)
	}
	h := plateHash(pfx)
	c := parent.Cursor()
	for name, v := c.First(); name != nil; {
		if v != nil { // a filter whose run was passed over
			name, v = c.Next()
			continue
		}
		run := name
		// The run's filter, if it has one, is the next key.
		if name, v = c.Next(); v != nil && isFilterOf(name, run) {
			ok := filterMayHold(v, h)
			if name, v = c.Next(); !ok {
				continue
			}
		}
		rc := parent.Bucket(run).Cursor()
		for k, _ := rc.Seek(start); k != nil && bytes.HasPrefix(k, pfx); k, _ = rc.Next() {
			out = append(out, k[len(pfx):])
		}
	}
	slices.SortFunc(out, bytes.Compare)
	return slices.CompactFunc(out, bytes.Equal)
}
