package bolt

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// recordFixture is a value of a kind stored as JSON, with the file
// (testdata/records/FILE.json) holding the bytes stores have always
// written for it: the format existing stores hold, which no change to the
// rules types (their JSON is the API's) may alter.
type recordFixture struct {
	file string
	b    bucket
	key  []byte
	put  func(*Tx) error
	get  func(*Tx) (any, error)
	want any
}

// recordFixtures covers every kind, each with every field set and (where
// some are omitted when empty) with only the required ones.
func recordFixtures() []recordFixture {
	at := time.Date(2026, 11, 24, 10, 30, 15, 123456789, rules.China)
	money := func(s string) rules.Money {
		m, err := rules.ParseMoney(s)
		if err != nil {
			panic(err)
		}
		return m
	}
	const id, plate, decision = "110101199003070011", "京A12345", "1101000000000011"
	licence := rules.Licence{IDNumber: id, Name: "张三", FileNo: "110100123456", Classes: "C1", FirstIssuedOn: rules.NewDate(2010, 5, 1),
		ValidUntil: rules.NewDate(2030, 5, 1), Status: rules.LicenceNormal, Phone: "13800000000"}
	licenceMin := rules.Licence{IDNumber: id, Name: "张三", FileNo: "110100123456", Classes: "C1", FirstIssuedOn: rules.NewDate(2010, 5, 1), Status: rules.LicenceNormal}
	vehicle := rules.Vehicle{Plate: plate, PlateType: "02", OwnerIDNumber: id, OwnerName: "张三", VIN: "LSVAA4182E2123456", RegisteredOn: rules.NewDate(2015, 3, 2)}
	vehicleMin := rules.Vehicle{Plate: plate, PlateType: "02", OwnerIDNumber: id, OwnerName: "张三"}
	person := rules.Person{IDNumber: id, Name: "张三", Phone: "13800000000", RegisteredAt: at, Via: "licence"}
	unit := rules.Unit{CreditCode: "91110000600037341L", Name: "某某公司", AgentIDNumber: id, RegisteredAt: at}
	binding := rules.Binding{ID: "B00000001", IDNumber: id, Kind: rules.BindVehicle, Plate: plate, PlateType: "02", Status: "active",
		RequestID: "R1", CreatedAt: at, ActiveFrom: at.Add(time.Hour)}
	bindingMin := rules.Binding{ID: "B00000002", IDNumber: id, Kind: "licence", Own: true, Status: "active", CreatedAt: at}
	order := rules.PaymentOrder{ID: "O0000000001", DecisionNo: decision, RecordNo: "R000000001", IDNumber: id, Amount: money("206.50"),
		CreatedAt: at, ExpiresAt: at.Add(15 * time.Minute)}
	payment := rules.Payment{ID: "P" + decision, DecisionNo: decision, RecordNo: "R000000001", Fine: money("200"), LateFee: money("6.50"),
		Amount: money("206.50"), PayerIDNumber: id, GatewayRef: "GW1", OrderID: "ORD-1", PaidAt: at, IdempotencyKey: "k1"}
	paymentMin := rules.Payment{ID: "P" + decision, DecisionNo: decision, RecordNo: "R000000001", Fine: money("200"), Amount: money("200"),
		GatewayRef: "GW1", PaidAt: at}
	audit := rules.AuditEntry{Seq: 1, At: at, Actor: "citizen:" + id, Action: "pay", Subject: decision, Detail: "P" + decision + " 206.50"}
	auditMin := rules.AuditEntry{Seq: 1, At: at, Actor: "admin:ops", Action: "import", Subject: "violations"}
	note := rules.Notification{Seq: 1, CreatedAt: at, To: "13800000000", Template: "paid", Text: "【交管】决定书" + decision + "已缴款206.50元，记3分。"}
	token := store.TokenRecord{Role: "admin", Subject: "ops", CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour), Revoked: true}
	tokenMin := store.TokenRecord{Role: "citizen", Subject: id, CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
	hash := []byte("0123456789abcdef0123456789abcdef")

	first := func(vs any, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return reflect.ValueOf(vs).Index(0).Interface(), nil
	}
	type fx = recordFixture
	var out []fx
	for i, l := range []rules.Licence{licence, licenceMin} {
		file := []string{"licence", "licence_min"}[i]
		out = append(out, fx{file, bucketLicences, []byte(id), func(tx *Tx) error { return tx.PutLicence(&l) },
			func(tx *Tx) (any, error) { return tx.Licence(id) }, &l})
	}
	for i, v := range []rules.Vehicle{vehicle, vehicleMin} {
		file := []string{"vehicle", "vehicle_min"}[i]
		out = append(out, fx{file, bucketVehicles, vehicleKey(plate, "02"), func(tx *Tx) error { return tx.PutVehicle(&v) },
			func(tx *Tx) (any, error) { return tx.Vehicle(plate, "02") }, &v})
	}
	for i, b := range []rules.Binding{binding, bindingMin} {
		file := []string{"binding", "binding_min"}[i]
		out = append(out, fx{file, bucketBindings, []byte(b.ID), func(tx *Tx) error { return tx.PutBinding(&b) },
			func(tx *Tx) (any, error) { return tx.Binding(b.ID) }, &b})
	}
	for i, p := range []rules.Payment{payment, paymentMin} {
		file := []string{"payment", "payment_min"}[i]
		out = append(out, fx{file, bucketPayments, []byte(decision), func(tx *Tx) error { return tx.InsertPayment(&p) },
			func(tx *Tx) (any, error) { return tx.PaymentOfDecision(decision) }, &p})
	}
	for i, e := range []rules.AuditEntry{audit, auditMin} {
		file := []string{"audit", "audit_min"}[i]
		out = append(out, fx{file, bucketAudit, u64(1), func(tx *Tx) error { e := e; e.Seq = 99; return tx.Audit(e) },
			func(tx *Tx) (any, error) { return first(tx.AuditLog(0, 1)) }, e})
	}
	for i, r := range []store.TokenRecord{token, tokenMin} {
		file := []string{"token", "token_min"}[i]
		out = append(out, fx{file, bucketTokens, hash, func(tx *Tx) error { return tx.PutToken(hash, &r) },
			func(tx *Tx) (any, error) { return tx.Token(hash) }, &r})
	}
	return append(out,
		fx{"person", bucketPersons, []byte(id), func(tx *Tx) error { return tx.InsertPerson(&person) },
			func(tx *Tx) (any, error) { return tx.Person(id) }, &person},
		fx{"unit", bucketUnits, []byte(unit.CreditCode), func(tx *Tx) error { return tx.InsertUnit(&unit) },
			func(tx *Tx) (any, error) { return tx.Unit(unit.CreditCode) }, &unit},
		fx{"order", bucketOrders, []byte(order.ID), func(tx *Tx) error { o := order; o.ID = ""; return tx.InsertOrder(&o) },
			func(tx *Tx) (any, error) {
				o, err := getJSON[orderRec](tx, bucketOrders, []byte(order.ID))
				return (*rules.PaymentOrder)(o), err
			}, &order},
		fx{"notification", bucketOutbox, u64(1), func(tx *Tx) error { m := note; m.Seq = 99; return tx.Notify(m) },
			func(tx *Tx) (any, error) { return first(tx.Outbox(0, 1)) }, note},
	)
}

