package bolt

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestMigrateV1 opens a store as version 1 left it (no orders bucket) and
// checks that a read-write open migrates it and a read-only open refuses
// it until then.
func TestMigrateV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	s, err := Open(path, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketOrders.name()); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta.name()).Put(keySchemaVersion, []byte("1"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if _, err := Open(path, Options{ReadOnly: true}); err == nil {
		t.Fatal("a read-only open of a version-1 store should ask for a read-write open first")
	}
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.viewTx(func(tx *Tx) error {
		if tx.b(bucketOrders) == nil {
			t.Error("orders bucket not created by the migration")
		}
		if v, _ := readVersion(tx.tx); v != SchemaVersion {
			t.Errorf("version %d after migration, want %d", v, SchemaVersion)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
