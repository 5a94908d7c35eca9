// Package app opens a store and the engine over it: what the embedded
// transport and `jgctl serve` both run on.
package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/engine/core"
	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
	"github.com/jgctl/jgctl/pkg/store/pg"
)

// Config is what Open needs; zero fields take the shipped defaults.
type Config struct {
	// Store configures a bbolt store (a file path).
	Store bolt.Options
	// Database configures a PostgreSQL store (a postgres:// URL or a
	// libpq key=value string).
	Database pg.Options
	// Offline opens no store: the engine then runs pure operations only.
	Offline  bool
	Now      func() time.Time
	Policy   *rules.Policy
	Calendar *rules.Calendar
	Codes    *rules.CodeBook
	Gateway  gateway.Gateway
}

// IsDatabase reports whether a store location names a PostgreSQL database
// (a postgres:// or postgresql:// URL, or a libpq key=value string) rather
// than a bbolt file.
func IsDatabase(location string) bool {
	if strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://") {
		return true
	}
	for _, f := range strings.Fields(location) {
		if k, _, ok := strings.Cut(f, "="); ok && slices.Contains(libpqKeys, k) {
			return true
		}
	}
	return false
}

// libpqKeys are the connection-string keywords that say a location is a
// database (one is enough: "service=jgctl" alone names one).
var libpqKeys = []string{"host", "hostaddr", "port", "dbname", "user", "password", "service", "servicefile", "sslmode", "target_session_attrs", "connect_timeout"}

// Open opens the store at location and returns an engine over it; closing
// the store is the caller's.
func Open(location string, c Config) (*engine.Engine, store.Store, error) {
	var st store.Store
	var claims core.Claimer
	switch {
	case c.Offline:
	case IsDatabase(location):
		db, err := pg.Open(context.Background(), location, c.Database)
		if err != nil {
			return nil, nil, err
		}
		st, claims = db, &dbClaims{db: db}
	default:
		b, err := bolt.Open(location, c.Store)
		if err != nil {
			return nil, nil, err
		}
		st = b
	}
	var err error
	cfg := engine.Config{Store: st, Now: c.Now, Gateway: c.Gateway, Policy: rules.DefaultPolicy(), Claims: claims}
	if c.Policy != nil {
		cfg.Policy = *c.Policy
	}
	if c.Calendar != nil {
		cfg.Calendar = *c.Calendar
	} else if cfg.Calendar, err = refdata.Calendar(""); err != nil {
		closeStore(st)
		return nil, nil, err
	}
	if c.Codes != nil {
		cfg.Codes = *c.Codes
	} else if cfg.Codes, err = refdata.Codes(""); err != nil {
		closeStore(st)
		return nil, nil, err
	}
	return engine.New(cfg), st, nil
}

// Options are the embedded transport's options: the engine's Config and
// the actor the client acts as. `jgctl serve` applies the same
// embedded.Option list to one and opens the engine with its Config.
type Options struct {
	Config
	Actor api.Actor
}

func closeStore(st store.Store) {
	if st != nil {
		st.Close()
	}
}

// dbClaims claims decisions in a database shared by several processes,
// and keys within this one.
type dbClaims struct {
	db   *pg.Store
	keys core.Keys
}

// ClaimDecision implements core.Claimer.
func (c *dbClaims) ClaimDecision(ctx context.Context, cl core.Claim, ttl time.Duration) (string, func(core.Outcome), error) {
	release, err := c.keys.Reserve(cl.Scope, cl.Key, cl.Hash)
	if err != nil {
		return "", nil, err
	}
	previous, end, err := c.db.Claim(ctx, pg.Claim{Decision: cl.Decision, Order: cl.Order, Scope: cl.Scope, Key: cl.Key, Hash: cl.Hash}, ttl)
	if err != nil {
		release(true)
		return "", nil, err
	}
	// An order that may have been charged (Unsettled, Lapsed) leaves the
	// claim expired but listing it: the next payer of the decision settles
	// it first. The key stays the request's unless it took nothing. A
	// recorded payment's write ended the claim already.
	return previous, func(o core.Outcome) {
		switch o {
		case core.Settled:
			end(false, false)
		case core.Paid:
			end(false, true)
		case core.Lapsed:
			end(true, false)
		case core.Unsettled:
			end(true, true)
		}
		release(o != core.Unsettled)
	}, nil
}

// Migrate brings the schema of the store at location to this jgctl's
// version: a PostgreSQL database by its embedded migrations, a bbolt file
// by opening it read-write (created if create is set).
func Migrate(ctx context.Context, location string, create bool) (from, to int64, err error) {
	if IsDatabase(location) {
		return pg.Migrate(ctx, location)
	}
	b, err := bolt.Open(location, bolt.Options{Create: create})
	if err != nil {
		return 0, 0, err
	}
	return bolt.SchemaVersion, bolt.SchemaVersion, b.Close()
}