// TestStoredRecordFixtures writes every kind and compares the bytes with
// what stores hold, and reads those bytes back: a change of the stored
// form (say, a renamed JSON tag of a rules type leaking into the file)
// fails here instead of silently orphaning existing data.
func TestStoredRecordFixtures(t *testing.T) {
	for _, fx := range recordFixtures() {
		t.Run(fx.file, func(t *testing.T) {
			fixture, err := os.ReadFile(filepath.Join("testdata", "records", fx.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			fixture = bytes.TrimSpace(fixture)
			s := openTest(t)
			update(t, s, func(tx *Tx) error {
				if err := fx.put(tx); err != nil {
					return err
				}
				if got := tx.b(fx.b).Get(fx.key); !bytes.Equal(got, fixture) {
					t.Errorf("stored\n%s\nwant (the format of existing stores)\n%s", got, fixture)
				}
				// The stored bytes, as an older version wrote them, read as the value.
				return tx.b(fx.b).Put(fx.key, fixture)
			})
			view(t, s, func(tx *Tx) error {
				got, err := fx.get(tx)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(normal(got), normal(fx.want)) {
					t.Errorf("read %+v\nwant %+v", got, fx.want)
				}
				return nil
			})
		})
	}
}

// normal returns v with every time in UTC and every amount in fen, so
// that values compare with reflect.DeepEqual whatever location their times
// were decoded in and however their amounts were written.
func normal(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	c := reflect.New(rv.Type()).Elem()
	c.Set(rv)
	if c.Kind() == reflect.Struct {
		for i := range c.NumField() {
			switch f := c.Field(i); f.Type() {
			case reflect.TypeFor[time.Time]():
				f.Set(reflect.ValueOf(f.Interface().(time.Time).UTC()))
			case reflect.TypeFor[rules.Money]():
				f.Set(reflect.ValueOf(rules.Fen(f.Interface().(rules.Money).FenValue())))
			}
		}
	}
	return c.Interface()
}

// TestRecordFieldsNamed checks that every stored field has an explicit
// JSON name: an untagged field would be stored under its Go name, so
// renaming it in the code would change the file format.
func TestRecordFieldsNamed(t *testing.T) {
	for _, r := range []any{licenceRec{}, vehicleRec{}, personRec{}, unitRec{}, bindingRec{}, orderRec{},
		paymentRec{}, auditRec{}, notificationRec{}, tokenRec{}} {
		rt := reflect.TypeOf(r)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				t.Errorf("%s.%s has no stored name (json tag)", rt.Name(), rt.Field(i).Name)
			}
		}
	}
}

