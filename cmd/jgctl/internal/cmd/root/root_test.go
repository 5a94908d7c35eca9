package root

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
)

// TestRunInterrupted: a run stopped by Ctrl-C exits 130 and says it was
// interrupted, never "context canceled".
func TestRunInterrupted(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "licences.csv")
	if err := os.WriteFile(file, []byte("file_no,id_number\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", dir)
	for _, k := range []string{"JGCTL_OUTPUT", "JGCTL_AS", "JGCTL_CONFIG", "JGCTL_LANG"} {
		t.Setenv(k, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, []string{"--store", filepath.Join(dir, "jgctl.db"), "--lang", "en", "import", "licences", file}, cmdutil.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d, want %d", code, cmdutil.ExitInterrupted)
	}
	if got := errb.String(); !strings.HasPrefix(got, "Error: interrupted") || !strings.Contains(got, "[INTERRUPTED]") || strings.Contains(got, "context canceled") {
		t.Errorf("stderr %q", got)
	}
}
