package pg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/rules"
)

// The first N commits fail with a serialization failure: Update reruns
// the function, counts each rerun, and the effect lands once.
func TestSerializationFailureRetried(t *testing.T) {
	tests := []struct {
		name     string
		failures int32
		wantErr  bool
	}{
		{"no failure", 0, false},
		{"three failures", 3, false},
		{"nine failures, the tenth attempt commits", 9, false},
		{"failing for ever", 1 << 30, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var failed, hooked atomic.Int32
			s := openPG(t, "read committed", Options{
				BeforeCommit: func() error {
					if failed.Add(1) <= tt.failures {
						return &pgconn.PgError{Code: "40001", Message: "injected"}
					}
					return nil
				},
				OnRetry: func() { hooked.Add(1) },
			})
			runs := 0
			err := s.update(context.Background(), func(tx *Tx) error {
				runs++
				return tx.Audit(rules.AuditEntry{At: t0, Action: "x"})
			})
			wantRuns := min(int(tt.failures)+1, 10)
			if tt.wantErr != (err != nil) || runs != wantRuns || s.Retries() != uint64(wantRuns-1) || hooked.Load() != int32(wantRuns-1) {
				t.Fatalf("err %v, %d runs, %d retries, %d hook calls; want error %v, %d runs", err, runs, s.Retries(), hooked.Load(), tt.wantErr, wantRuns)
			}
			if tt.wantErr && !errors.Is(err, rules.ErrStoreUnavailable) {
				t.Errorf("after the attempts: %v, want STORE_UNAVAILABLE", err)
			}
			want := 1
			if tt.wantErr {
				want = 0
			}
			if n := countRows(t, s, "audit"); n != want {
				t.Errorf("%d audit entries, want %d", n, want)
			}
		})
	}
}

// A deadlock is retried too, and other errors are not.
func TestRetryable(t *testing.T) {
	for code, want := range map[string]bool{"40001": true, "40P01": true, "23505": false, "42P01": false} {
		if got := retryable(fmt.Errorf("x: %w", &pgconn.PgError{Code: code})); got != want {
			t.Errorf("retryable(%s) = %v", code, got)
		}
	}
	if !retryable(errConflict) || retryable(rules.ErrAlreadyPaid) {
		t.Error("errConflict is retried, domain errors are not")
	}
}

// An unreachable database is STORE_UNAVAILABLE naming the host, within
// the connect timeout.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// A listener that never answers: the connect timeout must end the wait.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silentPort := silent.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name, dsn, host string
	}{
		{"closed port", fmt.Sprintf("postgres://u@127.0.0.1:%d/db?sslmode=disable", closedPort), fmt.Sprintf("127.0.0.1:%d", closedPort)},
		{"silent server", fmt.Sprintf("postgres://u@127.0.0.1:%d/db?sslmode=disable", silentPort), fmt.Sprintf("127.0.0.1:%d", silentPort)},
		{"key=value DSN", fmt.Sprintf("host=127.0.0.1 port=%d user=u dbname=db sslmode=disable", closedPort), fmt.Sprintf("127.0.0.1:%d", closedPort)},
		{"multi-host", fmt.Sprintf("postgres://u@127.0.0.1:%d,127.0.0.2:%d/db?sslmode=disable&target_session_attrs=read-write", closedPort, closedPort),
			fmt.Sprintf("127.0.0.1:%d, 127.0.0.2:%d", closedPort, closedPort)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(context.Background(), tt.dsn, Options{ConnectTimeout: 500 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.Code != "STORE_UNAVAILABLE" || re.Kind.ExitCode() != 6 || !strings.Contains(re.EN, tt.host) {
				t.Fatalf("got %v, want STORE_UNAVAILABLE (exit 6) naming %s", err, tt.host)
			}
			if strings.Contains(re.EN, "dial tcp") || strings.Contains(re.EN, "failed to connect to") {
				t.Errorf("driver internals in %q", re.EN)
			}
		})
	}
	if _, err := Open(context.Background(), "postgres://%zz", Options{}); !errors.Is(err, rules.ErrStoreUnavailable) {
		t.Errorf("bad DSN: %v", err)
	}
}

