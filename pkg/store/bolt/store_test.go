package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ---- helpers ----

// openAt opens the store at path and, at cleanup, runs bbolt's page check
// (if it is still open) and closes it.
func openAt(t *testing.T, path string, o Options) *Store {
	t.Helper()
	o.NoSync = true
	s, err := Open(path, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil && !errors.Is(err, berrors.ErrDatabaseNotOpen) {
			t.Errorf("Check: %v", err)
		}
		s.Close()
	})
	return s
}

// openTest opens a new store under t.TempDir().
func openTest(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "jgctl.db"), Options{Create: true})
}

func update(t *testing.T, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.updateTx(fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.viewTx(fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// verify runs Store.Verify and fails on any problem it reports.
func verify(t *testing.T, s *Store) {
	t.Helper()
	r, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(r.Problems) > 0 {
		t.Fatalf("Verify problems: %q", r.Problems)
	}
}

var t0 = time.Date(2024, 3, 4, 9, 30, 0, 0, rules.China)

func viol(rn, plate string, st rules.Status) rules.Violation {
	return rules.Violation{
		RecordNo: rn, Plate: plate, PlateType: rules.PlateSmall, OccurredAt: t0, Location: "济南市经十路",
		Code: "1625", Description: "闯红灯", Fine: rules.Yuan(200), Points: 6, Source: rules.SourceCamera, Status: st,
	}
}

func rns(vs []rules.Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.RecordNo
	}
	return out
}

func query(t *testing.T, s *Store, q store.ViolationQuery) []string {
	t.Helper()
	var out []string
	view(t, s, func(tx *Tx) error {
		vs, err := tx.Violations(q)
		out = rns(vs)
		return err
	})
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readMeta(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketMeta.name()); m != nil {
			v = string(m.Get(keySchemaVersion))
		}
		return nil
	})
	return v
}

// ---- opening, versions, migrations ----

func TestSchemaVersionWritten(t *testing.T) {
	s := openTest(t)
	if err := s.db.View(func(tx *bolt.Tx) error {
		if got := string(tx.Bucket(bucketMeta.name()).Get(keySchemaVersion)); got != strconv.Itoa(SchemaVersion) {
			t.Errorf("schema_version = %q, want %d", got, SchemaVersion)
		}
		for _, b := range allBuckets() {
			if tx.Bucket(b.name()) == nil {
				t.Errorf("bucket %s missing", b.name())
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if SchemaVersion != len(migrations) {
		t.Errorf("SchemaVersion %d but %d migrations", SchemaVersion, len(migrations))
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "jgctl.db") // parent directories are created
	s, err := Open(path, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx *Tx) error {
		return tx.PutLicence(&rules.Licence{IDNumber: "11010519491231002X", Name: "张三", Status: rules.LicenceNormal})
	})
	if s.Path() != path {
		t.Errorf("Path() = %s", s.Path())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {ReadOnly: true}} {
		s := openAt(t, path, o)
		view(t, s, func(tx *Tx) error {
			l, err := tx.Licence("11010519491231002X")
			if err != nil || l == nil || l.Name != "张三" {
				t.Errorf("ReadOnly=%v: Licence = %+v, %v", o.ReadOnly, l, err)
			}
			return nil
		})
		s.Close()
	}
	if got := readMeta(t, path); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("schema_version after reopen = %q", got)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jgctl.db")
	s, err := Open(path, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	newer := strconv.Itoa(SchemaVersion + 1)
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta.name()).Put(keySchemaVersion, []byte(newer))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, o := range []Options{{NoSync: true}, {ReadOnly: true}} {
		s, err := Open(path, o)
		if err == nil {
			s.Close()
			t.Fatalf("ReadOnly=%v: a store of schema %s opened", o.ReadOnly, newer)
		}
		if !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "schema version "+newer) {
			t.Errorf("ReadOnly=%v: err = %v", o.ReadOnly, err)
		}
	}
	// Refusing does not touch the file.
	if got := readMeta(t, path); got != newer {
		t.Errorf("schema_version = %q after refusals, want %s", got, newer)
	}
}

func TestBadSchemaVersionRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jgctl.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		m, _ := tx.CreateBucket(bucketMeta.name())
		return m.Put(keySchemaVersion, []byte("one"))
	})
	db.Close()
	if s, err := Open(path, Options{NoSync: true}); err == nil || !strings.Contains(err.Error(), `bad schema version "one"`) {
		if s != nil {
			s.Close()
		}
		t.Errorf("err = %v", err)
	}
}

// migrationDB opens a raw bbolt file for migrate tests.
func migrationDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// recordingSteps returns n steps that each append their index to
// test/log; step fail (if ≥ 0) writes its mark and then fails.
func recordingSteps(n, fail int) []migration {
	steps := make([]migration, n)
	for i := range steps {
		steps[i] = migration{From: i, Run: func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("test"))
			if err != nil {
				return err
			}
			log := append(bytes.Clone(b.Get([]byte("log"))), byte('0'+i))
			if err := b.Put([]byte("log"), log); err != nil {
				return err
			}
			if i == fail {
				return errors.New("step exploded")
			}
			return nil
		}}
	}
	return steps
}

func migState(t *testing.T, db *bolt.DB) (version, log string) {
	t.Helper()
	db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketMeta.name()); m != nil {
			version = string(m.Get(keySchemaVersion))
		}
		if b := tx.Bucket([]byte("test")); b != nil {
			log = string(b.Get([]byte("log")))
		}
		return nil
	})
	return
}

func TestMigrate(t *testing.T) {
	t.Run("from empty, in order", func(t *testing.T) {
		db := migrationDB(t)
		if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(3, -1)) }); err != nil {
			t.Fatal(err)
		}
		if v, log := migState(t, db); v != "3" || log != "012" {
			t.Errorf("version %q, log %q; want 3, 012", v, log)
		}
		// At the target nothing runs again.
		if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(3, -1)) }); err != nil {
			t.Fatal(err)
		}
		if v, log := migState(t, db); v != "3" || log != "012" {
			t.Errorf("second run: version %q, log %q", v, log)
		}
		// New steps run from where the file stands.
		if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(5, -1)) }); err != nil {
			t.Fatal(err)
		}
		if v, log := migState(t, db); v != "5" || log != "01234" {
			t.Errorf("upgrade: version %q, log %q; want 5, 01234", v, log)
		}
	})
	t.Run("a failing step is atomic", func(t *testing.T) {
		db := migrationDB(t)
		err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(3, 1)) })
		if err == nil || !strings.Contains(err.Error(), "migration 1→2") || !strings.Contains(err.Error(), "step exploded") {
			t.Fatalf("err = %v", err)
		}
		// Step 0 ran and step 1 wrote before failing: neither is visible,
		// and there is no version.
		if v, log := migState(t, db); v != "" || log != "" {
			t.Errorf("after failure: version %q, log %q; want both empty", v, log)
		}
	})
	t.Run("a failing step keeps the old version", func(t *testing.T) {
		db := migrationDB(t)
		if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(2, -1)) }); err != nil {
			t.Fatal(err)
		}
		err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(4, 3)) })
		if err == nil || !strings.Contains(err.Error(), "migration 3→4") {
			t.Fatalf("err = %v", err)
		}
		if v, log := migState(t, db); v != "2" || log != "01" {
			t.Errorf("after failure: version %q, log %q; want 2, 01", v, log)
		}
	})
	t.Run("newer file", func(t *testing.T) {
		db := migrationDB(t)
		if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(3, -1)) }); err != nil {
			t.Fatal(err)
		}
		err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, recordingSteps(2, -1)) })
		if !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "newer") {
			t.Errorf("err = %v", err)
		}
		if v, log := migState(t, db); v != "3" || log != "012" {
			t.Errorf("version %q, log %q", v, log)
		}
	})
}

