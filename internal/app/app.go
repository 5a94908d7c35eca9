// Package app opens a store and the engine over it: what the embedded
// transport and `jgctl serve` both run on.
package app

import (
	"time"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

// Config is what Open needs; zero fields take the shipped defaults.
type Config struct {
	// Store configures a bbolt store.
	Store bolt.Options
	// Offline opens no store: the engine then runs pure operations only.
	Offline  bool
	Now      func() time.Time
	Policy   *rules.Policy
	Calendar *rules.Calendar
	Codes    *rules.CodeBook
	Gateway  gateway.Gateway
}

// Open opens the store at location and returns an engine over it; closing
// the store is the caller's.
func Open(location string, c Config) (*engine.Engine, store.Store, error) {
	var st store.Store
	if !c.Offline {
		b, err := bolt.Open(location, c.Store)
		if err != nil {
			return nil, nil, err
		}
		st = b
	}
	var err error
	cfg := engine.Config{Store: st, Now: c.Now, Gateway: c.Gateway, Policy: rules.DefaultPolicy()}
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
