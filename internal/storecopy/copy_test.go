package storecopy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/internal/storecopy"
	"github.com/jgctl/jgctl/internal/textdiff"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"github.com/jgctl/jgctl/pkg/store/pg"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const (
	zhang          = "370102199003071238" // owns 鲁A12345 and 鲁AD12345
	li             = "370203198507152012"
	onsiteDecision = "3701001234567890"    // 张三's, fine 50.00
	cameraRecord   = "3701002026110500002" // camera record of 鲁A12345
)

func person(id string) api.Actor { return api.Actor{Role: api.RolePerson, IDNumber: id} }

type importer struct{ e *engine.Engine }

func (i importer) Import(ctx context.Context, r api.ImportRequest, data io.Reader, onReject func(api.Reject)) (*api.ImportResult, error) {
	return i.e.Import(ctx, api.Staff, r, data, onReject)
}

func openBolt(t *testing.T, name string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), name), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPG(t *testing.T) *pg.Store {
	t.Helper()
	dsn := pgtest.NewDB(t, "read committed")
	if _, _, err := pg.Migrate(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
	s, err := pg.Open(context.Background(), dsn, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// populated is a bbolt store with every kind of record: the examples,
// two people with passwords, a unit, bindings (one a pending request for
// another owner's vehicle), a handled (pending) record, a paid decision,
// a token, idempotency keys, audit entries and outbox messages.
func populated(t *testing.T) *bolt.Store {
	t.Helper()
	st := openBolt(t, "src.db")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)
	e := engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Now: func() time.Time { return now }})
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := examples.Load(ctx, importer{e}, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []api.RegisterPersonRequest{
		{Mutation: api.Mutation{IdempotencyKey: "reg-zhang"}, IDNumber: zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456", Password: "zhangsan2026"},
		{IDNumber: li, Name: "李四", Phone: "13900139000", FileNo: "370200234567", Password: "lisi20262026"},
	} {
		must(e.RegisterPerson(ctx, api.Staff, r))
	}
	must(e.BindVehicle(ctx, person(zhang), api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}))
	must(e.BindLicence(ctx, person(zhang), api.BindLicenceRequest{}))
	if r, err := e.BindVehicle(ctx, person(li), api.BindVehicleRequest{Plate: "鲁AD12345", PlateType: "52"}); err != nil || r.RequestID == "" {
		t.Fatalf("li's binding of 张三's vehicle is not a pending request: %+v, %v", r, err)
	}
	must(e.Pay(ctx, person(zhang), api.PayRequest{Mutation: api.Mutation{IdempotencyKey: "pay-1"}, DecisionNo: onsiteDecision}))
	must(e.HandleViolation(ctx, person(zhang), api.HandleRequest{RecordNo: cameraRecord}))
	must(e.CreateToken(ctx, api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "desk"}))
	err := st.Update(ctx, func(tx store.Tx) error {
		return tx.InsertUnit(&rules.Unit{CreditCode: "91370100MA3C00000X", Name: "济南某运输公司", AgentIDNumber: zhang, RegisteredAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// dump is a store's Dump, one JSON line per record.
func dump(t *testing.T, s store.Store) []string {
	t.Helper()
	var out []string
	err := s.Dump(context.Background(), func(r store.Record) error {
		raw, err := json.Marshal(r)
		out = append(out, string(raw))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func kinds(lines []string) map[string]int {
	n := map[string]int{}
	for _, l := range lines {
		var r struct{ Kind string }
		json.Unmarshal([]byte(l), &r)
		n[r.Kind]++
	}
	return n
}

func copyStore(t *testing.T, src, dst store.Store) *storecopy.Result {
	t.Helper()
	res, err := storecopy.Copy(context.Background(), src, dst, 7) // small batches: many transactions
	if err != nil {
		t.Fatalf("copy: %v (%+v)", err, res)
	}
	for _, r := range []*store.Report{res.Source, res.Destination} {
		if len(r.Problems) > 0 || r.Records == 0 {
			t.Fatalf("check of %s: %+v", r.Backend, r)
		}
	}
	return res
}

func sameDump(t *testing.T, what string, want, got []string) {
	t.Helper()
	if d := textdiff.Lines(strings.Join(want, "\n"), strings.Join(got, "\n"), 3); d != "" {
		t.Fatalf("%s: the records differ:\n%s", what, d)
	}
}

// TestRoundTrip: bbolt → PostgreSQL → bbolt gives back the first store
// record for record, every kind present and counted, each store's check
// clean; and the copies issue new numbers after the copied ones.
func TestRoundTrip(t *testing.T) {
	src := populated(t)
	first := dump(t, src)
	n := kinds(first)
	for _, k := range store.Kinds {
		if n[k] == 0 {
			t.Errorf("the populated store has no %s", k)
		}
	}
	db := openPG(t)
	res := copyStore(t, src, db)
	for _, c := range res.Counts {
		if c.Source != n[c.Kind] || c.Destination != n[c.Kind] {
			t.Errorf("%s: counted %+v, the dump has %d", c.Kind, c, n[c.Kind])
		}
	}
	sameDump(t, "bbolt → PostgreSQL", first, dump(t, db))
	back := openBolt(t, "back.db")
	copyStore(t, db, back)
	sameDump(t, "bbolt → PostgreSQL → bbolt", first, dump(t, back))
	for _, s := range []store.Store{db, back} {
		freshNumbers(t, s, first)
		expires(t, s)
	}
}

// expires: the handled record's online handling still lapses in the copy.
func expires(t *testing.T, s store.Store) {
	t.Helper()
	var due []string
	err := s.View(context.Background(), func(tx store.Tx) (err error) {
		due, err = tx.ExpiredPending(time.Date(2030, 1, 1, 0, 0, 0, 0, rules.China), 10)
		return err
	})
	if err != nil || !slices.Equal(due, []string{cameraRecord}) {
		t.Errorf("expired pending handlings = %v, %v; want %s", due, err, cameraRecord)
	}
}

// TestBoltToBolt needs no database: a copy between two files.
func TestBoltToBolt(t *testing.T) {
	src := populated(t)
	dst := openBolt(t, "dst.db")
	copyStore(t, src, dst)
	sameDump(t, "bbolt → bbolt", dump(t, src), dump(t, dst))
	freshNumbers(t, dst, dump(t, src))
	expires(t, dst)
}

// freshNumbers: a binding, an order and a decision made after the copy
// get numbers the copied records do not hold, after the copied counters.
func freshNumbers(t *testing.T, s store.Store, copied []string) {
	t.Helper()
	var c store.Counters
	s.Dump(context.Background(), func(r store.Record) error {
		if r.Counters != nil {
			c = *r.Counters
		}
		return nil
	})
	all := strings.Join(copied, "\n")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		b, err := tx.NextBindingID()
		if err != nil {
			return err
		}
		o := &rules.PaymentOrder{DecisionNo: onsiteDecision}
		if err := tx.InsertOrder(o); err != nil {
			return err
		}
		d, err := tx.NextDecisionNo("370100")
		if err != nil {
			return err
		}
		if want := fmt.Sprintf("B%08d", c.Bindings+1); b != want || c.Bindings == 0 {
			t.Errorf("new binding %s, want %s", b, want)
		}
		if want := fmt.Sprintf("O%010d", c.Orders+1); o.ID != want || c.Orders == 0 {
			t.Errorf("new order %s, want %s", o.ID, want)
		}
		for _, id := range []string{b, o.ID, d} {
			if strings.Contains(all, `"`+id+`"`) {
				t.Errorf("new number %s is a copied one's", id)
			}
		}
		if c.Decisions == 0 || d <= fmt.Sprintf("370100%09d", c.Decisions) {
			t.Errorf("new decision %s does not follow the copied counter %d", d, c.Decisions)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNotEmpty: a destination holding any record is refused, untouched.
func TestNotEmpty(t *testing.T) {
	src := populated(t)
	dst := openBolt(t, "dst.db")
	err := dst.Update(context.Background(), func(tx store.Tx) error {
		return tx.PutLicence(&rules.Licence{IDNumber: li, Name: "李四"})
	})
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, dst)
	_, err = storecopy.Copy(context.Background(), src, dst, 0)
	if !errors.Is(err, rules.ErrStoreNotEmpty) || rules.KindOf(err).ExitCode() != 5 {
		t.Fatalf("copy into a non-empty store: %v", err)
	}
	sameDump(t, "refused destination", before, dump(t, dst))
}

// lossy is a store that silently drops audit entries.
type lossy struct{ store.Store }

func (l lossy) Update(ctx context.Context, fn func(store.Tx) error) error {
	return l.Store.Update(ctx, func(tx store.Tx) error { return fn(dropAudit{tx}) })
}

type dropAudit struct{ store.Tx }

func (dropAudit) PutAudit(uint64, []byte) error { return nil }

// TestCountsChecked: a destination that lost records fails the copy,
// naming the kind.
func TestCountsChecked(t *testing.T) {
	src := populated(t)
	res, err := storecopy.Copy(context.Background(), src, lossy{openBolt(t, "dst.db")}, 0)
	if !errors.Is(err, rules.ErrCopyMismatch) || !strings.Contains(err.Error(), "audit:") || res == nil {
		t.Fatalf("copy into a lossy store: %v", err)
	}
}