// ---- locking ----

const lockHelperEnv = "JGCTL_STORE_LOCK_HELPER"

// TestLockHelper is not a test: run as a subprocess with lockHelperEnv set
// to a store path, it opens the store with a 200 ms lock timeout and
// prints the result.
func TestLockHelper(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		t.Skip("subprocess helper for TestSecondWriterLocked")
	}
	s, err := Open(path, Options{LockTimeout: 200 * time.Millisecond, NoSync: true})
	if err == nil {
		s.Close()
		fmt.Println("RESULT: opened")
		return
	}
	fmt.Printf("RESULT: locked=%v err=%v\n", errors.Is(err, rules.ErrStoreLocked), err)
}

func TestSecondWriterLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jgctl.db")
	first := openAt(t, path, Options{Create: true})

	// In the same process: bbolt's flock is per open file description,
	// and Open opens the file again, so the second open blocks.
	for _, o := range []Options{{LockTimeout: 200 * time.Millisecond}, {LockTimeout: 200 * time.Millisecond, ReadOnly: true}} {
		s, err := Open(path, o)
		if err == nil {
			s.Close()
			t.Fatalf("ReadOnly=%v: second Open succeeded while a writer holds the store", o.ReadOnly)
		}
		if !errors.Is(err, rules.ErrStoreLocked) || rules.KindOf(err) != rules.KindUnavailable {
			t.Errorf("ReadOnly=%v: err = %v, want ErrStoreLocked", o.ReadOnly, err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
	}

	// From another process, the way two jgctl commands meet.
	if testing.Short() {
		t.Log("-short: skipping the subprocess check")
	} else {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelper$", "-test.v")
		cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "RESULT: locked=true") {
			t.Errorf("another process was not refused:\n%s", out)
		}
	}

	// Once the first writer is gone the store opens.
	update(t, first, func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: "A"}) })
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := openAt(t, path, Options{LockTimeout: 200 * time.Millisecond})
	view(t, second, func(tx *Tx) error {
		if l, _ := tx.Licence("A"); l == nil {
			t.Error("first writer's licence missing")
		}
		return nil
	})
}

// TestReadOnlyCreate: a read-only open with Create of a missing file reads an
// empty store.
func TestReadOnlyCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "jgctl.db")
	s := openAt(t, path, Options{ReadOnly: true, Create: true})
	view(t, s, func(tx *Tx) error {
		if l, err := tx.Licence("x"); l != nil || err != nil {
			t.Errorf("Licence = %v, %v", l, err)
		}
		vs, err := tx.Violations(store.ViolationQuery{})
		if err != nil || len(vs) != 0 {
			t.Errorf("Violations = %v, %v", vs, err)
		}
		vs, err = tx.Violations(store.ViolationQuery{Plate: "鲁A12345", PlateType: rules.PlateSmall})
		if err != nil || len(vs) != 0 {
			t.Errorf("Violations(plate) = %v, %v", vs, err)
		}
		if got, _ := tx.ExpiredPending(t0, 10); len(got) != 0 {
			t.Errorf("ExpiredPending = %v", got)
		}
		return nil
	})
	err := s.updateTx(func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: "x"}) })
	if !errors.Is(err, rules.ErrStoreUnavailable) {
		t.Errorf("read-only Update = %v, want ErrStoreUnavailable", err)
	}
}

func TestReadOnlyUpdateRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jgctl.db")
	w := openAt(t, path, Options{Create: true})
	update(t, w, func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: "A", Name: "old"}) })
	w.Close()
	ro := openAt(t, path, Options{ReadOnly: true})
	ran := false
	err := ro.updateTx(func(tx *Tx) error {
		ran = true
		return tx.PutLicence(&rules.Licence{IDNumber: "A", Name: "new"})
	})
	if err == nil || !errors.Is(err, rules.ErrStoreUnavailable) {
		t.Errorf("Update = %v", err)
	}
	if ran {
		t.Error("the function ran on a read-only store")
	}
	view(t, ro, func(tx *Tx) error {
		if l, _ := tx.Licence("A"); l == nil || l.Name != "old" {
			t.Errorf("licence = %+v", l)
		}
		return nil
	})
}

func TestUpdateAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "jgctl.db"), Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.updateTx(func(*Tx) error { return nil }); err == nil {
		t.Error("Update after Close succeeded")
	}
}

// ---- violations and their indexes ----

func TestViolationRoundTrip(t *testing.T) {
	s := openTest(t)
	v := viol("R1", "鲁A12345", rules.StatusUnpaid)
	v.Fine = rules.Fen(3333)
	v.DecisionNo, v.ServedOn, v.DriverIDNumber = "3701001000000011", rules.NewDate(2024, 3, 5), "11010519491231002X"
	v.Suspensions = []rules.Suspension{{From: rules.NewDate(2024, 3, 25)}, {From: rules.NewDate(2024, 4, 1), To: rules.NewDate(2024, 4, 3)}}
	v.PendingUntil = t0.Add(30*time.Minute + 123*time.Nanosecond)
	v.Description = "含\x00零字节与换行\n"
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	view(t, s, func(tx *Tx) error {
		got, err := tx.Violation("R1")
		if err != nil || got == nil {
			t.Fatalf("Violation = %v, %v", got, err)
		}
		if a, b := jsonOf(t, got), jsonOf(t, v); a != b {
			t.Errorf("round trip:\n got %s\nwant %s", a, b)
		}
		if !got.Fine.Equal(rules.Fen(3333)) || !got.PendingUntil.Equal(v.PendingUntil) {
			t.Errorf("fine %s, pending %v", got.Fine, got.PendingUntil)
		}
		if missing, err := tx.Violation("R2"); missing != nil || err != nil {
			t.Errorf("Violation(missing) = %v, %v", missing, err)
		}
		return nil
	})
}

