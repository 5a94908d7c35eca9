package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmd/root"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as jgctl inside the scripts: testscript
// installs "jgctl" on the scripts' PATH and runs cli.Main in a subprocess.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"jgctl": func() { os.Exit(root.Main(os.Args[1:], cmdutil.StdIO())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// jgctl binary, on a fresh store per script with a fixed clock.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               scriptSetup,
		Cmds:                scriptCmds,
	})
}

// scriptCmds are the scripts' own commands.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"jgexit":      cmdJgexit,
	"holdlock":    cmdHoldlock,
	"releaselock": cmdReleaselock,
	"envjson":     cmdEnvjson,
	"waitaddr":    cmdWaitaddr,
	"gencert":     cmdGencert,
	"truncate":    cmdTruncate,
}

// scriptSetup sets the environment every script runs in and copies the
// sample import files (examples/) into $WORK.
func scriptSetup(env *testscript.Env) error {
	work := env.WorkDir
	for k, v := range map[string]string{
		"JGCTL_STORE":         filepath.Join(work, "jgctl.db"),
		"JGCTL_NOW":           "2026-11-24T10:00:00+08:00",
		"JGCTL_LANG":          "en",
		"RUNEWIDTH_EASTASIAN": "0",
		"NO_COLOR":            "1",
		"HOME":                work,
		"XDG_CONFIG_HOME":     filepath.Join(work, "config"),
		"XDG_DATA_HOME":       filepath.Join(work, "data"),
		// Sample people (examples/licences.csv).
		"ZHANG": "370102199003071238",
		"LI":    "370203198507152012",
	} {
		env.Setenv(k, v)
	}
	return fs.WalkDir(examples.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(examples.Files, path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(work, path), data, 0o644)
	})
}

// cmdJgexit runs jgctl (the installed test binary) with args and checks its
// exact exit status:
//
//	jgexit N args...
//
// stdout and stderr are kept for the stdout and stderr commands.
func cmdJgexit(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! jgexit (give the expected status instead)")
	}
	if len(args) < 1 {
		ts.Fatalf("usage: jgexit STATUS [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("jgexit: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec("jgctl", args[1:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("jgexit: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("jgctl exited with status %d, want %d", got, want)
	}
}

// Locks held by holdlock, by script.
var (
	locksMu sync.Mutex
	locks   = map[*testscript.TestScript]*embedded.Client{}
)

// cmdHoldlock opens $JGCTL_STORE in the test process, so that jgctl run
// by later commands finds it locked, until releaselock or the script's end:
//
//	holdlock [-shared]
//
// -shared takes the read lock (other readers go on; writers wait).
func cmdHoldlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! holdlock")
	}
	opts := []embedded.Option{embedded.WithLockTimeout(2 * time.Second)}
	switch {
	case len(args) == 1 && args[0] == "-shared":
		opts = append(opts, embedded.ReadOnly())
	case len(args) != 0:
		ts.Fatalf("usage: holdlock [-shared]")
	}
	locksMu.Lock()
	defer locksMu.Unlock()
	if locks[ts] != nil {
		ts.Fatalf("holdlock: the store is already held")
	}
	c, err := embedded.Open(ts.Getenv("JGCTL_STORE"), append(opts, embedded.CreateIfMissing())...)
	ts.Check(err)
	locks[ts] = c
	ts.Defer(func() { releaseLock(ts) })
}

// cmdReleaselock closes the store opened by holdlock.
func cmdReleaselock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: releaselock")
	}
	if !releaseLock(ts) {
		ts.Fatalf("releaselock: no lock held")
	}
}

func releaseLock(ts *testscript.TestScript) bool {
	locksMu.Lock()
	defer locksMu.Unlock()
	c := locks[ts]
	if c == nil {
		return false
	}
	delete(locks, ts)
	c.Close()
	return true
}

// cmdEnvjson sets an environment variable from a string field of the JSON
// object on the last command's stdout:
//
//	envjson VAR field
func cmdEnvjson(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envjson VAR field")
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &obj); err != nil {
		ts.Fatalf("envjson: stdout is not a JSON object: %v", err)
	}
	v, ok := obj[args[1]].(string)
	if !ok || v == "" {
		ts.Fatalf("envjson: stdout has no string field %q", args[1])
	}
	ts.Setenv(args[0], v)
}

// cmdWaitaddr waits (up to 10 s) for `jgctl serve --addr-file FILE` to
// write its address, then sets VAR to http://ADDR (https:// with a third
// argument "https").
func cmdWaitaddr(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: waitaddr VAR FILE [https]")
	}
	scheme := "http://"
	if len(args) == 3 {
		scheme = args[2] + "://"
	}
	path := ts.MkAbs(args[1])
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			ts.Setenv(args[0], scheme+string(b))
			return
		}
	}
	ts.Fatalf("waitaddr: %s not written within 10 s", path)
}

// cmdGencert writes a self-signed certificate for 127.0.0.1 (cert.pem,
// key.pem) into the work directory, for the TLS script.
func cmdGencert(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: gencert")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jgctl test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ts.Check(err)
	kb, err := x509.MarshalECPrivateKey(key)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs("cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	ts.Check(os.WriteFile(ts.MkAbs("key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
}

// cmdTruncate cuts a file to its first N bytes (head -c N):
//
//	truncate FILE N
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		ts.Fatalf("truncate: bad size %q", args[1])
	}
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}