// Open checks the schema version: an empty or older database says to
// migrate; a newer one is refused. Migrate is idempotent.
func TestSchemaVersion(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDB(t, "")
	_, err := Open(ctx, dsn, Options{})
	if !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "jgctl store migrate") || !strings.Contains(err.Error(), "older") {
		t.Fatalf("empty database: %v", err)
	}
	from, to, err := Migrate(ctx, dsn)
	if err != nil || from != 0 || to != SchemaVersion {
		t.Fatalf("Migrate = %d, %d, %v; want 0, %d", from, to, err, SchemaVersion)
	}
	from, to, err = Migrate(ctx, dsn)
	if err != nil || from != SchemaVersion || to != SchemaVersion {
		t.Fatalf("Migrate again = %d, %d, %v", from, to, err)
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.pool.Exec(ctx, "INSERT INTO "+versionTable+" (version_id, is_applied) VALUES ($1, true)", SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dsn, Options{}); !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "newer") {
		t.Errorf("newer schema: %v", err)
	}
	if _, _, err := Migrate(ctx, dsn); !errors.Is(err, rules.ErrStoreUnavailable) || !strings.Contains(err.Error(), "newer") {
		t.Errorf("migrating a newer schema: %v", err)
	}
	if r, err := s.Verify(ctx); err != nil || len(r.Problems) != 1 {
		t.Errorf("Verify of a newer schema: %v, %v", r, err)
	}
}

// SchemaVersion is the newest embedded migration.
func TestSchemaVersionIsNewestMigration(t *testing.T) {
	p := testProvider(t, "postgres://u@127.0.0.1:1/db") // never connects
	src := p.ListSources()
	if len(src) == 0 || src[len(src)-1].Version != SchemaVersion {
		t.Fatalf("newest migration %v, SchemaVersion %d", src, SchemaVersion)
	}
}