func TestPutViolationIndexes(t *testing.T) {
	s := openTest(t)
	const rn = "R1"
	until := time.Date(2024, 3, 4, 10, 0, 0, 0, rules.China)
	v0 := viol(rn, "鲁A12345", rules.StatusUnhandled)
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&v0, nil) })

	type state struct {
		status   map[rules.Status][]string
		decision map[string]string // decision → record found through it ("" none)
		driver   map[string][]string
		expired  []string // ExpiredPending(far future)
	}
	check := func(step string, want state) {
		t.Helper()
		for _, st := range []rules.Status{rules.StatusUnhandled, rules.StatusPending, rules.StatusUnpaid} {
			if got := query(t, s, store.ViolationQuery{Status: st}); !slices.Equal(got, want.status[st]) {
				t.Errorf("%s: status %s = %v, want %v", step, st, got, want.status[st])
			}
		}
		for d, wantRN := range want.decision {
			var got string
			view(t, s, func(tx *Tx) error {
				v, err := tx.ViolationByDecision(d)
				if v != nil {
					got = v.RecordNo
				}
				return err
			})
			if got != wantRN {
				t.Errorf("%s: decision %s → %q, want %q", step, d, got, wantRN)
			}
		}
		for p, wantRNs := range want.driver {
			if got := query(t, s, store.ViolationQuery{Driver: p}); !slices.Equal(got, wantRNs) {
				t.Errorf("%s: driver %s = %v, want %v", step, p, got, wantRNs)
			}
		}
		var exp []string
		view(t, s, func(tx *Tx) error {
			var err error
			exp, err = tx.ExpiredPending(until.Add(24*time.Hour), 100)
			return err
		})
		if !slices.Equal(exp, want.expired) {
			t.Errorf("%s: ExpiredPending = %v, want %v", step, exp, want.expired)
		}
		if got := query(t, s, store.ViolationQuery{Plate: "鲁A12345", PlateType: rules.PlateSmall}); !slices.Equal(got, []string{rn}) {
			t.Errorf("%s: plate = %v", step, got)
		}
		verify(t, s)
	}
	check("new", state{status: map[rules.Status][]string{rules.StatusUnhandled: {rn}}, decision: map[string]string{"D1": ""}})

	// Online handling: pending, with a decision, a driver and an expiry.
	put := func(mod func(*rules.Violation)) {
		t.Helper()
		update(t, s, func(tx *Tx) error {
			old, err := tx.Violation(rn)
			if err != nil {
				return err
			}
			v := *old
			mod(&v)
			return tx.PutViolation(&v, old)
		})
	}
	put(func(v *rules.Violation) {
		v.Status, v.DecisionNo, v.DriverIDNumber, v.PendingUntil, v.ServedOn = rules.StatusPending, "D1", "P1", until, rules.NewDate(2024, 3, 4)
	})
	check("pending", state{
		status:   map[rules.Status][]string{rules.StatusPending: {rn}},
		decision: map[string]string{"D1": rn},
		driver:   map[string][]string{"P1": {rn}},
		expired:  []string{rn},
	})

	// Expiry: back to unhandled, everything of the handling removed.
	put(func(v *rules.Violation) {
		v.Status, v.DecisionNo, v.DriverIDNumber, v.PendingUntil, v.ServedOn = rules.StatusUnhandled, "", "", time.Time{}, rules.Date{}
	})
	check("expired", state{
		status:   map[rules.Status][]string{rules.StatusUnhandled: {rn}},
		decision: map[string]string{"D1": ""},
		driver:   map[string][]string{"P1": nil},
	})

	// Handled again by someone else, then the handling is extended and moved.
	put(func(v *rules.Violation) {
		v.Status, v.DecisionNo, v.DriverIDNumber, v.PendingUntil = rules.StatusPending, "D2", "P2", until
	})
	put(func(v *rules.Violation) {
		v.DecisionNo, v.DriverIDNumber, v.PendingUntil = "D3", "P3", until.Add(time.Hour)
	})
	check("moved", state{
		status:   map[rules.Status][]string{rules.StatusPending: {rn}},
		decision: map[string]string{"D1": "", "D2": "", "D3": rn},
		driver:   map[string][]string{"P1": nil, "P2": nil, "P3": {rn}},
		expired:  []string{rn},
	})
	var exp []string
	view(t, s, func(tx *Tx) error {
		var err error
		exp, err = tx.ExpiredPending(until.Add(30*time.Minute), 100)
		return err
	})
	if len(exp) != 0 {
		t.Errorf("the old expiry is still indexed: %v", exp)
	}

	// Decided and unpaid; then paid (paid records leave the status index).
	put(func(v *rules.Violation) { v.Status, v.PendingUntil = rules.StatusUnpaid, time.Time{} })
	check("unpaid", state{
		status:   map[rules.Status][]string{rules.StatusUnpaid: {rn}},
		decision: map[string]string{"D3": rn},
		driver:   map[string][]string{"P3": {rn}},
	})
	put(func(v *rules.Violation) { v.Status, v.PaidAt, v.PaymentID = rules.StatusPaid, t0, "P0000000001" })
	check("paid", state{
		status:   map[rules.Status][]string{},
		decision: map[string]string{"D3": rn},
		driver:   map[string][]string{"P3": {rn}},
	})
}

func TestPutViolationDuplicateDecision(t *testing.T) {
	s := openTest(t)
	a, b := viol("R1", "鲁A1", rules.StatusUnpaid), viol("R2", "鲁A2", rules.StatusUnpaid)
	a.DecisionNo, b.DecisionNo = "D1", "D1"
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&a, nil) })
	err := s.updateTx(func(tx *Tx) error { return tx.PutViolation(&b, nil) })
	if !errors.Is(err, rules.ErrDuplicateDecision) {
		t.Fatalf("err = %v, want ErrDuplicateDecision", err)
	}
	// The refused write left nothing behind.
	view(t, s, func(tx *Tx) error {
		if v, _ := tx.Violation("R2"); v != nil {
			t.Error("R2 was written")
		}
		if v, _ := tx.ViolationByDecision("D1"); v == nil || v.RecordNo != "R1" {
			t.Errorf("D1 → %v", v)
		}
		return nil
	})
	if got := query(t, s, store.ViolationQuery{Status: rules.StatusUnpaid}); !slices.Equal(got, []string{"R1"}) {
		t.Errorf("status index = %v", got)
	}
	// Re-writing a record with its own decision is fine.
	update(t, s, func(tx *Tx) error {
		old, _ := tx.Violation("R1")
		v := *old
		v.Location = "elsewhere"
		return tx.PutViolation(&v, old)
	})
	verify(t, s)
}

