// Package pg stores jgctl's records in a PostgreSQL-family database, with
// the method set and semantics of the bbolt store (pkg/store). Every
// invariant is a primary or unique key or a conditional UPDATE
// (migrations/), never a read followed by a decision in Go, so that it
// holds at READ COMMITTED, REPEATABLE READ and SERIALIZABLE and across
// any number of processes. The SQL is plain DML, sequences, RETURNING and
// savepoints: no ON CONFLICT, no PL/pgSQL, no advisory locks.
//
// Where it differs from the bbolt store, by design: binding, order and
// decision numbers come from sequences, which a rolled-back or rerun
// transaction does not give back (same format, unique, increasing, with
// gaps); PutViolation(v, nil) of a stored record number is
// ErrDuplicateRecord instead of an overwrite, and PutViolation(v, old)
// writes only while the stored record still has old's status and
// decision; an Update's function can run again after a serialization
// failure, a deadlock or a key a concurrent transaction inserted first.
package pg

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// Options configure Open.
type Options struct {
	// ConnectTimeout bounds connecting to the database (default 5 s).
	ConnectTimeout time.Duration
	// MaxConns caps the pool (default: pgxpool's, the larger of 4 and the CPUs).
	MaxConns int32
	// MaxAttempts bounds the runs of an Update's function when the
	// database reports a serialization failure or a deadlock (default 10).
	MaxAttempts int
	// OnRetry, if set, is called at each retry (for a metric).
	OnRetry func()
	// BeforeCommit, if set, runs before each commit of an Update; an error
	// fails the commit as the database's would (tests inject 40001 here).
	BeforeCommit func() error
}

const defaultConnectTimeout = 5 * time.Second

// Store is an open PostgreSQL store.
type Store struct {
	pool    *pgxpool.Pool
	o       Options
	hosts   string
	retries atomic.Uint64
	// beginView opens a view: empty when the database's default isolation
	// is READ COMMITTED (each statement then runs on its own, as it would
	// see the same in a READ COMMITTED transaction), else BEGIN READ ONLY.
	beginView string
}

// Open connects to the database named by dsn (a URL or a libpq key=value
// string, multi-host allowed) and checks its schema version: an
// unreachable database is rules.ErrStoreUnavailable naming the host(s)
// within the connect timeout; a schema older or newer than this jgctl's
// is refused the same way, saying what to do.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = defaultConnectTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, rules.ErrStoreUnavailable.Withf("bad PostgreSQL connection string: %s", pgMessage(err))
	}
	cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	s := &Store{o: o, hosts: hostsOf(cfg.ConnConfig)}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, s.unreachable(err)
	}
	v, err := s.schemaVersion(ctx)
	if err == nil {
		err = checkVersion(v)
	}
	if err == nil {
		err = s.isolation(ctx)
	}
	if err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// checkVersion refuses a schema this jgctl does not read.
func checkVersion(v int64) error {
	switch {
	case v > SchemaVersion:
		return rules.ErrStoreUnavailable.Withf("schema version %d is newer than this jgctl's (%d): upgrade jgctl", v, SchemaVersion)
	case v < SchemaVersion:
		return rules.ErrStoreUnavailable.Withf("schema version %d is older than this jgctl's (%d): run `jgctl store migrate`", v, SchemaVersion)
	}
	return nil
}

// schemaVersion reads the applied schema version (0 for an empty database).
func (s *Store) schemaVersion(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.ConnectTimeout)
	defer cancel()
	var v int64
	err := s.pool.QueryRow(ctx, "SELECT COALESCE(max(version_id), 0) FROM "+versionTable+" WHERE is_applied").Scan(&v)
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		return 0, nil
	}
	if err != nil {
		return 0, s.unreachable(err)
	}
	return v, nil
}

// isolation reads the database's default isolation level to choose how
// views begin.
func (s *Store) isolation(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.ConnectTimeout)
	defer cancel()
	var level string
	if err := s.pool.QueryRow(ctx, "SHOW default_transaction_isolation").Scan(&level); err != nil {
		return s.unreachable(err)
	}
	if level != "read committed" {
		s.beginView = "BEGIN READ ONLY"
	}
	return nil
}

// unreachable turns a connection failure into ErrStoreUnavailable.
func (s *Store) unreachable(err error) error {
	return rules.ErrStoreUnavailable.Withf("cannot reach PostgreSQL at %s: %s", s.hosts, pgMessage(err))
}

// hostsOf lists the host:port pairs a configuration tries.
func hostsOf(c *pgx.ConnConfig) string {
	hosts := []string{net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))}
	for _, f := range c.Fallbacks {
		if h := net.JoinHostPort(f.Host, strconv.Itoa(int(f.Port))); !strings.Contains(strings.Join(hosts, ","), h) {
			hosts = append(hosts, h)
		}
	}
	return strings.Join(hosts, ", ")
}

