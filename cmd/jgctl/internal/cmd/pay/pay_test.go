package pay

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil/cmdtest"
	"github.com/jgctl/jgctl/pkg/api"
)

const record = "3701002026100100001"

// handled returns a run as Zhang San with record handled online.
func handled(t *testing.T, output string) *cmdtest.Run {
	t.Helper()
	r := cmdtest.New(t, output)
	r.Seed(t)
	c, err := r.F.OpenStore(r.F.Config.Store, cmdutil.Write)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.As(api.Actor{Role: api.RolePerson, IDNumber: cmdtest.Zhang}).Violations.Handle(context.Background(), api.HandleRequest{RecordNo: record}); err != nil {
		t.Fatal(err)
	}
	r.F.Config.As = cmdtest.Zhang
	return r
}

func TestRunPay(t *testing.T) {
	r := handled(t, "json")
	opts := &PayOptions{F: r.F, Request: api.PayRequest{RecordNo: record, Mutation: api.Mutation{IdempotencyKey: "k1"}}}
	if err := runPay(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var rec api.Receipt
	if err := json.Unmarshal(r.Out.Bytes(), &rec); err != nil {
		t.Fatalf("%v\n%s", err, r.Out)
	}
	if rec.RecordNo != record || rec.ID == "" || rec.Replayed {
		t.Errorf("receipt %+v", rec)
	}
}

// TestRunPayReplay pays twice with one key: the second run says nothing
// was charged again and shows the same receipt.
func TestRunPayReplay(t *testing.T) {
	r := handled(t, "table")
	opts := &PayOptions{F: r.F, Request: api.PayRequest{RecordNo: record, Mutation: api.Mutation{IdempotencyKey: "k1"}}}
	for range 2 {
		if err := runPay(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
	}
	out := r.Out.String()
	if !strings.Contains(out, "Paid.") || !strings.Contains(out, "nothing charged again") {
		t.Errorf("output:\n%s", out)
	}
}

func TestNewCmdPay(t *testing.T) {
	var got *PayOptions
	cmd := NewCmdPay(&cmdutil.Factory{}, func(o *PayOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--decision", "3701001234567890", "--idempotency-key", "k"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Request.DecisionNo != "3701001234567890" || got.Request.IdempotencyKey != "k" || got.Request.RecordNo != "" {
		t.Errorf("request %+v", got.Request)
	}
}
