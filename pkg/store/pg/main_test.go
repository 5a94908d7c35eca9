package pg

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"github.com/pressly/goose/v3"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var isolations = []string{"read committed", "repeatable read", "serializable"}

// openPG returns a migrated, open store on a fresh database.
func openPG(t testing.TB, isolation string, o Options) *Store {
	t.Helper()
	return openPGWith(t, isolation, "", o)
}

// openPGWith is openPG with extra connection parameters (param=value&…).
func openPGWith(t testing.TB, isolation, params string, o Options) *Store {
	t.Helper()
	dsn := pgtest.NewDB(t, isolation)
	if params != "" {
		dsn += "&" + params
	}
	if _, _, err := Migrate(context.Background(), dsn); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	s, err := Open(context.Background(), dsn, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openBolt(t testing.TB) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "jgctl.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// txn is a transaction of either store.
type txn = store.Tx

// backend runs transactions on one of the stores.
type backend struct {
	update func(func(txn) error) error
	view   func(func(txn) error) error
	store.Encoder
	writePayment func(store.PaymentWrite) (bool, error)
}

func backendOf(s store.Store) backend {
	ctx := context.Background()
	return backend{
		func(fn func(txn) error) error { return s.Update(ctx, fn) },
		func(fn func(txn) error) error { return s.View(ctx, fn) },
		s,
		func(w store.PaymentWrite) (bool, error) { return s.WritePayment(ctx, w) }}
}

// errText describes an error for comparison: a rules error by its text
// (code and details), anything else as unexpected.
func errText(err error) string {
	var re *rules.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &re):
		return re.Error()
	}
	return "unexpected: " + err.Error()
}

var t0 = time.Date(2024, 3, 4, 9, 30, 0, 0, rules.China)

func viol(rn, plate string, st rules.Status) rules.Violation {
	return rules.Violation{
		RecordNo: rn, Plate: plate, PlateType: rules.PlateSmall, OccurredAt: t0, Location: "济南市经十路",
		Code: "1625", Description: "闯红灯", Fine: rules.Yuan(200), Points: 6, Source: rules.SourceCamera, Status: st,
	}
}

// testProvider is the migrations' provider on the database at dsn (a
// *sql.DB closed at the end of the test).
func testProvider(t *testing.T, dsn string) *goose.Provider {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := provider(db)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