// pgMessage says why a connection or statement failed without driver
// internals: the server's message, the network error, or a timeout.
func pgMessage(err error) string {
	var pe *pgconn.PgError
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(err, &pe):
		return pe.Message + " (" + pe.Code + ")"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &de):
		return "unknown host " + de.Name
	case errors.As(err, &oe):
		return oe.Err.Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var pce *pgconn.ParseConfigError
	if errors.As(err, &pce) {
		return "cannot parse it"
	}
	return err.Error()
}

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

// Retries returns how many times Update has rerun a transaction after a
// serialization failure, a deadlock or a concurrent duplicate key.
func (s *Store) Retries() uint64 { return s.retries.Load() }

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*Tx)(nil)
)

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.view(ctx, func(t *Tx) error { return fn(t) })
}

// Update runs fn in a read-write transaction. fn may run more than once:
// after a serialization failure (40001), a deadlock (40P01) or a
// concurrent insert of the same key, with capped jittered exponential
// backoff, each rerun counted (Retries, Options.OnRetry). fn must have no
// effects outside the transaction.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.update(ctx, func(t *Tx) error { return fn(t) })
}

func (s *Store) view(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.run(ctx, s.beginView, fn, false)
		if err = s.again(ctx, err, attempt); err != errAgain {
			return err
		}
	}
}

func (s *Store) update(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.run(ctx, "BEGIN", fn, true)
		if err = s.again(ctx, err, attempt); err != errAgain {
			return err
		}
	}
}

// errAgain tells Update to run its function again.
var errAgain = errors.New("pg: retry the transaction")

// again returns errAgain after waiting if err is worth a rerun and
// attempts remain; otherwise the error to return.
func (s *Store) again(ctx context.Context, err error, attempt int) error {
	if err == nil || !retryable(err) {
		return err
	}
	if attempt >= s.o.MaxAttempts {
		return rules.ErrStoreUnavailable.Withf("the database kept reporting conflicting transactions (%d attempts); try again", attempt)
	}
	s.retries.Add(1)
	if s.o.OnRetry != nil {
		s.o.OnRetry()
	}
	// Capped exponential backoff with full jitter: 1 ms, 2 ms, … 100 ms.
	d := min(time.Millisecond<<(attempt-1), 100*time.Millisecond)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(d)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return rules.ErrStoreUnavailable.Withf("%s", pgMessage(ctx.Err()))
	case <-t.C:
		return errAgain
	}
}

// retryable reports a serialization failure, a deadlock or a duplicate
// key a concurrent transaction inserted (errConflict).
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return errors.Is(err, errConflict)
}

// isUnique reports a unique violation (23505).
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// errConflict marks a unique key taken by a transaction this one cannot
// see yet: the whole transaction is run again, and then sees it.
var errConflict = errors.New("pg: a concurrent transaction inserted the same key")

// run runs fn in one transaction, opened by begin, on a connection of the
// pool (session: begin goes with the first statement, COMMIT with the last
// writes).
func (s *Store) run(ctx context.Context, begin string, fn func(*Tx) error, write bool) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.unreachable(err)
	}
	defer conn.Release()
	t := &Tx{tx: &session{conn: conn.Conn(), begin: begin}, ctx: ctx, write: write}
	committed := false
	defer func() {
		if !committed { // an error, or a panic in fn
			t.tx.rollback(context.WithoutCancel(ctx))
		}
	}()
	err = fn(t)
	if t.err != nil { // the cause of whatever fn made of a failed read
		return t.err
	}
	if err != nil {
		return err
	}
	if write {
		t.beforeCommit()
		if s.o.BeforeCommit != nil {
			if err = s.o.BeforeCommit(); err != nil {
				return err
			}
		}
	}
	err, committed = t.tx.commit(ctx), true
	if err != nil {
		t.tx.rollback(context.WithoutCancel(ctx))
	}
	return wrap("commit", err)
}

// wrap turns a database error inside a transaction into what the engine
// expects: retryable errors and domain errors pass through; the rest (the
// server refusing a statement, a lost connection, a timeout) are
// STORE_UNAVAILABLE naming the operation.
func wrap(op string, err error) error {
	var re *rules.Error
	if err == nil || retryable(err) || errors.As(err, &re) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05") {
		// Text PostgreSQL cannot hold (a 0 byte): the input's fault, not an outage.
		return rules.ErrTextEncoding.Withf("%s: a 0 byte is not text", op)
	}
	return rules.ErrStoreUnavailable.Withf("%s: %s", op, pgMessage(err))
}
