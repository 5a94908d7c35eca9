// Package pgtest runs a private PostgreSQL server for tests: initdb into a
// temporary directory, a free port on 127.0.0.1, stopped at the end. It
// uses the server binaries installed on the machine (JGCTL_PG_BIN, or the
// newest /usr/lib/postgresql/*/bin, or pg_config --bindir). As root it runs
// them as the postgres user, since PostgreSQL refuses to run as root.
//
// A test run can instead name a server of its own with
// JGCTL_TEST_POSTGRES (a DSN of a database whose user may create
// databases). Without either, the tests that need PostgreSQL skip and say
// how to enable them; under CI=true they fail.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running PostgreSQL server.
type Cluster struct {
	admin string // DSN of the maintenance database
	dir   string // data directory ("" for an outside server)
	bin   string
	asPG  bool
}

var (
	shared    *Cluster
	sharedErr error
	once      sync.Once
	dbSeq     atomic.Int64
)

// Shared returns the test binary's server, starting it on first use.
func Shared() (*Cluster, error) {
	once.Do(func() {
		if dsn := os.Getenv("JGCTL_TEST_POSTGRES"); dsn != "" {
			shared = &Cluster{admin: dsn}
			return
		}
		shared, sharedErr = Start(context.Background())
	})
	return shared, sharedErr
}

// Main runs a test binary's tests and then stops its server, if started.
// Use it as TestMain's body: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// NewDB returns the DSN of a fresh, empty database for t, whose sessions
// default to the given isolation level ("read committed", "repeatable
// read" or "serializable"; "" is the server's default).
func NewDB(t testing.TB, isolation string) string {
	t.Helper()
	c, err := Shared()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is needed under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL tests skipped: %v (install the PostgreSQL server binaries, e.g. Debian's postgresql-15, or set JGCTL_TEST_POSTGRES to a DSN whose user may create databases)", err)
	}
	dsn, err := c.CreateDB(context.Background(), NextName(), isolation)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Durable are the settings of a server that keeps what it commits (the
// tests' servers do not sync, for speed): benchmarks run on it.
var Durable = []string{"fsync = on", "synchronous_commit = on", "full_page_writes = on"}

// Start initialises and starts a new server; settings (postgresql.conf
// lines) override the tests' defaults.
func Start(ctx context.Context, settings ...string) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, errors.New("running as root and there is no postgres user to run the server as")
		}
		c.asPG = true
	}
	if c.dir, err = os.MkdirTemp("", "jgctl-pg-"); err != nil {
		return nil, err
	}
	if c.asPG {
		if err := exec.Command("chown", "postgres:", c.dir).Run(); err != nil {
			os.RemoveAll(c.dir)
			return nil, fmt.Errorf("chown %s to postgres: %w", c.dir, err)
		}
	}
	data := filepath.Join(c.dir, "data")
	if out, err := c.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		c.Stop()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		c.Stop()
		return nil, err
	}
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\nshared_buffers = 64MB\n", port, c.dir)
	conf += strings.Join(settings, "\n") + "\n"
	if err := appendFile(filepath.Join(data, "postgresql.conf"), conf); err != nil {
		c.Stop()
		return nil, err
	}
	if out, err := c.run(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.Stop()
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	c.admin = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

// DSN returns the DSN of a database on the server.
func (c *Cluster) DSN(db string) string {
	cfg, err := pgx.ParseConfig(c.admin)
	if err != nil {
		return c.admin
	}
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", cfg.User, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), db)
}

// CreateDB creates a database whose sessions default to isolation.
func (c *Cluster) CreateDB(ctx context.Context, name, isolation string) (string, error) {
	conn, err := pgx.Connect(ctx, c.admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	if isolation != "" {
		if !slices.Contains([]string{"read committed", "repeatable read", "serializable"}, isolation) {
			return "", fmt.Errorf("pgtest: unknown isolation %q", isolation)
		}
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" SET default_transaction_isolation = '"+isolation+"'"); err != nil {
			return "", err
		}
	}
	return c.DSN(name), nil
}

// Stop stops the server it started and removes its directory.
func (c *Cluster) Stop() {
	if c.dir == "" {
		return
	}
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c.run(ctx, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		cancel()
	}
	os.RemoveAll(c.dir)
}

func (c *Cluster) run(ctx context.Context, tool string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, tool)
	cmd := exec.CommandContext(ctx, path, args...)
	if c.asPG {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// findBin finds the directory of initdb and pg_ctl.
func findBin() (string, error) {
	if d := os.Getenv("JGCTL_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb) found")
}

func versionOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Private starts a server for t alone, stopped when t ends (for a test
// binary whose TestMain cannot stop the shared one). It skips, or fails
// under CI=true, as NewDB does.
func Private(t testing.TB) *Cluster {
	t.Helper()
	if dsn := os.Getenv("JGCTL_TEST_POSTGRES"); dsn != "" {
		return &Cluster{admin: dsn}
	}
	c, err := Start(context.Background())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is needed under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL tests skipped: %v (install the PostgreSQL server binaries, e.g. Debian's postgresql-15, or set JGCTL_TEST_POSTGRES to a DSN whose user may create databases)", err)
	}
	t.Cleanup(c.Stop)
	return c
}

// NextName returns a fresh database name for this process.
func NextName() string { return fmt.Sprintf("jgtest_%d_%d", os.Getpid(), dbSeq.Add(1)) }
