package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// goodStore returns the bytes of a small sound store (up to its high-water
// mark, so a fuzz iteration writes little): violations in index runs and
// the live run, payments, licences, vehicles, persons, bindings, audit and
// outbox entries.
var goodStore = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "jgctl-good")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "good.db")
	s, err := Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		return nil, err
	}
	err = s.updateTx(func(tx *Tx) error {
		var bulk []store.NewViolation
		for i := range 200 {
			v := viol(fmt.Sprintf("R%04d", i), fmt.Sprintf("鲁A%05d", i%7), []rules.Status{rules.StatusUnhandled, rules.StatusUnpaid, rules.StatusPending}[i%3])
			if v.Status != rules.StatusUnhandled {
				v.DecisionNo, v.DriverIDNumber = fmt.Sprintf("D%04d", i), fmt.Sprintf("P%d", i%4)
			}
			if i%2 == 0 {
				if err := tx.PutViolation(&v, nil); err != nil {
					return err
				}
				continue
			}
			nv, err := newViolation(&v, i)
			if err != nil {
				return err
			}
			bulk = append(bulk, nv)
		}
		if _, _, err := tx.InsertViolations(bulk); err != nil {
			return err
		}
		for i := range 20 {
			id := fmt.Sprintf("P%d", i)
			if err := tx.InsertPayment(&rules.Payment{ID: id, DecisionNo: fmt.Sprintf("D%04d", 3*i+1), RecordNo: fmt.Sprintf("R%04d", 3*i+1),
				Fine: rules.Yuan(200), LateFee: rules.Fen(0), Amount: rules.Yuan(200), PaidAt: t0}); err != nil {
				return err
			}
			if err := tx.PutLicence(&rules.Licence{IDNumber: id, Name: "张三", Status: rules.LicenceNormal}); err != nil {
				return err
			}
			if err := tx.PutVehicle(&rules.Vehicle{Plate: fmt.Sprintf("鲁A%05d", i), PlateType: rules.PlateSmall, OwnerIDNumber: id}); err != nil {
				return err
			}
			if err := tx.InsertPerson(&rules.Person{IDNumber: id, Name: "张三"}); err != nil {
				return err
			}
			bid, err := tx.NextBindingID()
			if err != nil {
				return err
			}
			if err := tx.PutBinding(&rules.Binding{ID: bid, IDNumber: id, Kind: rules.BindVehicle, Plate: fmt.Sprintf("鲁A%05d", i),
				PlateType: rules.PlateSmall, Status: rules.BindingActive}); err != nil {
				return err
			}
			if err := tx.Audit(rules.AuditEntry{Action: "pay"}); err != nil {
				return err
			}
			if err := tx.Notify(rules.Notification{To: id, Template: "paid"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, problems, _ := checkMeta(bytes.NewReader(raw), int64(len(raw)))
	if len(problems) > 0 {
		return nil, fmt.Errorf("the good store has problems: %q", problems)
	}
	return raw[:int64(m.hwm)*m.pageSize], nil
})

// damaged writes the good store with patch written at off (modulo its
// size) and, when size > 0, cut to size bytes, and returns its path.
func damaged(tb testing.TB, off int, patch []byte, size int) string {
	tb.Helper()
	good, err := goodStore()
	if err != nil {
		tb.Fatal(err)
	}
	raw := bytes.Clone(good)
	if len(patch) > 0 {
		copy(raw[off%len(raw):], patch)
	}
	if size > 0 && size < len(raw) {
		raw = raw[:size]
	}
	path := filepath.Join(tb.TempDir(), "damaged.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// reads runs the typical reads, returning the first error.
func reads(s *Store) error {
	return s.viewTx(func(tx *Tx) error {
		for _, q := range []store.ViolationQuery{{}, {Plate: "鲁A00003", PlateType: rules.PlateSmall}, {Status: rules.StatusUnpaid},
			{Status: rules.StatusPaid}, {Driver: "P1"}, {Status: rules.StatusPending, After: "R0100", Limit: 5}} {
			if _, err := tx.Violations(q); err != nil {
				return err
			}
		}
		tx.ExpiredPending(t0.AddDate(1, 0, 0), 10)
		if _, err := tx.Violation("R0007"); err != nil {
			return err
		}
		if _, err := tx.ViolationByDecision("D0004"); err != nil {
			return err
		}
		for _, id := range []string{"P1", "P7"} {
			if _, err := tx.Person(id); err != nil {
				return err
			}
			if _, err := tx.Licence(id); err != nil {
				return err
			}
			if _, err := tx.BindingsOf(id); err != nil {
				return err
			}
		}
		if _, err := tx.Vehicle("鲁A00002", rules.PlateSmall); err != nil {
			return err
		}
		if _, err := tx.BindingsOfVehicle("鲁A00002", rules.PlateSmall); err != nil {
			return err
		}
		if _, err := tx.Outbox(0, 100); err != nil {
			return err
		}
		_, err := tx.AuditLog(0, 100)
		return err
	})
}

// loops reports whether the file has pages that close a loop: bbolt would
// follow it until memory runs out, so only Verify (which walks the file
// first) may read such a file.
func loops(t *testing.T, path string) bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	m, _, fatal := checkMeta(f, fi.Size())
	if fatal {
		return false
	}
	_, loop := checkTrees(f, m, true)
	return loop
}

// openDamaged opens path read-only, then read-write with a write, and
// each time runs Verify and (unless pages loop) the typical reads. Every
// error must be a store refusal (exit 6); it returns the errors and
// Verify's problems.
func openDamaged(t *testing.T, path string) (errs []error, problems []string) {
	loop := loops(t, path)
	for _, o := range []Options{{ReadOnly: true}, {NoSync: true}} {
		s, err := Open(path, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r, err := s.Verify(context.Background())
		if err != nil {
			errs = append(errs, err)
		} else {
			problems = append(problems, r.Problems...)
		}
		if !loop {
			if err := reads(s); err != nil {
				errs = append(errs, err)
			}
			if !o.ReadOnly {
				if err := s.updateTx(func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: "X"}) }); err != nil {
					errs = append(errs, err)
				}
			}
		}
		s.Close()
	}
	for _, err := range errs {
		if rules.KindOf(err) != rules.KindUnavailable {
			t.Errorf("error %v is not a store refusal", err)
		}
	}
	return errs, problems
}

func TestDamagedStore(t *testing.T) {
	good, err := goodStore()
	if err != nil {
		t.Fatal(err)
	}
	const ps = 4096
	// Page allocation varies from run to run: find a branch and a leaf.
	pageOf := func(flags uint16) int {
		for p := 2; p*ps < len(good); p++ {
			if ne.Uint16(good[p*ps+8:]) == flags {
				return p
			}
		}
		t.Fatalf("the good store has no page of flags %#x", flags)
		return 0
	}
	branch, leaf := pageOf(flagBranch), pageOf(flagLeaf)
	record := 0 // where the first record of a violations leaf starts
	for p := 2; p*ps < len(good) && record == 0; p++ {
		e := good[p*ps+pageHeaderSize:]
		pos, ksize, vsize := int(ne.Uint32(e[4:])), int(ne.Uint32(e[8:])), ne.Uint32(e[12:])
		if ne.Uint16(good[p*ps+8:]) == flagLeaf && vsize > 0 && bytes.HasPrefix(e[pos:], []byte("R0")) {
			record = p*ps + pageHeaderSize + pos + ksize
		}
	}
	tests := []struct {
		name  string
		off   int
		patch []byte
		size  int
		code  string // of the read-only open; "" when it opens
	}{
		{name: "truncated to two pages", size: 2 * ps, code: "STORE_DAMAGED"},
		{name: "truncated mid-page", size: len(good) - ps/2, code: "STORE_DAMAGED"},
		{name: "meta page 0 cut short", size: 64, code: "STORE_DAMAGED"},
		{name: "one meta page left", size: ps + 100, code: "STORE_DAMAGED"},
		// With no bbolt meta page left it is some other file.
		{name: "one byte", size: 1, code: "STORE_UNAVAILABLE"},
		{name: "meta pages overwritten", off: 0, patch: bytes.Repeat([]byte{0xAB}, 2*ps), code: "STORE_UNAVAILABLE"},
		{name: "one meta page overwritten", off: 16, patch: []byte{1, 2, 3, 4}},
		{name: "root page overwritten", off: 3 * ps, patch: bytes.Repeat([]byte{0xFF}, ps)},
		{name: "leaf elements overwritten", off: leaf*ps + 16, patch: bytes.Repeat([]byte{0x7F}, 64)},
		{name: "record overwritten", off: record, patch: bytes.Repeat([]byte{0xFF}, 8)},
		{name: "branch page points at itself", off: branch*ps + 24, patch: []byte{byte(branch), 0, 0, 0, 0, 0, 0, 0}},
		{name: "branch page points past the end", off: branch*ps + 24, patch: []byte{0, 0, 0, 0, 1, 0, 0, 0}},
		{name: "leaf turned branch", off: leaf*ps + 8, patch: []byte{flagBranch}},
		{name: "leaf turned free", off: leaf*ps + 8, patch: []byte{flagFreelist}},
		{name: "free-page list zeroed", off: len(good) - ps, patch: make([]byte, ps), code: "STORE_DAMAGED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := damaged(t, tc.off, tc.patch, tc.size)
			s, err := Open(path, Options{ReadOnly: true})
			if tc.code != "" {
				var re *rules.Error
				if !errors.As(err, &re) || re.Code != tc.code || rules.KindOf(err) != rules.KindUnavailable || !strings.Contains(err.Error(), path) {
					t.Fatalf("Open = %v, want %s naming the file", err, tc.code)
				}
			} else if err == nil {
				s.Close()
			}
			r, err := VerifyFile(path, Options{})
			if tc.code == "STORE_UNAVAILABLE" {
				if !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "not a jgctl store") {
					t.Errorf("VerifyFile = %v, want not a jgctl store", err)
				}
				return
			}
			if err != nil || len(r.Problems) == 0 {
				t.Errorf("VerifyFile = %+v, %v; want problems", r, err)
			}
			errs, problems := openDamaged(t, path) // the read-write open may repair a meta page
			if tc.code == "" && len(problems) == 0 {
				t.Errorf("Verify found no problem")
			}
			t.Logf("errors %v; problems %q", errs, r.Problems)
		})
	}
}

