package pg

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/pressly/goose/v3"
)

// SchemaVersion is the schema version this code reads and writes: the
// newest migration (migrations/, and codecMigration).
const SchemaVersion = 4

// versionTable is goose's record of the applied migrations.
const versionTable = "jgctl_schema_migrations"

//go:embed migrations/*.sql
var embedded embed.FS

// Migrate applies the embedded migrations that the database lacks and
// returns the schema version before and after. A database whose schema is
// newer than this jgctl's is refused.
func Migrate(ctx context.Context, dsn string) (from, to int64, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return 0, 0, rules.ErrStoreUnavailable.Withf("bad PostgreSQL connection string: %s", pgMessage(err))
	}
	s := &Store{hosts: hostsOf(cfg)}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return 0, 0, err
	}
	if from, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, s.unreachable(err)
	}
	if from > SchemaVersion {
		return from, from, checkVersion(from)
	}
	if _, err := p.Up(ctx); err != nil {
		return from, 0, rules.ErrStoreUnavailable.Withf("migration failed: %s", pgMessage(err))
	}
	if to, err = p.GetDBVersion(ctx); err != nil {
		return from, 0, s.unreachable(err)
	}
	return from, to, nil
}

func provider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(codecMigration))
}
