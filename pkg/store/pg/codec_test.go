package pg

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/rules"
)

// Migration 3 turns version 2's JSON records into the binary encoding,
// unchanged as read, and back down.
func TestCodecMigration(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDB(t, "")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	var want []rules.Violation
	for i := range 7003 { // more than one batch
		v := viol(recNo(i), "鲁A1", rules.StatusUnpaid)
		v.DecisionNo, v.ServedOn, v.Suspensions = "D"+recNo(i), rules.NewDate(2024, 3, 5), []rules.Suspension{{From: rules.NewDate(2024, 3, 6), To: rules.NewDate(2024, 3, 9)}}
		v.OccurredAt = v.OccurredAt.Add(time.Duration(i) * time.Second)
		doc, _ := json.Marshal(&v)
		if _, err := db.ExecContext(ctx, `INSERT INTO violations (record_no, plate, plate_type, status, decision_no, occurred_at, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.RecordNo, v.Plate, string(v.PlateType), string(v.Status), v.DecisionNo, v.OccurredAt, string(doc)); err != nil {
			t.Fatal(err)
		}
		want = append(want, v)
	}
	if from, to, err := Migrate(ctx, dsn); err != nil || from != 2 || to != SchemaVersion {
		t.Fatalf("Migrate = %d, %d, %v", from, to, err)
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.view(ctx, func(tx *Tx) error {
		for _, i := range []int{0, 4999, 5000, 7002} {
			got, err := tx.Violation(recNo(i))
			if err != nil || got == nil || jsonText(t, got) != jsonText(t, &want[i]) {
				t.Errorf("record %d after the migration: %+v, %v", i, got, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := checkVerify(t, s); r.Records != len(want) {
		t.Errorf("Verify: %+v", r)
	}
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := db.QueryRowContext(ctx, "SELECT doc::text FROM violations WHERE record_no = $1", recNo(7002)).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var back rules.Violation
	if err := json.Unmarshal([]byte(raw), &back); err != nil || jsonText(t, &back) != jsonText(t, &want[7002]) {
		t.Errorf("record after migrating down: %s, %v", raw, err)
	}
}

func recNo(i int) string { return fmt.Sprintf("R%05d", i) }

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWithoutNUL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":"x"}`, `{"a":"x"}`},
		{`{"a":"x\u0000y"}`, `{"a":"x\ufffdy"}`},
		{`{"a":"\\u0000"}`, `{"a":"\\u0000"}`},           // a backslash, then the text u0000
		{`{"a":"\\\u0000\n"}`, `{"a":"\\\ufffd\n"}`},     // a backslash, then a 0 byte
		{`{"a":"\u0000\u0000"}`, `{"a":"\ufffd\ufffd"}`}, // two
	} {
		if got := string(withoutNUL([]byte(c.in))); got != c.want {
			t.Errorf("withoutNUL(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