func TestPutViolationPlateChange(t *testing.T) {
	s := openTest(t)
	v := viol("R1", "鲁A11111", rules.StatusUnhandled)
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	update(t, s, func(tx *Tx) error {
		old, _ := tx.Violation("R1")
		nv := *old
		nv.Plate = "鲁A22222"
		return tx.PutViolation(&nv, old)
	})
	if got := query(t, s, store.ViolationQuery{Plate: "鲁A22222", PlateType: rules.PlateSmall}); !slices.Equal(got, []string{"R1"}) {
		t.Errorf("new plate = %v, want [R1]", got)
	}
	if got := query(t, s, store.ViolationQuery{Plate: "鲁A11111", PlateType: rules.PlateSmall}); len(got) != 0 {
		t.Errorf("old plate = %v, want none", got)
	}
	verify(t, s)
}

// fixture writes 20 records: R01..R20, plates by parity, drivers by thirds,
// statuses in rotation; half through InsertViolations (index runs), half
// through PutViolation (the live run).
func fixture(t *testing.T, s *Store) {
	t.Helper()
	statuses := []rules.Status{rules.StatusUnhandled, rules.StatusUnpaid, rules.StatusPending}
	var bulk []store.NewViolation
	for i := 1; i <= 20; i++ {
		v := viol(fmt.Sprintf("R%02d", i), "鲁A00001", statuses[i%3])
		if i%2 == 0 {
			v.Plate = "鲁B00002"
		}
		if i%5 == 0 {
			v.PlateType = rules.PlateNESmall
		}
		if v.Status != rules.StatusUnhandled {
			v.DecisionNo, v.DriverIDNumber = fmt.Sprintf("D%02d", i), []string{"P0", "P1", "P2"}[i%3]
		}
		if i <= 10 {
			nv, err := newViolation(&v, i)
			if err != nil {
				t.Fatal(err)
			}
			bulk = append(bulk, nv)
			continue
		}
		update(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	}
	update(t, s, func(tx *Tx) error {
		n, refused, err := tx.InsertViolations(bulk)
		if n != 10 || len(refused) != 0 {
			t.Fatalf("InsertViolations = %d, %v", n, refused)
		}
		return err
	})
	verify(t, s)
}

func TestViolationsQuery(t *testing.T) {
	s := openTest(t)
	fixture(t, s)
	small, ne := rules.PlateSmall, rules.PlateNESmall
	tests := []struct {
		name string
		q    store.ViolationQuery
		want string // comma-separated record numbers
	}{
		{"all", store.ViolationQuery{}, "R01,R02,R03,R04,R05,R06,R07,R08,R09,R10,R11,R12,R13,R14,R15,R16,R17,R18,R19,R20"},
		{"all, limit", store.ViolationQuery{Limit: 3}, "R01,R02,R03"},
		{"all, after", store.ViolationQuery{After: "R17"}, "R18,R19,R20"},
		{"all, after a missing key", store.ViolationQuery{After: "R175"}, "R18,R19,R20"},
		{"all, after the end", store.ViolationQuery{After: "R20"}, ""},
		{"plate A small", store.ViolationQuery{Plate: "鲁A00001", PlateType: small}, "R01,R03,R07,R09,R11,R13,R17,R19"},
		{"plate A new-energy", store.ViolationQuery{Plate: "鲁A00001", PlateType: ne}, "R05,R15"},
		{"plate B small", store.ViolationQuery{Plate: "鲁B00002", PlateType: small}, "R02,R04,R06,R08,R12,R14,R16,R18"},
		{"plate prefix is not a match", store.ViolationQuery{Plate: "鲁A0000", PlateType: small}, ""},
		{"unknown plate", store.ViolationQuery{Plate: "鲁Z99999", PlateType: small}, ""},
		{"plate, limit", store.ViolationQuery{Plate: "鲁A00001", PlateType: small, Limit: 2}, "R01,R03"},
		{"plate, after", store.ViolationQuery{Plate: "鲁A00001", PlateType: small, After: "R09"}, "R11,R13,R17,R19"},
		{"plate, after and limit across runs", store.ViolationQuery{Plate: "鲁A00001", PlateType: small, After: "R07", Limit: 3}, "R09,R11,R13"},
		{"plate and status", store.ViolationQuery{Plate: "鲁A00001", PlateType: small, Status: rules.StatusUnpaid}, "R01,R07,R13,R19"},
		{"driver P1", store.ViolationQuery{Driver: "P1"}, "R01,R04,R07,R10,R13,R16,R19"},
		{"driver P2", store.ViolationQuery{Driver: "P2"}, "R02,R05,R08,R11,R14,R17,R20"},
		{"driver P0 (only unhandled records: none)", store.ViolationQuery{Driver: "P0"}, ""},
		{"driver, after, limit", store.ViolationQuery{Driver: "P1", After: "R04", Limit: 2}, "R07,R10"},
		{"driver and status", store.ViolationQuery{Driver: "P2", Status: rules.StatusPending}, "R02,R05,R08,R11,R14,R17,R20"},
		{"driver and other status", store.ViolationQuery{Driver: "P2", Status: rules.StatusUnpaid}, ""},
		{"unknown driver", store.ViolationQuery{Driver: "P"}, ""},
		{"status unhandled", store.ViolationQuery{Status: rules.StatusUnhandled}, "R03,R06,R09,R12,R15,R18"},
		{"status unpaid", store.ViolationQuery{Status: rules.StatusUnpaid}, "R01,R04,R07,R10,R13,R16,R19"},
		{"status pending, after, limit", store.ViolationQuery{Status: rules.StatusPending, After: "R05", Limit: 3}, "R08,R11,R14"},
		{"status paid: none yet", store.ViolationQuery{Status: rules.StatusPaid}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(query(t, s, tt.q), ",")
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestViolationsPagination(t *testing.T) {
	s := openTest(t)
	fixture(t, s)
	for _, base := range []store.ViolationQuery{
		{},
		{Plate: "鲁A00001", PlateType: rules.PlateSmall},
		{Driver: "P2"},
		{Status: rules.StatusUnpaid},
	} {
		all := query(t, s, base)
		for _, size := range []int{1, 2, 3, 7} {
			var pages []string
			q := base
			q.Limit = size
			for i := 0; ; i++ {
				if i > len(all)+1 {
					t.Fatalf("%+v: pagination does not end", base)
				}
				page := query(t, s, q)
				if len(page) > size {
					t.Fatalf("%+v: page of %d > limit %d", base, len(page), size)
				}
				if len(page) == 0 {
					break
				}
				pages = append(pages, page...)
				q.After = page[len(page)-1]
			}
			if !slices.Equal(pages, all) {
				t.Errorf("%+v by %d: %v, want %v", base, size, pages, all)
			}
		}
	}
}

func TestPlateIndexRunsMerge(t *testing.T) {
	// More import chunks than mergeFanIn: runs merge and queries still see
	// every record exactly once, in order.
	s := openTest(t)
	var want []string
	for chunk := 0; chunk < mergeFanIn*2+3; chunk++ {
		var rows []store.NewViolation
		for j := 0; j < 3; j++ {
			rn := fmt.Sprintf("R%03d-%d", chunk, j)
			v := viol(rn, "鲁A00001", rules.StatusUnhandled)
			if j == 2 {
				v.Plate = "鲁A00002"
			} else {
				want = append(want, rn)
			}
			nv, err := newViolation(&v, j)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, nv)
		}
		update(t, s, func(tx *Tx) error { _, _, err := tx.InsertViolations(rows); return err })
		if chunk%7 == 0 { // interleave single writes (the live run)
			v := viol(fmt.Sprintf("R%03d-9", chunk), "鲁A00001", rules.StatusUnhandled)
			want = append(want, v.RecordNo)
			update(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
		}
	}
	slices.Sort(want)
	if got := query(t, s, store.ViolationQuery{Plate: "鲁A00001", PlateType: rules.PlateSmall}); !slices.Equal(got, want) {
		t.Errorf("plate query after merges:\n got %v\nwant %v", got, want)
	}
	r, err := s.Verify(context.Background())
	if err != nil || len(r.Problems) > 0 {
		t.Fatalf("Verify: %v %v", err, r.Problems)
	}
	if r.PlateRuns >= mergeFanIn*2+3 {
		t.Errorf("%d plate runs: level-0 runs were not merged", r.PlateRuns)
	}
}

func TestInsertViolations(t *testing.T) {
	s := openTest(t)
	existing := viol("R05", "鲁A1", rules.StatusUnpaid)
	existing.DecisionNo = "D-OLD"
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&existing, nil) })

	mk := func(rn, dec string, line int) store.NewViolation {
		v := viol(rn, "鲁A1", rules.StatusUnhandled)
		if dec != "" {
			v.Status, v.DecisionNo, v.DriverIDNumber = rules.StatusUnpaid, dec, "P1"
		}
		nv, err := newViolation(&v, line)
		if err != nil {
			t.Fatal(err)
		}
		return nv
	}
	rows := []store.NewViolation{
		mk("R09", "", 2),
		mk("R01", "D1", 3),
		mk("R05", "", 4),      // already stored
		mk("R02", "D-OLD", 5), // decision taken in the store
		mk("R03", "D1", 6),    // decision taken earlier in the batch
		mk("R09", "", 7),      // record earlier in the batch
		mk("R04", "D4", 8),
	}
	var inserted int
	var refused []store.Refused
	update(t, s, func(tx *Tx) error {
		var err error
		inserted, refused, err = tx.InsertViolations(rows)
		return err
	})
	if inserted != 3 {
		t.Errorf("inserted = %d, want 3", inserted)
	}
	got := map[int]string{}
	for _, r := range refused {
		var e *rules.Error
		if !errors.As(r.Err, &e) {
			t.Fatalf("line %d: %v is not a *rules.Error", r.Line, r.Err)
		}
		got[r.Line] = e.Code
	}
	want := map[int]string{4: "RECORD_DUPLICATE", 5: "DECISION_NO_DUPLICATE", 6: "DECISION_NO_DUPLICATE", 7: "RECORD_DUPLICATE"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refused lines = %v, want %v", got, want)
	}
	for _, r := range refused {
		if r.Line == 5 && !strings.Contains(r.Err.Error(), "D-OLD") {
			t.Errorf("line 5 error does not name the decision: %v", r.Err)
		}
	}
	if got := query(t, s, store.ViolationQuery{}); !slices.Equal(got, []string{"R01", "R04", "R05", "R09"}) {
		t.Errorf("records = %v", got)
	}
	view(t, s, func(tx *Tx) error {
		if v, _ := tx.ViolationByDecision("D1"); v == nil || v.RecordNo != "R01" {
			t.Errorf("D1 → %v", v)
		}
		if v, _ := tx.ViolationByDecision("D-OLD"); v == nil || v.RecordNo != "R05" {
			t.Errorf("D-OLD → %v", v)
		}
		if v, _ := tx.Violation("R09"); v == nil || v.Status != rules.StatusUnhandled {
			t.Errorf("R09 = %v", v)
		}
		return nil
	})
	if got := query(t, s, store.ViolationQuery{Driver: "P1"}); !slices.Equal(got, []string{"R01", "R04"}) {
		t.Errorf("driver index = %v", got)
	}
	if got := query(t, s, store.ViolationQuery{Status: rules.StatusUnpaid}); !slices.Equal(got, []string{"R01", "R04", "R05"}) {
		t.Errorf("status index = %v", got)
	}
	if got := query(t, s, store.ViolationQuery{Plate: "鲁A1", PlateType: rules.PlateSmall}); !slices.Equal(got, []string{"R01", "R04", "R05", "R09"}) {
		t.Errorf("plate index = %v", got)
	}
	verify(t, s)

	// Re-importing the same batch refuses every row and writes nothing.
	update(t, s, func(tx *Tx) error {
		n, refused, err := tx.InsertViolations([]store.NewViolation{mk("R01", "D1", 2), mk("R04", "", 3)})
		if n != 0 || len(refused) != 2 {
			t.Errorf("re-import: %d inserted, %d refused", n, len(refused))
		}
		return err
	})
	verify(t, s)
}

func TestInsertViolationsDuplicateKeepsFirstLine(t *testing.T) {
	// In a batch large enough that the sort is not an insertion sort, the
	// row refused as a duplicate must still be the later one.
	s := openTest(t)
	var rows []store.NewViolation
	for i := 0; i < 200; i++ {
		v := viol(fmt.Sprintf("R%03d", (i*7919)%100), "鲁A1", rules.StatusUnhandled) // every number twice
		v.Location = fmt.Sprintf("line %d", i+1)
		nv, err := newViolation(&v, i+1)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, nv)
	}
	var refused []store.Refused
	update(t, s, func(tx *Tx) error {
		var n int
		var err error
		n, refused, err = tx.InsertViolations(rows)
		if n != 100 || len(refused) != 100 {
			t.Errorf("inserted %d, refused %d; want 100, 100", n, len(refused))
		}
		return err
	})
	var wrong []int
	for _, r := range refused {
		if r.Line <= 100 {
			wrong = append(wrong, r.Line)
		}
	}
	if len(wrong) > 0 {
		slices.Sort(wrong)
		t.Errorf("%d first rows refused as duplicates (lines %v …), their later copies stored", len(wrong), wrong[:min(5, len(wrong))])
	}
	view(t, s, func(tx *Tx) error {
		v, _ := tx.Violation("R000")
		if v == nil || v.Location != "line 1" {
			t.Errorf("R000 stored from %v, want line 1", v)
		}
		return nil
	})
}

