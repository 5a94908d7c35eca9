package violations

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil/cmdtest"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

func TestRunList(t *testing.T) {
	r := cmdtest.New(t, "json")
	r.Seed(t)
	r.F.Config.As = cmdtest.Zhang
	if err := runList(context.Background(), &ListOptions{F: r.F, Request: api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02"}}); err != nil {
		t.Fatal(err)
	}
	var got []api.ViolationView
	if err := json.Unmarshal(r.Out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.Out)
	}
	if len(got) == 0 {
		t.Fatal("no violations for 鲁A12345")
	}
	for _, v := range got {
		if v.Plate != "鲁A12345" || v.AmountDue.String() == "" {
			t.Errorf("got %+v", v)
		}
	}
}

func TestRunListEmptyTable(t *testing.T) {
	r := cmdtest.New(t, "table")
	r.Seed(t)
	if err := runList(context.Background(), &ListOptions{F: r.F, Request: api.ListViolationsRequest{Plate: "鲁B8G666", PlateType: "02", Status: "paid"}}); err != nil {
		t.Fatal(err)
	}
	if r.Out.Len() != 0 || !strings.Contains(r.Err.String(), "no violations found") {
		t.Errorf("stdout %q, stderr %q", r.Out, r.Err)
	}
}

// TestNewCmdList checks the flags reach the options, and that a limit
// below 1 is refused before anything runs.
func TestNewCmdList(t *testing.T) {
	tests := []struct {
		args    []string
		want    ListOptions
		wantErr error
	}{
		{args: []string{"--plate", "鲁A12345", "--plate-type", "02", "--limit", "5", "--after", "X", "--all"},
			want: ListOptions{Request: api.ListViolationsRequest{Plate: "鲁A12345", PlateType: "02", Limit: 5, After: "X"}, All: true}},
		{args: []string{"--status", "unpaid", "--driver", cmdtest.Zhang},
			want: ListOptions{Request: api.ListViolationsRequest{Status: "unpaid", Driver: cmdtest.Zhang}}},
		{args: []string{"--limit", "-1"}, wantErr: rules.ErrFlagValue},
		{args: []string{"--limit", "0"}, wantErr: rules.ErrFlagValue},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var got *ListOptions
			cmd := NewCmdList(&cmdutil.Factory{}, func(o *ListOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&strings.Builder{})
			err := cmd.Execute()
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || got != nil {
					t.Fatalf("err %v (ran: %v), want %v", err, got != nil, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Request != tc.want.Request || got.All != tc.want.All {
				t.Errorf("options %+v, want %+v", *got, tc.want)
			}
		})
	}
}
