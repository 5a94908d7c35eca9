package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"github.com/jgctl/jgctl/internal/textdiff"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/root"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/examples"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden from the current output")

const goldenNow = "2026-11-24T10:00:00+08:00"

// goldenCLI runs cli.Main in-process on one store with a fixed clock.
type goldenCLI struct {
	t     *testing.T
	dir   string
	store string
}

func newGoldenCLI(t *testing.T) *goldenCLI {
	t.Helper()
	dir := t.TempDir()
	// Nothing from the developer's environment may change the output.
	for _, k := range []string{"JGCTL_STORE", "JGCTL_OUTPUT", "JGCTL_AS", "JGCTL_NOW", "JGCTL_LANG", "JGCTL_CONFIG", "JGCTL_LOCK_TIMEOUT"} {
		t.Setenv(k, "")
	}
	t.Setenv("RUNEWIDTH_EASTASIAN", "0")
	t.Setenv("NO_COLOR", "1")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("TMPDIR", dir)
	return &goldenCLI{t: t, dir: dir, store: filepath.Join(dir, "jgctl.db")}
}

// run runs jgctl with args (after --store and --now) and returns its
// output with the temporary directory replaced by $TMPDIR.
func (g *goldenCLI) run(stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	g.t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	full := append([]string{"--store", g.store, "--now", goldenNow}, args...)
	code = root.Main(full, cmdutil.IO{In: stdin, Out: &out, Err: &errb})
	norm := func(s string) string { return strings.ReplaceAll(s, g.dir, "$TMPDIR") }
	return norm(out.String()), norm(errb.String()), code
}

// must runs a setup step that has to succeed.
func (g *goldenCLI) must(stdin io.Reader, args ...string) {
	g.t.Helper()
	if _, stderr, code := g.run(stdin, args...); code != 0 {
		g.t.Fatalf("jgctl %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
}

// setupViolations imports the sample files, registers Zhang San, binds his
// cars and licence, and handles and pays one camera record.
func (g *goldenCLI) setupViolations() {
	g.t.Helper()
	for _, k := range [][2]string{{"licences", "licences.csv"}, {"vehicles", "vehicles.csv"}, {"violations", "violations.csv"}, {"violations", "violations.jsonl"}} {
		data, err := examples.Files.ReadFile(k[1])
		if err != nil {
			g.t.Fatal(err)
		}
		g.must(bytes.NewReader(data), "import", k[0], "-", "-o", "plain")
	}
	const zhang = "370102199003071238"
	g.must(nil, "--as", zhang, "register", "--id-number", zhang, "--name", "张三", "--phone", "13800138000", "--licence-file-no", "370100123456")
	g.must(nil, "--as", zhang, "bind", "vehicle", "--plate", "鲁A12345", "--plate-type", "02")
	g.must(nil, "--as", zhang, "bind", "vehicle", "--plate", "鲁AD12345", "--plate-type", "52")
	g.must(nil, "--as", zhang, "bind", "licence")
	g.must(nil, "--as", zhang, "violations", "handle", "3701002026100100001")
	g.must(nil, "--as", zhang, "pay", "--record", "3701002026100100001", "--idempotency-key", "golden-1")
}

func TestGolden(t *testing.T) {
	const zhang = "370102199003071238"
	quote := []string{"fines", "quote", "--fine", "200", "--served-on", "2024-03-04", "--on", "2024-03-29"}
	// Listed on 2026-12-07: the on-site decision (due 2026-11-27) is 10 days late.
	list := []string{"--as", zhang, "--now", "2026-12-07T09:00:00+08:00", "violations", "list"}
	ids := []string{"check", "id-number", "11010519491231002X", "11010519491231002x", "370102900307123", "370102199003071239"}
	type tcase struct {
		name  string
		setup bool
		args  []string
		code  int
	}
	var cases []tcase
	for _, lang := range []string{"en", "zh"} {
		cases = append(cases, tcase{name: "demo." + lang + ".table", args: []string{"demo"}},
			tcase{name: "demo." + lang + ".json", args: []string{"demo", "-o", "json"}})
		for _, o := range []string{"table", "json", "plain"} {
			cases = append(cases,
				tcase{name: "fines-quote." + lang + "." + o, args: slices.Concat(quote, []string{"-o", o})},
				tcase{name: "violations-list." + lang + "." + o, setup: true, args: slices.Concat(list, []string{"-o", o})})
		}
		cases = append(cases, tcase{name: "check-id-number." + lang + ".json", args: slices.Concat(ids, []string{"-o", "json"}), code: 1})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGoldenCLI(t)
			if tc.setup {
				g.setupViolations()
			}
			lang := strings.Split(tc.name, ".")[1]
			stdout, stderr, code := g.run(nil, append([]string{"--lang", lang}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, tc.code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr:\n%s", stderr)
			}
			checkGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), stdout)
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/jgctl -run TestGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, textdiff.Lines(string(want), got, 0))
	}
}

// TestDemoJSONLines: demo -o json prints one JSON document per line (JSON
// Lines), never indented documents back to back.
func TestDemoJSONLines(t *testing.T) {
	g := newGoldenCLI(t)
	stdout, stderr, code := g.run(nil, "demo", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("%d lines, want one per step's result:\n%s", len(lines), stdout)
	}
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("line %d is not a JSON document: %q", i+1, l)
		}
	}
}
