package version

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil/cmdtest"
)

// TestRunVersion: the variables set with -ldflags -X win over the build
// information, and -o json has the three fields.
func TestRunVersion(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "v1.2.3", "abc1234"
	r := cmdtest.New(t, "json")
	if err := runVersion(context.Background(), &VersionOptions{F: r.F}); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(r.Out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.Out)
	}
	want := map[string]string{"version": "v1.2.3", "commit": "abc1234", "go_version": runtime.Version()}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v", got)
	}
}

// TestGetFallback: without -ldflags the version and commit are never empty.
func TestGetFallback(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "", ""
	if i := Get(); i.Version == "" || i.Commit == "" || i.GoVersion == "" {
		t.Errorf("%+v", i)
	}
}