// ---- payments, idempotency, pending expiry ----

func TestInsertPaymentOnce(t *testing.T) {
	s := openTest(t)
	v := viol("R1", "鲁A1", rules.StatusUnpaid)
	v.DecisionNo, v.DriverIDNumber = "D1", "P1"
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	pay := func(id string) error {
		return s.updateTx(func(tx *Tx) error {
			return tx.InsertPayment(&rules.Payment{ID: id, DecisionNo: "D1", RecordNo: "R1", Fine: rules.Yuan(200),
				LateFee: rules.Fen(0), Amount: rules.Yuan(200), PaidAt: t0})
		})
	}
	if err := pay("P1"); err != nil {
		t.Fatal(err)
	}
	err := pay("P2")
	if !errors.Is(err, rules.ErrAlreadyPaid) {
		t.Fatalf("second payment: %v, want ErrAlreadyPaid", err)
	}
	view(t, s, func(tx *Tx) error {
		p, err := tx.PaymentOfDecision("D1")
		if err != nil || p == nil || p.ID != "P1" || !p.Amount.Equal(rules.Yuan(200)) {
			t.Errorf("PaymentOfDecision = %+v, %v", p, err)
		}
		if p, _ := tx.PaymentOfDecision("D2"); p != nil {
			t.Errorf("PaymentOfDecision(D2) = %+v", p)
		}
		// The record reads as paid before the payment is folded into it.
		r, _ := tx.Violation("R1")
		if r.Status != rules.StatusPaid || r.PaymentID != "P1" || !r.PaidAt.Equal(t0) {
			t.Errorf("record after payment: %s %s %v", r.Status, r.PaymentID, r.PaidAt)
		}
		return nil
	})
	if got := query(t, s, store.ViolationQuery{Status: rules.StatusUnpaid}); len(got) != 0 {
		t.Errorf("unpaid = %v", got)
	}
	if got := query(t, s, store.ViolationQuery{Status: rules.StatusPaid}); !slices.Equal(got, []string{"R1"}) {
		t.Errorf("paid = %v", got)
	}
	if got := query(t, s, store.ViolationQuery{Driver: "P1", Status: rules.StatusPaid}); !slices.Equal(got, []string{"R1"}) {
		t.Errorf("driver P1 paid = %v", got)
	}
	// Folding writes the payment into the record and drops it from the status index.
	update(t, s, func(tx *Tx) error {
		n, err := tx.Fold(10)
		if n != 1 {
			t.Errorf("Fold = %d, want 1", n)
		}
		return err
	})
	view(t, s, func(tx *Tx) error {
		r, _ := tx.storedViolation("R1")
		if r.Status != rules.StatusPaid || r.PaymentID != "P1" {
			t.Errorf("stored after Fold: %s %s", r.Status, r.PaymentID)
		}
		if k, _ := tx.b(idxViolationStatus).Cursor().First(); k != nil {
			t.Errorf("status index still has %q", k)
		}
		return nil
	})
	update(t, s, func(tx *Tx) error {
		n, err := tx.Fold(10)
		if n != 0 {
			t.Errorf("second Fold = %d", n)
		}
		return err
	})
	verify(t, s)
}