// Binding limits: the counters follow inserts and deletes, and Verify
// sees a counter that disagrees with the bindings.
func TestBindingLimits(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	ctx := context.Background()
	bind := func(who, plate string, own bool) error {
		return s.update(ctx, func(tx *Tx) error {
			id, err := tx.NextBindingID()
			if err != nil {
				return err
			}
			return tx.InsertBindingLimited(&rules.Binding{ID: id, IDNumber: who, Kind: rules.BindVehicle, Plate: plate,
				PlateType: rules.PlateSmall, Own: own, Status: rules.BindingActive}, 3, 2)
		})
	}
	steps := []struct {
		who, plate string
		own        bool
		want       error
	}{
		{"P", "鲁A1", false, nil},
		{"P", "鲁A1", false, rules.ErrAlreadyBound},
		{"P", "鲁A2", false, nil},
		{"P", "鲁A3", false, nil},
		{"P", "鲁A4", false, rules.ErrTooManyOthers},
		{"P", "鲁A0", true, nil}, // own vehicles do not count
		{"Q", "鲁A1", false, nil},
		{"R", "鲁A1", false, rules.ErrTooManyDrivers},
		{"R", "鲁A1", true, nil}, // nor does the owner
	}
	for i, st := range steps {
		if err := bind(st.who, st.plate, st.own); !errors.Is(err, st.want) && !(err == nil && st.want == nil) {
			t.Fatalf("step %d (%s %s): %v, want %v", i, st.who, st.plate, err, st.want)
		}
	}
	checkVerify(t, s)
	// Removing a binding frees its slot.
	err := s.update(ctx, func(tx *Tx) error {
		b, err := tx.Binding("B00000001")
		if err != nil {
			return err
		}
		return tx.DeleteBinding(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bind("P", "鲁A4", false); err != nil {
		t.Fatalf("after unbinding: %v", err)
	}
	if err := bind("R", "鲁A1", false); !errors.Is(err, rules.ErrAlreadyBound) {
		t.Fatalf("R binds 鲁A1 again: %v", err)
	}
	if err := bind("S", "鲁A1", false); err != nil {
		t.Fatalf("a driver slot freed: %v", err)
	}
	checkVerify(t, s)
	if _, err := s.pool.Exec(ctx, "UPDATE binding_count_person SET others = 1 WHERE id_number = 'P'"); err != nil {
		t.Fatal(err)
	}
	r, err := s.Verify(ctx)
	if err != nil || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "binding counter of person P") {
		t.Fatalf("Verify after tampering: %v, %v", r, err)
	}
}

// Verify counts what is stored and finds a payment without its record
// and a record whose columns disagree with it.
func TestVerify(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	ctx := context.Background()
	mustUpdate(t, s, func(tx *Tx) error {
		for i, st := range []rules.Status{rules.StatusUnhandled, rules.StatusUnpaid, rules.StatusPaid} {
			v := viol(fmt.Sprint("R", i), "鲁A1", st)
			if st != rules.StatusUnhandled {
				v.DecisionNo = fmt.Sprint("D", i)
			}
			if err := tx.PutViolation(&v, nil); err != nil {
				return err
			}
		}
		return tx.InsertPayment(&rules.Payment{ID: "PD1", DecisionNo: "D1", RecordNo: "R1", PaidAt: t0})
	})
	r := checkVerify(t, s)
	if r.Records != 3 || r.Decisions != 2 || r.Payments != 1 || r.StatusIndex != 2 || r.SchemaVersion != SchemaVersion {
		t.Errorf("report %+v", r)
	}
	if _, err := s.pool.Exec(ctx, "UPDATE violations SET decision_no = NULL, status = 'x' WHERE record_no = 'R1'"); err != nil {
		t.Fatal(err)
	}
	r, err := s.Verify(ctx)
	if err != nil || len(r.Problems) != 2 {
		t.Fatalf("Verify after tampering: %q, %v", r.Problems, err)
	}
}

// Writes that clash with a key give the domain's error and leave the
// transaction usable.
func TestKeysRefuse(t *testing.T) {
	s := openPG(t, "repeatable read", Options{})
	v := viol("R1", "鲁A1", rules.StatusUnpaid)
	v.DecisionNo = "D1"
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&v, nil) })
	w := viol("R2", "鲁A1", rules.StatusUnhandled)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutViolation(&w, nil) })
	tests := []struct {
		name string
		fn   func(tx *Tx) error
		want error
	}{
		{"record number taken", func(tx *Tx) error { return tx.PutViolation(&v, nil) }, rules.ErrDuplicateRecord},
		{"decision number taken", func(tx *Tx) error {
			x := w
			x.DecisionNo, x.Status = "D1", rules.StatusUnpaid
			return tx.PutViolation(&x, &w)
		}, rules.ErrDuplicateDecision},
		{"stale old state", func(tx *Tx) error {
			old := v
			old.Status = rules.StatusUnhandled
			x := v
			return tx.PutViolation(&x, &old)
		}, rules.ErrPendingElsewhere},
		{"record gone", func(tx *Tx) error {
			x := viol("R9", "鲁A1", rules.StatusPending)
			return tx.PutViolation(&x, &x)
		}, rules.ErrRecordNotFound},
		{"second payment", func(tx *Tx) error {
			if err := tx.InsertPayment(&rules.Payment{DecisionNo: "D1", RecordNo: "R1"}); err != nil {
				return err
			}
			return tx.InsertPayment(&rules.Payment{DecisionNo: "D1", RecordNo: "R1"})
		}, rules.ErrAlreadyPaid},
		{"person twice", func(tx *Tx) error {
			p := &rules.Person{IDNumber: "P"}
			if err := tx.InsertPerson(p); err != nil {
				return err
			}
			return tx.InsertPerson(p)
		}, rules.ErrAlreadyRegistered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.update(context.Background(), func(tx *Tx) error {
				err := tt.fn(tx)
				if !errors.Is(err, tt.want) {
					return fmt.Errorf("got %v", err)
				}
				// The transaction goes on after the refusal.
				_, err = tx.Violation("R1")
				return err
			})
			if err != nil {
				t.Fatalf("%v, want %v", err, tt.want)
			}
		})
	}
}

// A panic in fn rolls back and gives the connection back: the store goes
// on working and closes.
func TestUpdatePanicDoesNotWedgeStore(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 1})
	func() {
		defer func() { recover() }()
		s.update(context.Background(), func(tx *Tx) error {
			if err := tx.Audit(rules.AuditEntry{At: t0, Action: "lost"}); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.update(ctx, func(tx *Tx) error { return tx.Audit(rules.AuditEntry{At: t0, Action: "kept"}) }); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "audit"); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

// A connection lost inside a transaction is STORE_UNAVAILABLE (exit 6),
// and the store goes on with a new connection.
func TestConnectionLost(t *testing.T) {
	s := openPG(t, "read committed", Options{MaxConns: 2})
	ctx := context.Background()
	err := s.update(ctx, func(tx *Tx) error {
		var pid int
		if err := tx.tx.QueryRow(tx.ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			return err
		}
		if _, err := s.pool.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
			return err
		}
		_, err := tx.Licence("L1")
		return err
	})
	var re *rules.Error
	if !errors.As(err, &re) || re.Code != "STORE_UNAVAILABLE" {
		t.Fatalf("got %v, want STORE_UNAVAILABLE", err)
	}
	if err := s.view(ctx, func(tx *Tx) error { _, err := tx.Licence("L1"); return err }); err != nil {
		t.Fatalf("after the loss: %v", err)
	}
}
