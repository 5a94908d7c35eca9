// Package cmdtest lets unit tests call a command's run function without a
// process: a Factory on a store in a temporary directory, with a fixed
// clock and captured output.
package cmdtest

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/gateway"
	"github.com/jgctl/jgctl/pkg/rules"
)

// Sample people (examples/licences.csv).
const (
	Zhang = "370102199003071238"
	Li    = "370203198507152012"
)

// Now is the clock of every test store.
var Now = time.Date(2026, 11, 24, 10, 0, 0, 0, rules.China)

// Run is a Factory whose output is captured.
type Run struct {
	F        *cmdutil.Factory
	Out, Err *bytes.Buffer
}

// New returns a run in output format output (table, json or plain), in
// English, on an empty store in t's temporary directory.
func New(t testing.TB, output string) *Run {
	t.Helper()
	r := &Run{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	r.F = &cmdutil.Factory{
		IO: cmdutil.IO{In: strings.NewReader(""), Out: r.Out, Err: r.Err},
		Config: &cmdutil.Config{Store: filepath.Join(t.TempDir(), "jgctl.db"), Output: output, Lang: "en",
			LockTimeout: time.Second, Now: Now, Policy: rules.DefaultPolicy(), SandboxMode: gateway.Approve},
	}
	c, err := r.F.OpenStore(r.F.Config.Store, cmdutil.Create)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	t.Cleanup(r.F.Close)
	return r
}

// Seed imports the sample files and registers Zhang San with his car
// 鲁A12345 and his licence bound.
func (r *Run) Seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	staff, err := r.F.OpenStore(r.F.Config.Store, cmdutil.Write)
	if err != nil {
		t.Fatal(err)
	}
	defer staff.Close()
	if err := examples.Load(ctx, staff.Imports, nil); err != nil {
		t.Fatal(err)
	}
	zhang := staff.As(api.Actor{Role: api.RolePerson, IDNumber: Zhang})
	if _, err := zhang.Accounts.RegisterPerson(ctx, api.RegisterPersonRequest{IDNumber: Zhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"}); err != nil {
		t.Fatal(err)
	}
	if _, err := zhang.Bindings.BindVehicle(ctx, api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"}); err != nil {
		t.Fatal(err)
	}
	if _, err := zhang.Bindings.BindLicence(ctx, api.BindLicenceRequest{}); err != nil {
		t.Fatal(err)
	}
}
