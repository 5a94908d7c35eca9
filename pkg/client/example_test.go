package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/embedded"
	"github.com/jgctl/jgctl/pkg/rules"
)

// An integrator's program against a jgctl endpoint. To have one to talk
// to, the example serves a throwaway store in-process, as `jgctl serve`
// does; against a real deployment only the part after "client" is needed.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "jgctl-example-")
	defer os.RemoveAll(dir)
	now := func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China) }
	store, err := embedded.Open(filepath.Join(dir, "jgctl.db"), embedded.CreateIfMissing(), embedded.WithClock(now))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	tok, _ := store.Accounts.CreateToken(ctx, api.TokenRequest{Role: api.RoleStaff, Name: "example"})
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()

	// The client: a staff token, every call with a context.
	c, err := client.New(srv.URL, client.WithToken(tok.Token))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := examples.Load(ctx, c.Imports, nil); err != nil {
		log.Fatal(err)
	}
	for v, err := range c.Violations.All(ctx, api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(v.RecordNo, v.Status, v.AmountDue)
	}
	// Typed errors answer errors.Is the same as on the embedded store.
	_, err = c.Payments.Pay(ctx, api.PayRequest{DecisionNo: "3701009999999999"})
	fmt.Println(rules.KindOf(err), errors.Is(err, rules.ErrDecisionNotFound))
	// Output:
	// 3701002026100100001 unhandled 200.00
	// 3701002026110500002 unhandled 100.00
	// 3701002026111200003 unpaid 50.00
	// 3701002026112000007 unhandled 200.00
	// not_found true
}
