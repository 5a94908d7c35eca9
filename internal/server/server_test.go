package server_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/engine"
	"github.com/jgctl/jgctl/internal/pgtest"
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
		return httpEnv(t, newEngine(t, now, gw))
	})
}

// TestContractPostgres runs the contract suite over HTTP on a PostgreSQL
// database (a fresh one per scenario) at READ COMMITTED and REPEATABLE READ.
func TestContractPostgres(t *testing.T) {
	for _, iso := range []string{"read committed", "repeatable read"} {
		t.Run(strings.ReplaceAll(iso, " ", "_"), func(t *testing.T) {
			clienttest.Run(t, func(t *testing.T, now func() time.Time, gw gateway.Gateway) clienttest.Env {
				dsn := pgtest.NewDB(t, iso)
				if _, _, err := app.Migrate(context.Background(), dsn, false); err != nil {
					t.Fatal(err)
				}
				e, st, err := app.Open(dsn, app.Config{Now: now, Gateway: gw})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return httpEnv(t, e)
			})
		})
	}
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// httpEnv serves an engine over HTTP for the contract suite.
func httpEnv(t *testing.T, e *engine.Engine) clienttest.Env {
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
}
