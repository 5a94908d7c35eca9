package bolt

import (
	"context"
	"fmt"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

func TestFilter(t *testing.T) {
	for _, n := range []int{0, 1, 50, 10000} {
		var in []uint64
		for i := range n {
			in = append(in, plateHash(prefix(fmt.Sprintf("鲁A%05d", i), "02")))
		}
		f := newFilter(in)
		for i, h := range in {
			if !filterMayHold(f, h) {
				t.Fatalf("n=%d: filter misses member %d", n, i)
			}
		}
		fp := 0
		const probes = 100000
		for i := range probes {
			if filterMayHold(f, plateHash(prefix(fmt.Sprintf("鲁B%05d", i), "02"))) {
				fp++
			}
		}
		if rate := float64(fp) / probes; rate > 0.03 {
			t.Errorf("n=%d: false positive rate %.3f, want under 0.03", n, rate)
		}
	}
	// A filter it cannot read lets the run be read.
	for _, f := range [][]byte{nil, {filterV1}, {filterV1, 0}, append([]byte{9}, make([]byte, filterBlockBytes)...)} {
		if !filterMayHold(f, 42) {
			t.Errorf("filterMayHold(%v) = false for an unreadable filter", f)
		}
	}
}

func TestPlatePrefix(t *testing.T) {
	for k, want := range map[string]string{
		"鲁A1\x0002\x00R1": "鲁A1\x0002\x00",
		"鲁A1\x0002\x00":   "鲁A1\x0002\x00",
		"鲁A1\x0002":       "鲁A1\x0002",
	} {
		if got := string(platePrefix([]byte(k))); got != want {
			t.Errorf("platePrefix(%q) = %q, want %q", k, got, want)
		}
	}
}

// TestPlateFilters: a query reads only the runs whose filter may hold its
// plate (a filter that lies hides its run's records, and Verify says so);
// a run without a filter, as stores before filters have, is always read.
func TestPlateFilters(t *testing.T) {
	s := openTest(t)
	for chunk := range 3 {
		var rows []store.NewViolation
		for j := range 2 {
			v := viol(fmt.Sprintf("R%d-%d", chunk, j), fmt.Sprintf("鲁A0000%d", chunk), rules.StatusUnhandled)
			nv, err := newViolation(&v, j)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, nv)
		}
		update(t, s, func(tx *Tx) error { _, _, err := tx.InsertViolations(rows); return err })
	}
	plate := func(i int) []string {
		return query(t, s, store.ViolationQuery{Plate: fmt.Sprintf("鲁A0000%d", i), PlateType: rules.PlateSmall})
	}
	if got := plate(1); len(got) != 2 {
		t.Fatalf("plate 1: %v", got)
	}
	var filters [][]byte
	update(t, s, func(tx *Tx) error {
		c := tx.b(idxViolationPlate).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v != nil {
				filters = append(filters, append([]byte(nil), k...))
			}
		}
		if len(filters) != 3 {
			t.Fatalf("%d filters for 3 runs", len(filters))
		}
		// The second run's filter says "nothing here"; the third has none.
		if err := tx.b(idxViolationPlate).Put(filters[1], newFilter(nil)); err != nil {
			return err
		}
		return tx.b(idxViolationPlate).Delete(filters[2])
	})
	if got := plate(1); len(got) != 0 {
		t.Errorf("plate 1 behind a filter without it: %v, want nothing (the filter is not consulted)", got)
	}
	if got := plate(2); len(got) != 2 {
		t.Errorf("plate 2 in a run without a filter: %v, want its 2 records", got)
	}
	r, err := s.Verify(context.Background())
	if err != nil || len(r.Problems) != 2 {
		t.Errorf("Verify: %v, problems %q: want the 2 records the filter misses", err, r.Problems)
	}
}

// A 0 byte separates the parts of index keys, so a record whose indexed
// fields hold one is refused: its plate key would hash to another plate's
// filter entry and drop out of listings.
func TestZeroByteRefused(t *testing.T) {
	v := viol("R1", "鲁A\x0012", rules.StatusUnhandled)
	if _, err := newViolation(&v, 1); err == nil {
		t.Error("NewViolationOf took a plate with a 0 byte")
	}
	s := openTest(t)
	err := s.updateTx(func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	if err == nil {
		t.Error("PutViolation took a plate with a 0 byte")
	}
	s.viewTx(func(tx *Tx) error {
		if got, _ := tx.Violation("R1"); got != nil {
			t.Errorf("refused record stored: %+v", got)
		}
		return nil
	})
}

// newViolation prepares a record as an import does.
func newViolation(v *rules.Violation, line int) (store.NewViolation, error) {
	return (*Store)(nil).Prepare(v, line)
}
