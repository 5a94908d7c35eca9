package pg

import (
	"context"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestReview3CodecMigrationDownWithZeroByte: since schema 3 a record with
// a 0 byte outside its key columns is stored (as on bbolt), but migration
// 3's way down turns it into JSON ("\u0000"), which jsonb refuses
// (22P05): the schema cannot go back to version 2 once such a record
// exists. (The down migration fails whole, in its transaction: no data
// is lost, but `down` is not available.)
func TestReview3CodecMigrationDownWithZeroByte(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDB(t, "")
	if _, _, err := Migrate(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := viol("R1", "鲁A1", rules.StatusUnhandled)
	v.Description = "闯红灯\x00"
	if err := s.update(ctx, func(tx *Tx) error { return tx.PutViolation(&v, nil) }); err != nil {
		t.Fatalf("a record with a 0 byte in its description: %v", err)
	}
	s.Close()
	p := testProvider(t, dsn)
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrating down to schema 2 with a record holding a 0 byte: %v", err)
	}
}

// TestQueuedWriteFailure: a queued write that breaks a key (an audit entry
// restored twice under one number) fails its transaction at once, named as
// an earlier write's failure, and is not taken for a concurrent insert of
// the next statement's key (which would rerun the transaction until its
// attempts ran out).
func TestQueuedWriteFailure(t *testing.T) {
	s := openPG(t, "read committed", Options{})
	raw, _ := enc.EncodeAudit(rules.AuditEntry{At: t0, Action: "x"})
	runs := 0
	err := s.Update(context.Background(), func(tx txn) error {
		runs++
		tx.PutAudit(1, raw)
		tx.PutAudit(1, raw)
		return tx.InsertPerson(&rules.Person{IDNumber: "P9", Name: "王五", RegisteredAt: t0})
	})
	if runs != 1 || err == nil || !strings.Contains(err.Error(), "an earlier write failed") {
		t.Errorf("%d runs, %v; want 1 run and the earlier write's failure", runs, err)
	}
}