func TestIdempotency(t *testing.T) {
	s := openTest(t)
	type resp struct {
		PaymentID string      `json:"payment_id"`
		Amount    rules.Money `json:"amount"`
	}
	update(t, s, func(tx *Tx) error {
		if raw, ok, err := tx.Idempotent("pay", "k1", "h1"); raw != nil || ok || err != nil {
			t.Errorf("before Put: %s, %v, %v", raw, ok, err)
		}
		return tx.PutIdempotent("pay", "k1", "h1", resp{"P1", rules.Fen(20050)})
	})
	view(t, s, func(tx *Tx) error {
		raw, ok, err := tx.Idempotent("pay", "k1", "h1")
		if err != nil || !ok || string(raw) != `{"payment_id":"P1","amount":"200.50"}` {
			t.Errorf("same hash: %s, %v, %v", raw, ok, err)
		}
		raw, ok, err = tx.Idempotent("pay", "k1", "h2")
		if !errors.Is(err, rules.ErrIdempotencyReuse) || ok || raw != nil {
			t.Errorf("other hash: %s, %v, %v; want ErrIdempotencyReuse", raw, ok, err)
		}
		// Scopes and keys are separate.
		for _, sk := range [][2]string{{"handle", "k1"}, {"pay", "k2"}, {"pay", "k"}, {"pa", "yk1"}} {
			if raw, ok, err := tx.Idempotent(sk[0], sk[1], "h1"); ok || err != nil || raw != nil {
				t.Errorf("%v: %s, %v, %v", sk, raw, ok, err)
			}
		}
		return nil
	})
	// The reuse error reaches the Update caller, and its writes are discarded.
	err := s.updateTx(func(tx *Tx) error {
		if err := tx.PutLicence(&rules.Licence{IDNumber: "side-effect"}); err != nil {
			return err
		}
		_, _, err := tx.Idempotent("pay", "k1", "h2")
		return err
	})
	if !errors.Is(err, rules.ErrIdempotencyReuse) || rules.KindOf(err) != rules.KindConflict {
		t.Errorf("Update = %v", err)
	}
	view(t, s, func(tx *Tx) error {
		if l, _ := tx.Licence("side-effect"); l != nil {
			t.Error("a failed Update's write is visible")
		}
		return nil
	})
}

func TestExpiredPending(t *testing.T) {
	s := openTest(t)
	base := time.Date(2024, 3, 4, 10, 0, 0, 0, rules.China)
	pend := map[string]time.Time{
		"R3": base.Add(2 * time.Minute),
		"R1": base,
		"R2": base.Add(time.Minute),
		"R4": base.Add(time.Minute), // same time as R2
	}
	update(t, s, func(tx *Tx) error {
		for rn, until := range pend {
			v := viol(rn, "鲁A1", rules.StatusPending)
			v.DecisionNo, v.PendingUntil = "D"+rn, until
			if err := tx.PutViolation(&v, nil); err != nil {
				return err
			}
		}
		u := viol("R9", "鲁A1", rules.StatusUnhandled) // never pending
		return tx.PutViolation(&u, nil)
	})
	tests := []struct {
		now   time.Time
		limit int
		want  string
	}{
		{base.Add(-time.Second), 10, ""},
		{base.Add(-time.Nanosecond), 10, ""},
		{base, 10, "R1"}, // ended exactly now
		{base.Add(59 * time.Second), 10, "R1"},
		{base.Add(time.Minute), 10, "R1,R2,R4"},
		{base.Add(time.Hour), 10, "R1,R2,R4,R3"}, // in expiry order
		{base.Add(time.Hour), 2, "R1,R2"},
		{base.Add(time.Hour), 0, ""},
		{base.In(time.UTC).Add(time.Minute), 10, "R1,R2,R4"}, // the zone of now does not matter
	}
	for _, tt := range tests {
		var got []string
		view(t, s, func(tx *Tx) error { var err error; got, err = tx.ExpiredPending(tt.now, tt.limit); return err })
		if strings.Join(got, ",") != tt.want {
			t.Errorf("ExpiredPending(%v, %d) = %v, want %s", tt.now.Sub(base), tt.limit, got, tt.want)
		}
	}
}

