package pg

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
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

func openBolt(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "jgctl.db"), store.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// txn is the method set the two stores' transactions share.
type txn interface {
	Licence(string) (*rules.Licence, error)
	PutLicence(*rules.Licence) error
	Vehicle(string, rules.PlateType) (*rules.Vehicle, error)
	PutVehicle(*rules.Vehicle) error
	Person(string) (*rules.Person, error)
	InsertPerson(*rules.Person) error
	Unit(string) (*rules.Unit, error)
	InsertUnit(*rules.Unit) error
	NextBindingID() (string, error)
	Binding(string) (*rules.Binding, error)
	PutBinding(*rules.Binding) error
	InsertBindingLimited(b *rules.Binding, maxOthers, maxDrivers int) error
	DeleteBinding(*rules.Binding) error
	BindingsOf(string) ([]rules.Binding, error)
	BindingsOfVehicle(string, rules.PlateType) ([]rules.Binding, error)
	Violation(string) (*rules.Violation, error)
	DecisionOf(string, string) bool
	ViolationByDecision(string) (*rules.Violation, error)
	PutViolation(v, old *rules.Violation) error
	Violations(store.ViolationQuery) ([]rules.Violation, error)
	ExpiredPending(time.Time, int) []string
	Fold(int) (int, error)
	PaymentOfDecision(string) (*rules.Payment, error)
	InsertOrder(*rules.PaymentOrder) error
	InsertPayment(*rules.Payment) error
	InsertEncodedPayment(string, []byte) error
	Idempotent(scope, k, hash string) (json.RawMessage, bool, error)
	PutIdempotent(scope, k, hash string, response any) error
	PutEncodedIdempotent(scope, k string, record []byte) error
	Audit(rules.AuditEntry) error
	AppendAudit([]byte) error
	Notify(rules.Notification) error
	AppendNotification([]byte) error
	AuditLog(uint64, int) ([]rules.AuditEntry, error)
	Outbox(uint64, int) ([]rules.Notification, error)
	NextDecisionNo(string) (string, error)
	PasswordHash(string) string
	SetPasswordHash(string, string) error
	Token([]byte) (*store.TokenRecord, error)
	PutToken([]byte, *store.TokenRecord) error
	InsertViolations([]store.NewViolation) (int, []store.Refused, error)
}

var (
	_ txn = (*store.Tx)(nil)
	_ txn = (*Tx)(nil)
)

// backend runs transactions on one of the stores.
type backend struct {
	name   string
	update func(func(txn) error) error
	view   func(func(txn) error) error
}

func boltBackend(s *store.Store) backend {
	return backend{"bbolt",
		func(fn func(txn) error) error { return s.Update(func(tx *store.Tx) error { return fn(tx) }) },
		func(fn func(txn) error) error { return s.View(func(tx *store.Tx) error { return fn(tx) }) }}
}

func pgBackend(s *Store) backend {
	ctx := context.Background()
	return backend{"postgres",
		func(fn func(txn) error) error { return s.Update(ctx, func(tx *Tx) error { return fn(tx) }) },
		func(fn func(txn) error) error { return s.View(ctx, func(tx *Tx) error { return fn(tx) }) }}
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
