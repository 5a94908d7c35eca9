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
	"github.com/jgctl/jgctl/internal/storecopy"
	"github.com/jgctl/jgctl/pkg/rules"
)

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