func TestOpenMissingOrEmpty(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "sub", "jgctl.db")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "licences.csv")
	if err := os.WriteFile(text, bytes.Repeat([]byte("id_number,name\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		o    Options
		code string
		says string
	}{
		{missing, Options{ReadOnly: true}, "STORE_NOT_FOUND", missing},
		{missing, Options{}, "STORE_NOT_FOUND", missing},
		{empty, Options{ReadOnly: true}, "STORE_DAMAGED", "empty (0 bytes)"},
		{empty, Options{}, "STORE_DAMAGED", "empty (0 bytes)"},
		{dir, Options{ReadOnly: true}, "STORE_UNAVAILABLE", "is a directory"},
		{text, Options{ReadOnly: true}, "STORE_UNAVAILABLE", "not a jgctl store"},
		{text, Options{Create: true}, "STORE_UNAVAILABLE", "not a jgctl store"},
		{dir, Options{Create: true}, "STORE_UNAVAILABLE", "is a directory"},
	}
	for _, tc := range tests {
		s, err := Open(tc.path, tc.o)
		var re *rules.Error
		if !errors.As(err, &re) || re.Code != tc.code || re.Kind != rules.KindUnavailable || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Open(%s, %+v) = %v, want %s saying %q", tc.path, tc.o, err, tc.code, tc.says)
		}
		if s != nil {
			s.Close()
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused opens created %s: %v", filepath.Dir(missing), err)
	}
	if r, err := VerifyFile(missing, Options{}); !errors.Is(err, rules.ErrStoreNotFound) {
		t.Errorf("VerifyFile(missing) = %+v, %v", r, err)
	}
	// With Create, an empty file (a creation that died at once) is initialised.
	s := openAt(t, empty, Options{Create: true})
	view(t, s, func(tx *Tx) error { _, err := tx.Licence("x"); return err })
}

// FuzzOpenCorrupt writes patch into a small sound store at off and cuts it
// to size, then opens it and reads it every way: never a crash or a panic,
// and every error a store refusal.
func FuzzOpenCorrupt(f *testing.F) {
	good, err := goodStore()
	if err != nil {
		f.Fatal(err)
	}
	const ps = 4096
	f.Add(0, []byte{}, 8192)
	f.Add(0, []byte{}, len(good)-1)
	f.Add(16, []byte{0, 0, 0, 0}, 0)
	f.Add(ps+56, []byte{0xFF, 0xFF}, 0)
	for p := 2; p*ps < len(good); p++ {
		f.Add(p*ps+8, []byte{0x01}, 0)              // flags: branch
		f.Add(p*ps+10, []byte{0xFF, 0x7F}, 0)       // count
		f.Add(p*ps+12, []byte{0xFF, 0, 0, 0}, 0)    // overflow
		f.Add(p*ps+16, []byte{0, 0, 0, 0, 9, 9}, 0) // first element
		f.Add(p*ps+24, []byte{byte(p), 0, 0, 0}, 0) // first branch element: a cycle
	}
	f.Fuzz(func(t *testing.T, off int, patch []byte, size int) {
		if off < 0 || size < 0 || len(patch) > 4*ps {
			return
		}
		openDamaged(t, damaged(t, off, patch, size))
	})
}

// TestDamageInTransactions: damage met inside a write is STORE_DAMAGED for
// that caller alone and leaves the store usable (the transaction rolled
// back, the lock released); a panic of the caller's own code is not taken
// for damage.
func TestDamageInTransactions(t *testing.T) {
	good, err := goodStore()
	if err != nil {
		t.Fatal(err)
	}
	const ps = 4096
	leaf := 0 // a violations leaf
	for p := 2; p*ps < len(good) && leaf == 0; p++ {
		e := good[p*ps+pageHeaderSize:]
		if ne.Uint16(good[p*ps+8:]) == flagLeaf && ne.Uint32(e[12:]) > 0 && bytes.HasPrefix(e[ne.Uint32(e[4:]):], []byte("R0")) {
			leaf = p
		}
	}
	s, err := Open(damaged(t, leaf*ps+pageHeaderSize, bytes.Repeat([]byte{0x7F}, 4*elementSize), 0), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, fn := range []func(*Store) error{
		func(s *Store) error {
			return s.viewTx(func(tx *Tx) error { _, err := tx.Violations(store.ViolationQuery{}); return err })
		},
		func(s *Store) error {
			return s.updateTx(func(tx *Tx) error { _, err := tx.Violations(store.ViolationQuery{}); return err })
		},
	} {
		if err := fn(s); !errors.Is(err, rules.ErrStoreDamaged) || !strings.Contains(err.Error(), s.Path()) {
			t.Errorf("reading the damaged page = %v, want STORE_DAMAGED naming the file", err)
		}
	}
	done := make(chan error, 1)
	go func() {
		done <- s.updateTx(func(tx *Tx) error { return tx.PutLicence(&rules.Licence{IDNumber: "X", Name: "after"}) })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a write after the damaged one = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write after the damaged one never returned: the store is wedged")
	}
	view(t, s, func(tx *Tx) error {
		if l, err := tx.Licence("X"); l == nil || l.Name != "after" {
			t.Errorf("licence = %+v, %v", l, err)
		}
		return nil
	})
	defer func() {
		if r := recover(); r != "caller's bug" {
			t.Errorf("a panic of the caller's code in View = %v, want it to propagate", r)
		}
	}()
	s.viewTx(func(*Tx) error { panic("caller's bug") })
}
