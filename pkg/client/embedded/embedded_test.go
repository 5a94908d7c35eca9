package embedded_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/internal/app"
	"github.com/jgctl/jgctl/internal/pgtest"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/clienttest"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/gateway"
)

func TestContract(t *testing.T) {
	clienttest.Run(t, func(t *testing.T, now func() time.Time, gw gateway.Gateway) clienttest.Env {
		c, err := embedded.Open(filepath.Join(t.TempDir(), "jgctl.db"), embedded.CreateIfMissing(), embedded.WithClock(now), embedded.WithGateway(gw), embedded.UnsafeNoSync())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return clienttest.Env{
			As:    func(a api.Actor) *client.Client { return c.As(a).Client },
			Token: func(tok string) *client.Client { return c.WithToken(tok).Client },
		}
	})
}

// TestContractPostgres runs the contract suite on a PostgreSQL database
// (a fresh one per scenario) at READ COMMITTED and REPEATABLE READ.
func TestContractPostgres(t *testing.T) {
	for _, iso := range []string{"read committed", "repeatable read"} {
		t.Run(strings.ReplaceAll(iso, " ", "_"), func(t *testing.T) {
			clienttest.Run(t, func(t *testing.T, now func() time.Time, gw gateway.Gateway) clienttest.Env {
				dsn := pgtest.NewDB(t, iso)
				if _, _, err := app.Migrate(context.Background(), dsn, false); err != nil {
					t.Fatal(err)
				}
				c, err := embedded.Open(dsn, embedded.WithClock(now), embedded.WithGateway(gw))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				return clienttest.Env{
					As:    func(a api.Actor) *client.Client { return c.As(a).Client },
					Token: func(tok string) *client.Client { return c.WithToken(tok).Client },
				}
			})
		})
	}
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