// TestEncoders checks that the store's encoders (store.Encoder) make the
// stored bytes, and that what they encode reads back through the Tx.
func TestEncoders(t *testing.T) {
	fixtures := map[string]any{}
	for _, fx := range recordFixtures() {
		fixtures[fx.file] = fx.want
	}
	s := openTest(t)
	for _, c := range []struct {
		file   string
		encode func() ([]byte, error)
	}{
		{"payment", func() ([]byte, error) { return s.EncodePayment(fixtures["payment"].(*rules.Payment)) }},
		{"payment_min", func() ([]byte, error) { return s.EncodePayment(fixtures["payment_min"].(*rules.Payment)) }},
		{"audit", func() ([]byte, error) { return s.EncodeAudit(fixtures["audit"].(rules.AuditEntry)) }},
		{"notification", func() ([]byte, error) { return s.EncodeNotification(fixtures["notification"].(rules.Notification)) }},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", "records", c.file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.encode(); err != nil || !bytes.Equal(got, bytes.TrimSpace(want)) {
			t.Errorf("%s: encoded %s, %v\nwant %s", c.file, got, err, want)
		}
	}

	p := fixtures["payment"].(*rules.Payment)
	e := fixtures["audit"].(rules.AuditEntry)
	m := fixtures["notification"].(rules.Notification)
	rawP, _ := s.EncodePayment(p)
	rawE, _ := s.EncodeAudit(e)
	rawM, _ := s.EncodeNotification(m)
	rawK, err := s.EncodeIdempotent("h1", map[string]string{"payment_id": p.ID})
	if err != nil || string(rawK) != "h1\n"+`{"payment_id":"`+p.ID+`"}` {
		t.Errorf("EncodeIdempotent = %q, %v", rawK, err)
	}
	update(t, s, func(tx *Tx) error {
		for _, err := range []error{tx.InsertEncodedPayment(p.DecisionNo, rawP), tx.AppendAudit(rawE),
			tx.AppendNotification(rawM), tx.PutEncodedIdempotent("pay", "k1", rawK)} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx *Tx) error {
		gotP, err := tx.PaymentOfDecision(p.DecisionNo)
		if err != nil || !reflect.DeepEqual(normal(gotP), normal(p)) {
			t.Errorf("payment %+v, %v", gotP, err)
		}
		gotE, err := tx.AuditLog(0, 0)
		if err != nil || len(gotE) != 1 || !reflect.DeepEqual(normal(gotE[0]), normal(e)) {
			t.Errorf("audit %+v, %v", gotE, err)
		}
		gotM, err := tx.Outbox(0, 0)
		if err != nil || len(gotM) != 1 || !reflect.DeepEqual(normal(gotM[0]), normal(m)) {
			t.Errorf("outbox %+v, %v", gotM, err)
		}
		raw, ok, err := tx.Idempotent("pay", "k1", "h1")
		if err != nil || !ok || string(raw) != `{"payment_id":"`+p.ID+`"}` {
			t.Errorf("idempotent %s, %v, %v", raw, ok, err)
		}
		return nil
	})
}
