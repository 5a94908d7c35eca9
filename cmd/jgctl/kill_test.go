package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/perf"
)

// TestKillMidImport kills a real jgctl process in the middle of an import:
// the store must stay consistent (every committed chunk whole, every index
// agreeing with the records), and a re-run must finish the import with no
// duplicates.
func TestKillMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 200,000 rows")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "jgctl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const rows = 200000
	csvPath := filepath.Join(dir, "v.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := perf.ViolationsCSV(f, 0, rows, 20000, 10, 7); err != nil {
		t.Fatal(err)
	}
	f.Close()
	store := filepath.Join(dir, "jgctl.db")
	env := append(os.Environ(), "JGCTL_STORE="+store, "JGCTL_NOW=2026-11-24T10:00:00+08:00")
	jg := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = env
		return c
	}

	imp := jg("import", "violations", csvPath, "--chunk-size", "5000")
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it part-way: the whole import takes a few seconds here. Wherever
	// the kill lands (even before the first commit) the checks below hold.
	time.Sleep(700 * time.Millisecond)
	imp.Process.Kill()
	imp.Wait()

	type report struct {
		Records    int      `json:"records"`
		PlateIndex int      `json:"plate_index_entries"`
		Problems   []string `json:"problems"`
	}
	check := func() report {
		out, err := jg("store", "check", "-o", "json").Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("store check: %v\n%s%s", err, out, stderr)
		}
		var r report
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Problems) > 0 {
			t.Fatalf("inconsistent store: %v", r.Problems)
		}
		return r
	}
	mid := check()
	t.Logf("killed after %d of %d records", mid.Records, rows)
	if mid.Records%5000 != 0 {
		t.Fatal("a chunk was half-written")
	}

	out, err := jg("import", "violations", csvPath, "--chunk-size", "5000", "-o", "json").Output()
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	var res struct{ Inserted, Duplicates, Rejected int }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if res.Inserted+res.Duplicates != rows || res.Duplicates != mid.Records || res.Rejected != 0 {
		t.Fatalf("re-run = %+v after %d records were committed", res, mid.Records)
	}
	if end := check(); end.Records != rows || end.PlateIndex != rows {
		t.Fatalf("after the re-run: %+v, want %d records", end, rows)
	}
}
