package pg

import (
	"context"
	"database/sql"
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
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrating down to schema 2 with a record holding a 0 byte: %v", err)
	}
}