// ---- the group committer ----

// waitQueued waits (bounded) until n calls are queued behind the leader.
// It only makes grouping likely; no assertion depends on it.
func waitQueued(s *Store, n int) {
	for i := 0; i < 10000; i++ {
		s.gc.mu.Lock()
		q := len(s.gc.queue)
		s.gc.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupCommitIsolatesFailures(t *testing.T) {
	for _, forceGroup := range []bool{false, true} {
		t.Run(fmt.Sprintf("forceGroup=%v", forceGroup), func(t *testing.T) {
			s := openTest(t)
			const n = 64
			errFail := errors.New("refused")
			var (
				wg      sync.WaitGroup
				start   = make(chan struct{})
				errs    [n]error
				blocker = make(chan error, 1)
			)
			release := make(chan struct{})
			if forceGroup {
				// A first writer holds the lead inside its transaction until
				// all n callers have queued, so they commit as one group.
				inside := make(chan struct{})
				go func() {
					blocker <- s.updateTx(func(tx *Tx) error {
						select {
						case <-inside:
						default:
							close(inside)
						}
						<-release
						return tx.PutLicence(&rules.Licence{IDNumber: "blocker"})
					})
				}()
				<-inside
			}
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = s.updateTx(func(tx *Tx) error {
						id := fmt.Sprintf("L%02d", i)
						if err := tx.PutLicence(&rules.Licence{IDNumber: id, Name: id}); err != nil {
							return err
						}
						if err := tx.Audit(rules.AuditEntry{Action: "put", Subject: id}); err != nil {
							return err
						}
						if i%5 == 0 {
							return fmt.Errorf("call %d: %w", i, errFail)
						}
						return nil
					})
				}()
			}
			close(start)
			if forceGroup {
				waitQueued(s, n)
				close(release)
				if err := <-blocker; err != nil {
					t.Fatalf("blocker: %v", err)
				}
			}
			wg.Wait()

			want := 0
			for i := range n {
				if i%5 == 0 {
					if !errors.Is(errs[i], errFail) || !strings.Contains(errs[i].Error(), fmt.Sprintf("call %d:", i)) {
						t.Errorf("call %d: err = %v, want its own failure", i, errs[i])
					}
				} else {
					want++
					if errs[i] != nil {
						t.Errorf("call %d: err = %v", i, errs[i])
					}
				}
			}
			view(t, s, func(tx *Tx) error {
				for i := range n {
					id := fmt.Sprintf("L%02d", i)
					l, err := tx.Licence(id)
					if err != nil {
						return err
					}
					if i%5 == 0 && l != nil {
						t.Errorf("failed call %d's write is present", i)
					}
					if i%5 != 0 && (l == nil || l.Name != id) {
						t.Errorf("successful call %d's write is missing", i)
					}
				}
				if forceGroup {
					if l, _ := tx.Licence("blocker"); l == nil {
						t.Error("the blocker's write is missing")
					}
				}
				// Each successful call audited exactly once (retried groups
				// do not apply twice), with gap-free sequence numbers.
				log, err := tx.AuditLog(0, 0)
				if err != nil {
					return err
				}
				if len(log) != want {
					t.Errorf("%d audit entries, want %d", len(log), want)
				}
				seen := map[string]bool{}
				for i, e := range log {
					if e.Seq != uint64(i+1) {
						t.Errorf("audit entry %d has seq %d", i, e.Seq)
					}
					if seen[e.Subject] {
						t.Errorf("%s audited twice", e.Subject)
					}
					seen[e.Subject] = true
				}
				return nil
			})
		})
	}
}

func TestUpdateSerialSemantics(t *testing.T) {
	// Concurrent read-modify-write of one counter loses no update.
	s := openTest(t)
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.updateTx(func(tx *Tx) error {
				l, err := tx.Licence("counter")
				if err != nil {
					return err
				}
				c := 0
				if l != nil {
					c, _ = strconv.Atoi(l.Name)
				}
				return tx.PutLicence(&rules.Licence{IDNumber: "counter", Name: strconv.Itoa(c + 1)})
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	view(t, s, func(tx *Tx) error {
		l, _ := tx.Licence("counter")
		if l == nil || l.Name != strconv.Itoa(n) {
			t.Errorf("counter = %+v, want %d", l, n)
		}
		return nil
	})
}

func TestUpdatePanicDoesNotWedgeStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jgctl.db")
	s, err := Open(path, Options{NoSync: true, Create: true}) // not closed: Close would hang if the bug is present
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { recover() }()
		s.updateTx(func(*Tx) error { panic("boom") })
	}()
	done := make(chan error, 1)
	go func() {
		done <- s.updateTx(func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: "after"}) })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Update after a recovered panic: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Update after a recovered panic never returned")
	}
	s.Close()
}

// ---- smaller accessors ----

