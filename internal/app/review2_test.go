package app

import "testing"

// TestIsDatabaseLibpqForms (review 2): connection strings that pgx (and
// libpq) accept are taken for bbolt file paths when they name the
// database through a service file (pg_service.conf); `store init`
// then creates a local file of that name, and serve replicas each open
// a file of their own instead of the shared database.
func TestIsDatabaseLibpqForms(t *testing.T) {
	for _, dsn := range []string{
		"service=jgctl",
		"servicefile=/etc/jgctl/pg_service.conf service=jgctl sslmode=verify-full",
	} {
		if !IsDatabase(dsn) {
			t.Errorf("IsDatabase(%q) = false: a PostgreSQL connection string taken for a file path", dsn)
		}
	}
}
