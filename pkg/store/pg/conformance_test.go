package pg

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
)

// script applies one sequence of operations to a store and returns what
// each returned, one line per operation.
func script(t *testing.T, b backend) []string {
	var out []string
	log := func(step string, v any, err error) {
		raw, jerr := json.Marshal(v)
		if jerr != nil {
			t.Fatalf("%s: %v", step, jerr)
		}
		out = append(out, fmt.Sprintf("%s: %s | %s", step, raw, errText(err)))
	}
	// do runs fn in a write transaction and logs its result.
	do := func(step string, fn func(tx txn) (any, error)) {
		var v any
		err := b.update(func(tx txn) (err error) { v, err = fn(tx); return err })
		log(step, v, err)
	}
	read := func(step string, fn func(tx txn) (any, error)) {
		var v any
		err := b.view(func(tx txn) (err error) { v, err = fn(tx); return err })
		log(step, v, err)
	}

	// Reference data, people and units.
	lic := &rules.Licence{IDNumber: "370102199001011234", Name: "张三", FileNo: "3701001", Classes: "C1",
		FirstIssuedOn: rules.NewDate(2010, 5, 6), Status: rules.LicenceNormal}
	veh := &rules.Vehicle{Plate: "鲁A00001", PlateType: rules.PlateSmall, OwnerIDNumber: lic.IDNumber, OwnerName: "张三"}
	read("no licence", func(tx txn) (any, error) { return tx.Licence(lic.IDNumber) })
	do("put licence", func(tx txn) (any, error) { return nil, tx.PutLicence(lic) })
	lic2 := *lic
	lic2.Status = rules.LicenceSuspended
	do("put licence again", func(tx txn) (any, error) { return nil, tx.PutLicence(&lic2) })
	read("licence", func(tx txn) (any, error) { return tx.Licence(lic.IDNumber) })
	do("put vehicle", func(tx txn) (any, error) { return nil, tx.PutVehicle(veh) })
	veh2 := *veh
	veh2.OwnerIDNumber = "X"
	do("change owner", func(tx txn) (any, error) { return nil, tx.PutVehicle(&veh2) })
	read("vehicle", func(tx txn) (any, error) { return tx.Vehicle(veh.Plate, veh.PlateType) })
	read("no vehicle", func(tx txn) (any, error) { return tx.Vehicle(veh.Plate, rules.PlateNESmall) })
	p := &rules.Person{IDNumber: lic.IDNumber, Name: "张三", Phone: "13800000000", RegisteredAt: t0, Via: "licence"}
	do("register", func(tx txn) (any, error) { return nil, tx.InsertPerson(p) })
	do("register twice", func(tx txn) (any, error) { return nil, tx.InsertPerson(p) })
	read("person", func(tx txn) (any, error) { return tx.Person(p.IDNumber) })
	u := &rules.Unit{CreditCode: "91370100MA3C000000", Name: "某公司", AgentIDNumber: p.IDNumber, RegisteredAt: t0}
	do("register unit", func(tx txn) (any, error) { return nil, tx.InsertUnit(u) })
	do("register unit twice", func(tx txn) (any, error) { return nil, tx.InsertUnit(u) })
	read("unit", func(tx txn) (any, error) { return tx.Unit(u.CreditCode) })

	// Bindings.
	for i, who := range []string{p.IDNumber, "P2", p.IDNumber} {
		do(fmt.Sprintf("bind %d", i), func(tx txn) (any, error) {
			id, err := tx.NextBindingID()
			if err != nil {
				return nil, err
			}
			b := &rules.Binding{ID: id, IDNumber: who, Kind: rules.BindVehicle, Plate: fmt.Sprintf("鲁A0000%d", i%2+1), PlateType: rules.PlateSmall,
				Own: i == 0, Status: rules.BindingPending, CreatedAt: t0}
			if i == 2 {
				b.Kind, b.Plate, b.PlateType = rules.BindLicence, "", ""
			}
			return b, tx.PutBinding(b)
		})
	}
	do("approve", func(tx txn) (any, error) {
		b, err := tx.Binding("B00000002")
		if err != nil || b == nil {
			return b, err
		}
		b.Status, b.ActiveFrom = rules.BindingActive, t0.Add(time.Hour)
		return b, tx.PutBinding(b)
	})
	read("bindings of person", func(tx txn) (any, error) { return tx.BindingsOf(p.IDNumber) })
	read("bindings of vehicle", func(tx txn) (any, error) { return tx.BindingsOfVehicle("鲁A00002", rules.PlateSmall) })
	do("unbind", func(tx txn) (any, error) {
		b, err := tx.Binding("B00000001")
		if err != nil || b == nil {
			return b, err
		}
		return nil, tx.DeleteBinding(b)
	})
	read("bindings after unbind", func(tx txn) (any, error) { return tx.BindingsOf(p.IDNumber) })
	read("no binding", func(tx txn) (any, error) { return tx.Binding("B00000001") })
	// The binding limits, for a person and for a vehicle.
	for i, c := range []struct {
		who, plate string
		own        bool
	}{{"L", "鲁L1", false}, {"L", "鲁L2", false}, {"L", "鲁L3", false}, {"L", "鲁L0", true}, {"M", "鲁L1", false}, {"N", "鲁L1", false},
		{"N", "鲁L1", true}, {"O", "鲁L1", false}} {
		do(fmt.Sprintf("limited bind %d", i), func(tx txn) (any, error) {
			id, err := tx.NextBindingID()
			if err != nil {
				return nil, err
			}
			b := &rules.Binding{ID: id, IDNumber: c.who, Kind: rules.BindVehicle, Plate: c.plate, PlateType: rules.PlateSmall, Own: c.own,
				Status: rules.BindingActive, CreatedAt: t0}
			err = tx.InsertBindingLimited(b, 2, 2)
			b.ID = "" // a PostgreSQL sequence is not rolled back with a refused binding: IDs may skip
			return b, err
		})
	}
	do("limited bind with no room", func(tx txn) (any, error) {
		return nil, tx.InsertBindingLimited(&rules.Binding{ID: "B99", IDNumber: "Z", Kind: rules.BindVehicle, Plate: "鲁Z1", PlateType: rules.PlateSmall}, 0, 0)
	})
	read("limited bindings", func(tx txn) (any, error) {
		bs, err := tx.BindingsOfVehicle("鲁L1", rules.PlateSmall)
		for i := range bs {
			bs[i].ID = ""
		}
		return bs, err
	})

	// Records: half imported (in reverse), half written one by one.
	var bulk []store.NewViolation
	for i := 1; i <= 20; i++ {
		v := fixtureRecord(i)
		if i <= 10 {
			bulk = append([]store.NewViolation{{Line: 100 + i, Record: v}}, bulk...)
			continue
		}
		do("put "+v.RecordNo, func(tx txn) (any, error) { return nil, tx.PutViolation(&v, nil) })
	}
	// Duplicates within the chunk and with the store, of record and decision.
	for i, v := range []rules.Violation{viol("R11", "鲁C1", rules.StatusUnhandled), viol("R03", "鲁C2", rules.StatusUnhandled),
		viol("R21", "鲁C3", rules.StatusUnpaid), viol("R22", "鲁C4", rules.StatusUnpaid), viol("R23", "鲁C5", rules.StatusUnpaid)} {
		switch i {
		case 2:
			v.DecisionNo = "D11" // stored
		case 3, 4:
			v.DecisionNo = "D99" // twice in the chunk: the first wins
		}
		bulk = append(bulk, store.NewViolation{Line: 200 + i, Record: v})
	}
	do("import", func(tx txn) (any, error) {
		n, refused, err := tx.InsertViolations(bulk)
		var r []string
		for _, x := range refused {
			r = append(r, fmt.Sprintf("%d %s", x.Line, errText(x.Err)))
		}
		return []any{n, r}, err
	})
	do("import again", func(tx txn) (any, error) {
		n, refused, err := tx.InsertViolations(bulk[:3])
		return []any{n, len(refused)}, err
	})
	do("duplicate decision", func(tx txn) (any, error) {
		old, err := tx.Violation("R03")
		if err != nil {
			return nil, err
		}
		v := *old
		v.DecisionNo, v.Status = "D01", rules.StatusUnpaid
		return nil, tx.PutViolation(&v, old)
	})
	do("handle R03", func(tx txn) (any, error) {
		old, err := tx.Violation("R03")
		if err != nil {
			return nil, err
		}
		v := *old
		no, err := tx.NextDecisionNo("370100")
		if err != nil {
			return nil, err
		}
		v.Status, v.DecisionNo, v.DriverIDNumber, v.PendingUntil = rules.StatusPending, no, "P1", t0.Add(time.Hour)
		return v, tx.PutViolation(&v, old)
	})
	// A decision number already imported is skipped.
	do("import a taken number", func(tx txn) (any, error) {
		v := viol("R30", "鲁D1", rules.StatusUnpaid)
		v.DecisionNo = "3701000000000022"
		n, _, err := tx.InsertViolations([]store.NewViolation{{Line: 300, Record: v}})
		return n, err
	})
	do("decision numbers", func(tx txn) (any, error) {
		var nos []string
		for range 2 {
			no, err := tx.NextDecisionNo("370100")
			if err != nil {
				return nil, err
			}
			nos = append(nos, no)
		}
		return nos, nil
	})

	// Payments overlay their records until folded.
	pay := func(dec, rn string) *rules.Payment {
		return &rules.Payment{ID: "P" + dec, DecisionNo: dec, RecordNo: rn, Fine: rules.Yuan(200), LateFee: rules.Yuan(0), Amount: rules.Yuan(200),
			GatewayRef: "G" + dec, PaidAt: t0.Add(2 * time.Hour).UTC()}
	}
	do("pay D01", func(tx txn) (any, error) { return nil, tx.InsertPayment(pay("D01", "R01")) })
	do("pay D01 again", func(tx txn) (any, error) { return nil, tx.InsertPayment(pay("D01", "R01")) })
	do("pay D05 encoded", func(tx txn) (any, error) {
		raw, _ := json.Marshal(pay("D05", "R05"))
		return nil, tx.InsertEncodedPayment("D05", raw)
	})
	do("pay D13", func(tx txn) (any, error) { return nil, tx.InsertPayment(pay("D13", "R13")) })
	// A payment's write in one operation: written only when nothing stands
	// in its way, else nothing at all.
	fast := func(step, key, dec, rn string) {
		p := pay(dec, rn)
		p.OrderID, p.IdempotencyKey = "ORD-"+dec+"-"+key, key
		raw, err := b.EncodePayment(p)
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := b.EncodeIdempotent("h-"+key, map[string]string{"payment_id": p.ID})
		audit, _ := b.EncodeAudit(rules.AuditEntry{At: t0, Actor: "staff:c", Action: "pay", Subject: dec})
		note, _ := b.EncodeNotification(rules.Notification{CreatedAt: t0, To: "137", Template: "paid", Text: dec})
		written, err := b.writePayment(store.PaymentWrite{Scope: "pay:staff", Key: key, Hash: "h-" + key, KeyRecord: rec,
			DecisionNo: dec, RecordNo: rn, Payment: raw, Audit: audit, Note: note, ClaimDecision: dec, ClaimOrder: "ORD-" + dec})
		log(step, written, err)
	}
	fast("write D02", "fk1", "D02", "R02")
	fast("write D02 again", "fk2", "D02", "R02")
	fast("write D04 with a stored key", "fk1", "D04", "R04")
	fast("write D07 for another record", "fk3", "D07", "R08")
	fast("write D01, paid", "fk4", "D01", "R01")
	fast("write D04", "fk5", "D04", "R04")
	read("written", func(tx txn) (any, error) {
		var out []any
		for _, k := range []string{"fk1", "fk2", "fk3", "fk5"} {
			raw, ok, err := tx.Idempotent("pay:staff", k, "h-"+k)
			if err != nil {
				return nil, err
			}
			out = append(out, string(raw), ok)
		}
		for _, rn := range []string{"R02", "R04", "R07"} {
			v, err := tx.Violation(rn)
			if err != nil {
				return nil, err
			}
			out = append(out, v.Status, v.PaymentID)
		}
		return out, nil
	})
	do("give back orders", func(tx txn) (any, error) {
		for _, o := range []string{"ORD-D02-a", "ORD-D02-a-r1"} {
			if err := tx.PutIdempotent("given", o, "", struct{}{}); err != nil {
				return nil, err
			}
		}
		return nil, tx.InsertPerson(&rules.Person{IDNumber: "P2", Name: "李四", Phone: "13900000002", RegisteredAt: t0})
	})
	for _, q := range []store.PaymentLookup{
		{Scope: "pay:staff", Key: "fk1", Hash: "h-fk1", DecisionNo: "D02",
			Also: []store.KeyRef{{Scope: "given", Key: "ORD-D02-a"}, {Scope: "given", Key: "ORD-D02-a-r1"}, {Scope: "given", Key: "ORD-D02-a-r2"},
				{Scope: "pay:staff", Key: "fk2", Hash: "h-fk2"}, {Scope: "pay:staff", Key: "fk5", Hash: "h-other"}}},
		{Scope: "pay:staff", Key: "fk1", Hash: "h-other", DecisionNo: "D04"},
		{Scope: "pay:staff", Key: "fk9", Hash: "h", DecisionNo: "D07", Also: []store.KeyRef{{Scope: "given", Key: "ORD-D07"}}},
		{Scope: "pay:staff", Key: "fk9", Hash: "h", DecisionNo: "D99"},
	} {
		read("look up "+q.DecisionNo, func(tx txn) (any, error) {
			l, err := tx.LookPayment(q)
			if err != nil {
				return nil, err
			}
			// Looked answers as the transaction does.
			lt := store.Looked(tx, q, l)
			var out []any
			for _, t := range []txn{lt, tx} {
				resp, ok, err := t.Idempotent(q.Scope, q.Key, q.Hash)
				v, verr := t.ViolationByDecision(q.DecisionNo)
				p, perr := t.PaymentOfDecision(q.DecisionNo)
				var given []any
				for _, k := range q.Also {
					resp, ok, err := t.Idempotent(k.Scope, k.Key, k.Hash)
					given = append(given, string(resp), ok, errText(err))
				}
				var driver *rules.Person
				if v != nil {
					driver, _ = t.Person(v.DriverIDNumber)
				}
				out = append(out, string(resp), ok, errText(err), v, errText(verr), p, errText(perr), given, driver)
			}
			a, _ := json.Marshal(out[:9])
			if b, _ := json.Marshal(out[9:]); string(a) != string(b) {
				return nil, fmt.Errorf("looked up %s\nread      %s", a, b)
			}
			return out[:9], nil
		})
	}
	read("payment", func(tx txn) (any, error) { return tx.PaymentOfDecision("D01") })
	read("no payment", func(tx txn) (any, error) { return tx.PaymentOfDecision("D02") })
	read("paid record", func(tx txn) (any, error) { return tx.Violation("R01") })
	read("by decision", func(tx txn) (any, error) { return tx.ViolationByDecision("D05") })
	read("no such decision", func(tx txn) (any, error) { return tx.ViolationByDecision("D03") })
	read("decision of", func(tx txn) (any, error) {
		var out []bool
		for _, c := range [][2]string{{"D01", "R01"}, {"D01", "R02"}, {"DX", "R01"}} {
			ok, err := tx.DecisionOf(c[0], c[1])
			if err != nil {
				return nil, err
			}
			out = append(out, ok)
		}
		return out, nil
	})
	queries := []store.ViolationQuery{
		{}, {Limit: 3}, {After: "R17"}, {After: "R175"}, {After: "R30"},
		{Plate: "鲁A00001", PlateType: rules.PlateSmall}, {Plate: "鲁A00001", PlateType: rules.PlateNESmall},
		{Plate: "鲁B00002", PlateType: rules.PlateSmall, Limit: 2}, {Plate: "鲁A0000", PlateType: rules.PlateSmall},
		{Plate: "鲁A00001", PlateType: rules.PlateSmall, After: "R07", Limit: 3},
		{Plate: "鲁A00001", PlateType: rules.PlateSmall, Status: rules.StatusUnpaid},
		{Plate: "鲁A00001", PlateType: rules.PlateSmall, Status: rules.StatusPaid},
		{Plate: "鲁A00001", PlateType: rules.PlateSmall, Driver: "P2"},
		{Driver: "P1"}, {Driver: "P2", After: "R04", Limit: 2}, {Driver: "P2", Status: rules.StatusPending}, {Driver: "P"},
		{Status: rules.StatusUnhandled}, {Status: rules.StatusUnpaid}, {Status: rules.StatusPending, After: "R05", Limit: 3},
		{Status: rules.StatusPaid}, {Status: rules.StatusPaid, After: "D01"}, {Status: rules.StatusPaid, Limit: 1},
	}
	listAll := func(step string) {
		for _, q := range queries {
			read(fmt.Sprintf("%s %+v", step, q), func(tx txn) (any, error) { return tx.Violations(q) })
		}
	}
	listAll("list")
	read("expired", func(tx txn) (any, error) { return tx.ExpiredPending(t0.Add(10*time.Minute), 100) })
	read("expired, limit", func(tx txn) (any, error) { return tx.ExpiredPending(t0.Add(time.Hour), 2) })
	do("fold 1", func(tx txn) (any, error) { return tx.Fold(1) })
	do("fold rest", func(tx txn) (any, error) { return tx.Fold(100) })
	do("fold none", func(tx txn) (any, error) { return tx.Fold(100) })
	listAll("folded")
	do("expire R02", func(tx txn) (any, error) {
		old, err := tx.Violation("R02")
		if err != nil {
			return nil, err
		}
		v := *old
		v.Expire(t0.Add(time.Hour))
		return v, tx.PutViolation(&v, old)
	})
	read("after expiry", func(tx txn) (any, error) { return tx.Violations(store.ViolationQuery{Driver: "P2"}) })

	// Orders, idempotency, audit, outbox, credentials, tokens.
	do("orders", func(tx txn) (any, error) {
		var ids []string
		for range 2 {
			o := &rules.PaymentOrder{DecisionNo: "D02", RecordNo: "R02", Amount: rules.Yuan(200), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			if err := tx.InsertOrder(o); err != nil {
				return nil, err
			}
			ids = append(ids, o.ID)
		}
		return ids, nil
	})
	do("key unknown", func(tx txn) (any, error) {
		raw, ok, err := tx.Idempotent("pay:x", "k1", "h1")
		return []any{string(raw), ok}, err
	})
	do("key stored", func(tx txn) (any, error) {
		if _, _, err := tx.Idempotent("pay:x", "k1", "h1"); err != nil {
			return nil, err
		}
		return nil, tx.PutIdempotent("pay:x", "k1", "h1", map[string]int{"a": 1})
	})
	do("key encoded", func(tx txn) (any, error) {
		rec, _ := enc.EncodeIdempotent("h2", []int{1, 2})
		return nil, tx.PutEncodedIdempotent("pay:x", "k2", rec)
	})
	do("empty key", func(tx txn) (any, error) { return nil, tx.PutIdempotent("pay:x", "", "h", 1) })
	for _, k := range [][2]string{{"k1", "h1"}, {"k1", "h2"}, {"k2", "h2"}, {"k3", "h"}} {
		do("key "+k[0]+" "+k[1], func(tx txn) (any, error) {
			raw, ok, err := tx.Idempotent("pay:x", k[0], k[1])
			return []any{string(raw), ok}, err
		})
		read("key read "+k[0]+" "+k[1], func(tx txn) (any, error) {
			raw, ok, err := tx.Idempotent("pay:x", k[0], k[1])
			return []any{string(raw), ok}, err
		})
	}
	do("audit and notify", func(tx txn) (any, error) {
		for i := range 3 {
			if err := tx.Audit(rules.AuditEntry{Seq: 99, At: t0, Actor: "staff:a", Action: "x", Subject: fmt.Sprint(i)}); err != nil {
				return nil, err
			}
			raw, _ := enc.EncodeAudit(rules.AuditEntry{At: t0, Actor: "staff:b", Action: "y"})
			if err := tx.AppendAudit(raw); err != nil {
				return nil, err
			}
			if err := tx.Notify(rules.Notification{CreatedAt: t0, To: "138", Template: "t", Text: fmt.Sprint(i)}); err != nil {
				return nil, err
			}
		}
		raw, _ := enc.EncodeNotification(rules.Notification{CreatedAt: t0, To: "139", Template: "u"})
		return nil, tx.AppendNotification(raw)
	})
	read("audit", func(tx txn) (any, error) { return tx.AuditLog(0, 0) })
	read("audit page", func(tx txn) (any, error) { return tx.AuditLog(2, 3) })
	read("outbox", func(tx txn) (any, error) { return tx.Outbox(0, 0) })
	read("outbox page", func(tx txn) (any, error) { return tx.Outbox(3, 5) })
	read("no password", func(tx txn) (any, error) { return tx.PasswordHash(p.IDNumber) })
	do("password", func(tx txn) (any, error) { return nil, tx.SetPasswordHash(p.IDNumber, "$argon2id$1") })
	do("password again", func(tx txn) (any, error) { return nil, tx.SetPasswordHash(p.IDNumber, "$argon2id$2") })
	read("password read", func(tx txn) (any, error) { return tx.PasswordHash(p.IDNumber) })
	tok := &store.TokenRecord{Role: "person", Subject: p.IDNumber, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	read("no token", func(tx txn) (any, error) { return tx.Token([]byte{1, 2}) })
	do("token", func(tx txn) (any, error) { return nil, tx.PutToken([]byte{1, 2}, tok) })
	tok2 := *tok
	tok2.Revoked = true
	do("revoke", func(tx txn) (any, error) { return nil, tx.PutToken([]byte{1, 2}, &tok2) })
	read("token read", func(tx txn) (any, error) { return tx.Token([]byte{1, 2}) })
	return out
}

// TestConformance applies the same operations to a bbolt store and to a
// PostgreSQL store and compares every result.
func TestConformance(t *testing.T) {
	want := script(t, backendOf(openBolt(t)))
	for _, c := range []struct{ isolation, params string }{
		{"read committed", ""}, {"repeatable read", ""}, {"serializable", ""},
		// Behind a pooler without prepared statements (pgbouncer in transaction mode).
		{"read committed", "default_query_exec_mode=exec"},
		{"read committed", "default_query_exec_mode=simple_protocol"},
	} {
		t.Run(strings.TrimSpace(c.isolation+" "+c.params), func(t *testing.T) {
			got := script(t, backendOf(openPGWith(t, c.isolation, c.params, Options{})))
			if len(got) != len(want) {
				t.Fatalf("%d results, bbolt gave %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("postgres %s\nbbolt    %s", short(got[i]), short(want[i]))
				}
			}
			if strings.Contains(strings.Join(got, "\n"), "unexpected:") {
				t.Errorf("unexpected errors:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

func short(s string) string {
	if r := []rune(s); len(r) > 400 {
		return string(r[:400]) + "…"
	}
	return s
}

// fixtureRecord is record i of 20: statuses, plates, plate types, drivers
// and decisions spread so that every listing has something to page.
func fixtureRecord(i int) rules.Violation {
	plates := [2]string{"鲁B00002", "鲁A00001"}
	v := viol(fmt.Sprintf("R%02d", i), plates[i%2], [3]rules.Status{rules.StatusUnhandled, rules.StatusUnpaid, rules.StatusPending}[i%3])
	if i%5 == 0 {
		v.PlateType = rules.PlateNESmall
	}
	switch v.Status {
	case rules.StatusPending:
		v.PendingUntil = t0.Add(time.Duration(i) * time.Minute)
		fallthrough
	case rules.StatusUnpaid:
		v.DecisionNo, v.DriverIDNumber = fmt.Sprintf("D%02d", i), fmt.Sprint("P", i%3)
	}
	return v
}
