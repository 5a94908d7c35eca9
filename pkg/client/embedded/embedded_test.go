package embedded_test

import (
	"path/filepath"
	"testing"
	"time"

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
