package server_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/refdata"
	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/clienttest"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/jgctl/jgctl/pkg/store"
	"github.com/jgctl/jgctl/pkg/store/bolt"
)

// openEngine opens a fresh store and an engine over it for one test (the
// store is handed back for tests that count what was written).
func openEngine(t testing.TB, now func() time.Time, gw gateway.Gateway) (*engine.Engine, store.Store) {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "srv.db"), bolt.Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cal, _ := refdata.Calendar("")
	codes, _ := refdata.Codes("")
	return engine.New(engine.Config{Store: st, Policy: rules.DefaultPolicy(), Calendar: cal, Codes: codes, Gateway: gw, Now: now}), st
}

// newEngine is openEngine for tests that need only the engine.
func newEngine(t *testing.T, now func() time.Time, gw gateway.Gateway) *engine.Engine {
	e, _ := openEngine(t, now, gw)
	return e
}

// TestContract runs the client contract suite over HTTP: every actor gets
// a bearer token minted by the embedded staff, as `jgctl token create` does.
func TestContract(t *testing.T) {
	clienttest.Run(t, func(t *testing.T, now func() time.Time, gw gateway.Gateway) clienttest.Env {
		e := newEngine(t, now, gw)
		srv := httptest.NewServer(server.New(e, server.Options{}))
		t.Cleanup(srv.Close)
		withToken := func(tok string) *client.Client {
			c, err := client.New(srv.URL, client.WithToken(tok))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		return clienttest.Env{Token: withToken, As: func(a api.Actor) *client.Client {
			req := api.TokenRequest{Role: a.Role, Name: a.Name}
			if a.Role == api.RoleStaff {
				req.Name = "contract-staff"
			}
			if a.Role == api.RolePerson {
				req.Name = a.IDNumber
			}
			tok, err := e.CreateToken(context.Background(), api.Staff, req)
			if err != nil {
				t.Fatal(err)
			}
			return withToken(tok.Token)
		}}
	})
}
