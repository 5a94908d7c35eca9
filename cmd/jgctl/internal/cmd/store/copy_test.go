package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil/cmdtest"
	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/internal/storecopy"
	"github.com/jgctl/jgctl/pkg/rules"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestRunCopyDatabase: a file into a migrated database and back into a
// file, each copy's counts equal kind by kind; a database not migrated
// is refused, saying to run store migrate.
func TestRunCopyDatabase(t *testing.T) {
	r := cmdtest.New(t, "json")
	r.Seed(t)
	ctx := context.Background()
	bare := pgtest.NewDB(t, "read committed")
	err := runCopy(ctx, &CopyOptions{F: r.F, From: r.F.Config.Store, To: bare})
	if !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "store migrate") {
		t.Fatalf("copy into a database without the schema: %v", err)
	}
	if _, _, err := app.Migrate(ctx, bare, false); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	var results [2]storecopy.Result
	for i, c := range []CopyOptions{{From: r.F.Config.Store, To: bare}, {From: bare, To: back}} {
		r.Out.Reset()
		c.F = r.F
		if err := runCopy(ctx, &c); err != nil {
			t.Fatalf("copy %s → %s: %v", c.From, c.To, err)
		}
		if err := json.Unmarshal(r.Out.Bytes(), &results[i]); err != nil {
			t.Fatalf("%v\n%s", err, r.Out)
		}
	}
	for i, c := range results[0].Counts {
		if c.Source != c.Destination || results[1].Counts[i] != c {
			t.Errorf("%s: %+v there, %+v back", c.Kind, c, results[1].Counts[i])
		}
	}
	if results[0].Destination.Backend != "postgres" || results[1].Destination.Backend != "bbolt" {
		t.Errorf("checks: %+v, %+v", results[0].Destination, results[1].Destination)
	}
}

// TestRunCopy copies the seeded store into a new file, printing the
// counts of each kind; a second copy into it is refused, the file kept.
func TestRunCopy(t *testing.T) {
	r := cmdtest.New(t, "json")
	r.Seed(t)
	to := filepath.Join(t.TempDir(), "copy.db")
	opts := &CopyOptions{F: r.F, From: r.F.Config.Store, To: to}
	if err := runCopy(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, r.Err)
	}
	var res storecopy.Result
	if err := json.Unmarshal(r.Out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, r.Out)
	}
	got := map[string]storecopy.Count{}
	for _, c := range res.Counts {
		got[c.Kind] = c
	}
	if c := got["violations"]; c.Source == 0 || c.Source != c.Destination || res.Destination.Records != c.Source {
		t.Errorf("violations copied: %+v, destination check %+v", c, res.Destination)
	}
	if c := got["bindings"]; c.Source != 2 || c.Destination != 2 {
		t.Errorf("bindings copied: %+v", c)
	}
	err := runCopy(context.Background(), opts)
	if !errors.Is(err, rules.ErrStoreNotEmpty) {
		t.Fatalf("second copy: %v", err)
	}
	if _, err := os.Stat(to); err != nil {
		t.Errorf("the refused destination is gone: %v", err)
	}
}

// TestRunCopyTable: the table lists every kind and says the counts agree.
func TestRunCopyTable(t *testing.T) {
	r := cmdtest.New(t, "table")
	r.Seed(t)
	opts := &CopyOptions{F: r.F, From: r.F.Config.Store, To: filepath.Join(t.TempDir(), "copy.db")}
	if err := runCopy(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	out := r.Out.String()
	for _, want := range []string{"KIND", "licences", "outbox", "Copied; the counts agree."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunCopyRefusals(t *testing.T) {
	r := cmdtest.New(t, "json")
	missing := filepath.Join(t.TempDir(), "missing.db")
	to := filepath.Join(t.TempDir(), "copy.db")
	for _, c := range []struct {
		name     string
		from, to string
		endpoint string
		field    string
		is       error
	}{
		{name: "no --from", to: to, field: "--from"},
		{name: "no --to", from: r.F.Config.Store, field: "--to"},
		{name: "same store", from: r.F.Config.Store, to: r.F.Config.Store, field: "--to"},
		{name: "through an endpoint", from: r.F.Config.Store, to: to, endpoint: "http://127.0.0.1:1", field: "--endpoint"},
		{name: "missing source", from: missing, to: to, is: rules.ErrStoreNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.F.Config.Endpoint = c.endpoint
			err := runCopy(context.Background(), &CopyOptions{F: r.F, From: c.from, To: c.to})
			var ue *cmdutil.UsageError
			switch {
			case c.field != "" && (!errors.As(err, &ue) || ue.Field != c.field):
				t.Errorf("err = %v, want a usage error about %s", err, c.field)
			case c.is != nil && !errors.Is(err, c.is):
				t.Errorf("err = %v, want %v", err, c.is)
			}
			if _, err := os.Stat(to); err == nil {
				t.Errorf("a refused copy left %s behind", to)
			}
		})
	}
}