func TestVehiclesAndBindings(t *testing.T) {
	s := openTest(t)
	update(t, s, func(tx *Tx) error {
		v := &rules.Vehicle{Plate: "鲁A12345", PlateType: rules.PlateSmall, OwnerIDNumber: "O1"}
		if err := tx.PutVehicle(v); err != nil {
			return err
		}
		v2 := &rules.Vehicle{Plate: "鲁A12345", PlateType: rules.PlateNESmall, OwnerIDNumber: "O1"}
		if err := tx.PutVehicle(v2); err != nil {
			return err
		}
		moved := *v
		moved.OwnerIDNumber = "O2"
		return tx.PutVehicle(&moved)
	})
	view(t, s, func(tx *Tx) error {
		small, _ := tx.Vehicle("鲁A12345", rules.PlateSmall)
		ne, _ := tx.Vehicle("鲁A12345", rules.PlateNESmall)
		if small == nil || small.OwnerIDNumber != "O2" || ne == nil || ne.OwnerIDNumber != "O1" {
			t.Errorf("small %+v, new-energy %+v", small, ne)
		}
		if v, err := tx.Vehicle("鲁A1234", rules.PlateSmall); v != nil || err != nil {
			t.Errorf("a plate prefix matched: %+v, %v", v, err)
		}
		return nil
	})
	var ids []string
	update(t, s, func(tx *Tx) error {
		for _, b := range []rules.Binding{
			{IDNumber: "P1", Kind: rules.BindVehicle, Plate: "鲁A12345", PlateType: rules.PlateSmall, Status: rules.BindingActive},
			{IDNumber: "P2", Kind: rules.BindVehicle, Plate: "鲁A12345", PlateType: rules.PlateSmall, Status: rules.BindingPending},
			{IDNumber: "P1", Kind: rules.BindLicence, Status: rules.BindingActive},
		} {
			id, err := tx.NextBindingID()
			if err != nil {
				return err
			}
			b.ID = id
			ids = append(ids, id)
			if err := tx.PutBinding(&b); err != nil {
				return err
			}
		}
		return nil
	})
	if !slices.Equal(ids, []string{"B00000001", "B00000002", "B00000003"}) {
		t.Errorf("binding IDs %v", ids)
	}
	update(t, s, func(tx *Tx) error {
		b, _ := tx.Binding("B00000001")
		return tx.DeleteBinding(b)
	})
	view(t, s, func(tx *Tx) error {
		p1, _ := tx.BindingsOf("P1")
		veh, _ := tx.BindingsOfVehicle("鲁A12345", rules.PlateSmall)
		if len(p1) != 1 || p1[0].Kind != rules.BindLicence {
			t.Errorf("P1 bindings %+v", p1)
		}
		if len(veh) != 1 || veh[0].IDNumber != "P2" {
			t.Errorf("vehicle bindings %+v", veh)
		}
		if b, _ := tx.Binding("B00000001"); b != nil {
			t.Errorf("deleted binding still readable")
		}
		return nil
	})
}

func TestPersonsUnitsAuditOutbox(t *testing.T) {
	s := openTest(t)
	update(t, s, func(tx *Tx) error {
		if err := tx.InsertPerson(&rules.Person{IDNumber: "P1", Name: "张三"}); err != nil {
			return err
		}
		if err := tx.InsertUnit(&rules.Unit{CreditCode: "U1", Name: "公司"}); err != nil {
			return err
		}
		for i := range 5 {
			if err := tx.Audit(rules.AuditEntry{Action: fmt.Sprint(i)}); err != nil {
				return err
			}
			if err := tx.Notify(rules.Notification{To: "138", Text: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.updateTx(func(tx *Tx) error { return tx.InsertPerson(&rules.Person{IDNumber: "P1", Name: "李四"}) })
	if !errors.Is(err, rules.ErrAlreadyRegistered) {
		t.Errorf("second InsertPerson = %v", err)
	}
	err = s.updateTx(func(tx *Tx) error { return tx.InsertUnit(&rules.Unit{CreditCode: "U1"}) })
	if !errors.Is(err, rules.ErrAlreadyRegistered) {
		t.Errorf("second InsertUnit = %v", err)
	}
	view(t, s, func(tx *Tx) error {
		if p, _ := tx.Person("P1"); p == nil || p.Name != "张三" {
			t.Errorf("person = %+v", p)
		}
		if u, _ := tx.Unit("U1"); u == nil || u.Name != "公司" {
			t.Errorf("unit = %+v", u)
		}
		log, _ := tx.AuditLog(2, 2)
		if len(log) != 2 || log[0].Seq != 3 || log[0].Action != "2" || log[1].Seq != 4 {
			t.Errorf("AuditLog(2, 2) = %+v", log)
		}
		out, _ := tx.Outbox(0, 0)
		if len(out) != 5 || out[4].Seq != 5 || out[4].Text != "4" {
			t.Errorf("Outbox = %+v", out)
		}
		if out, _ := tx.Outbox(5, 10); len(out) != 0 {
			t.Errorf("Outbox after the end = %+v", out)
		}
		return nil
	})
}

func TestNextDecisionNo(t *testing.T) {
	s := openTest(t)
	// An imported decision takes the number the sequence would issue next.
	taken := viol("R1", "鲁A1", rules.StatusUnpaid)
	taken.DecisionNo = "370100000000001" + "1" // sequence 1, check 1 % 7
	update(t, s, func(tx *Tx) error { return tx.PutViolation(&taken, nil) })
	var got []string
	update(t, s, func(tx *Tx) error {
		for range 3 {
			no, err := tx.NextDecisionNo("370100")
			if err != nil {
				return err
			}
			got = append(got, no)
		}
		return nil
	})
	for _, no := range got {
		if len(no) != 16 || !strings.HasPrefix(no, "370100") {
			t.Errorf("decision number %q", no)
		}
		seq, _ := strconv.Atoi(no[6:15])
		if int(no[15]-'0') != seq%7 {
			t.Errorf("%s: check digit %c, want %d", no, no[15], seq%7)
		}
		if no == taken.DecisionNo {
			t.Errorf("issued the taken number %s", no)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got)))) != 3 {
		t.Errorf("numbers repeat: %v", got)
	}
}

// TestGroupCommitGathers: once writers arrive together, those runnable but
// not yet queued when a leader takes the lead join its commit. On one
// processor, the first of 8 writers released together leads while the
// other 7 have not run yet; without the leader yielding it would commit
// alone. A lone writer's commit does not yield (TestGroupCommitAlone).
func TestGroupCommitGathers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := openTest(t)
	const n = 8
	// First, writers queue together behind a commit held open.
	inside, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.updateTx(func(tx *Tx) error { close(inside); <-release; return nil })
	}()
	<-inside
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			update(t, s, func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: fmt.Sprintf("A%d", i)}) })
		}()
	}
	waitQueued(s, n)
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	// Then 8 writers released together, each working a little first.
	var (
		start = make(chan struct{})
		mu    sync.Mutex
		txs   = map[int]int{} // bbolt transaction ID → writers in it
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 20000 { // some work before writing, as a payment's checks
				runtime.KeepAlive(i)
			}
			update(t, s, func(tx *Tx) error {
				mu.Lock()
				txs[tx.tx.ID()]++
				mu.Unlock()
				return tx.PutLicence(&rules.Licence{IDNumber: fmt.Sprintf("B%d", i)})
			})
		}()
	}
	close(start)
	wg.Wait()
	if len(txs) != 1 {
		t.Errorf("%d writers committed in %d transactions (%v), want one", n, len(txs), txs)
	}
}

// TestGroupCommitAlone: a writer that has been committing alone does not
// yield before committing, even when other goroutines are runnable.
func TestGroupCommitAlone(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := openTest(t)
	update(t, s, func(*Tx) error { return nil })
	ran := make(chan struct{})
	go close(ran) // runnable, but this goroutine keeps the processor until it blocks
	update(t, s, func(*Tx) error {
		select {
		case <-ran:
			t.Error("the leader yielded before its commit")
		default:
		}
		return nil
	})
}
