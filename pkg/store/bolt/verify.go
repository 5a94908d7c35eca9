package bolt

import (
	"context"
	"errors"
	"fmt"
	"github.com/jgctl/jgctl/pkg/store/codec"
	"os"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	bolt "go.etcd.io/bbolt"
)

// Verify checks the file (its meta pages and page trees, then bbolt's page
// check) and that every index agrees with the records: each record has
// exactly one plate and one status entry (unless paid) and each decision
// points at its record. Damage is reported as problems, not as an error.
// Run it with no writer running: it reads the file as well as the map.
func (s *Store) Verify(context.Context) (*store.Report, error) {
	r := &store.Report{Backend: "bbolt", Problems: []string{}}
	if r.Problems = checkPages(s.db.Path()); len(r.Problems) > 0 {
		// Reading on through damaged pages could loop forever.
		return r, nil
	}
	err := s.view(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			r.Problems = append(r.Problems, "page check: "+err.Error())
		}
		var err error
		if r.SchemaVersion, err = readVersion(btx); err != nil {
			return err
		}
		t := &Tx{tx: btx}
		problem := func(format string, args ...any) {
			if len(r.Problems) < 100 {
				r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
			}
		}
		plates := map[string]bool{}
		runs := t.b(idxViolationPlate)
		runs.ForEachBucket(func(name []byte) error {
			r.PlateRuns++
			filter := runs.Get(filterKey(name))
			return runs.Bucket(name).ForEach(func(k, _ []byte) error {
				r.PlateIndex++
				plates[string(k)] = true
				if filter != nil && !filterMayHold(filter, plateHash(platePrefix(k))) {
					problem("plate index: the filter of run %x misses %q", name, k)
				}
				return nil
			})
		})
		statuses := map[string]bool{}
		t.b(idxViolationStatus).ForEach(func(k, _ []byte) error {
			r.StatusIndex++
			statuses[string(k)] = true
			return nil
		})
		r.Decisions = t.b(bucketDecisions).Stats().KeyN
		r.Payments = t.b(bucketPayments).Stats().KeyN
		return t.b(bucketViolations).ForEach(func(k, raw []byte) error {
			r.Records++
			var v rules.Violation
			if err := codec.DecodeViolation(raw, &v); err != nil {
				problem("record %s: %v", k, err)
				return nil
			}
			if !plates[string(key(v.Plate, string(v.PlateType), v.RecordNo))] {
				problem("record %s: missing from the plate index", k)
			}
			if indexedStatus(v.Status) != statuses[string(key(string(v.Status), v.RecordNo))] {
				problem("record %s: status index disagrees with status %s", k, v.Status)
			}
			if v.DecisionNo != "" && string(t.b(bucketDecisions).Get([]byte(v.DecisionNo))) != v.RecordNo {
				problem("record %s: decision %s does not point at it", k, v.DecisionNo)
			}
			return nil
		})
	})
	if errors.Is(err, rules.ErrStoreDamaged) {
		r.Problems = append(r.Problems, "reading the records failed: "+err.Error())
		return r, nil
	}
	if err == nil {
		if r.PlateIndex != r.Records {
			r.Problems = append(r.Problems, fmt.Sprintf("plate index has %d entries for %d records", r.PlateIndex, r.Records))
		}
	}
	return r, err
}

// checkPages returns what is wrong with the meta pages and the page trees
// of the file at path.
func checkPages(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return []string{err.Error()}
	}
	m, problems, fatal := checkMeta(f, fi.Size())
	if !fatal {
		trees, _ := checkTrees(f, m, true)
		problems = append(problems, trees...)
	}
	if problems == nil {
		problems = []string{}
	}
	return problems
}

// VerifyFile is Verify for the store file at path, opened read-only. Damage
// that keeps the file from opening is reported as problems too; a missing
// file or a lock held too long is an error.
func VerifyFile(path string, o Options) (*store.Report, error) {
	o.ReadOnly, o.Create = true, false
	s, err := Open(path, o)
	if errors.Is(err, rules.ErrStoreDamaged) {
		r := &store.Report{Backend: "bbolt", Problems: checkPages(path)}
		if len(r.Problems) == 0 {
			r.Problems = append(r.Problems, err.Error())
		}
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Verify(context.Background())
}
