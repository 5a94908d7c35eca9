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

const onsite = "3701002026111200003" // decided to Zhang, 50 yuan, due 2026-11-27

// TestRunShow: JSON is the record as an object, table and plain one row;
// another's record and an unknown number are refused with their exit codes.
func TestRunShow(t *testing.T) {
	tests := []struct {
		output, as, recordNo string
		want                 string // in stdout
		err                  error
		exit                 int
	}{
		{output: "json", as: cmdtest.Zhang, recordNo: onsite, want: `"amount_due": "50.00"`},
		{output: "plain", as: cmdtest.Zhang, recordNo: onsite, want: onsite + "\t鲁A12345\t02\t"},
		{output: "table", recordNo: onsite, want: "AMOUNT DUE"},
		{output: "json", as: cmdtest.Zhang, recordNo: "3701002026102000005", err: rules.ErrNotYours, exit: 4},
		{output: "json", as: cmdtest.Zhang, recordNo: "3701002026999999999", err: rules.ErrRecordNotFound, exit: 3},
		{output: "json", recordNo: "3701002026999999999", err: rules.ErrRecordNotFound, exit: 3},
	}
	for _, tc := range tests {
		t.Run(tc.output+" "+tc.as+" "+tc.recordNo, func(t *testing.T) {
			r := cmdtest.New(t, tc.output)
			r.Seed(t)
			r.F.Config.As = tc.as
			err := runShow(context.Background(), &ShowOptions{F: r.F, Request: api.ShowViolationRequest{RecordNo: tc.recordNo}})
			if tc.err != nil {
				if !errors.Is(err, tc.err) || cmdutil.ExitCode(err) != tc.exit || r.Out.Len() != 0 {
					t.Fatalf("err %v (exit %d), stdout %q; want %v, exit %d", err, cmdutil.ExitCode(err), r.Out, tc.err, tc.exit)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out := r.Out.String()
			if !strings.Contains(out, tc.want) || strings.Count(out, onsite) != 1 {
				t.Errorf("stdout %q, want one row with %q", out, tc.want)
			}
			if tc.output == "plain" && strings.Count(out, "\n") != 1 {
				t.Errorf("plain: %d lines, want 1", strings.Count(out, "\n"))
			}
			if tc.output == "json" {
				var v api.ViolationView
				if err := json.Unmarshal(r.Out.Bytes(), &v); err != nil || v.RecordNo != onsite || v.DueOn.String() != "2026-11-27" {
					t.Errorf("JSON %+v, %v; want the record as an object", v, err)
				}
			}
		})
	}
}

// TestNewCmdShow checks the argument reaches the options and that the
// command takes exactly one, not empty.
func TestNewCmdShow(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    string
		wantErr bool
		is      error // the error wanted, if a catalogue one
	}{
		{args: []string{onsite}, want: onsite},
		{args: nil, wantErr: true},
		{args: []string{onsite, "x"}, wantErr: true},
		{args: []string{""}, wantErr: true, is: rules.ErrRecordNoRequired},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var got *ShowOptions
			cmd := NewCmdShow(&cmdutil.Factory{}, func(o *ShowOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tc.wantErr {
				if err == nil || got != nil || (tc.is != nil && !errors.Is(err, tc.is)) {
					t.Fatalf("err %v (ran: %v), want a usage error", err, got != nil)
				}
				return
			}
			if err != nil || got.Request.RecordNo != tc.want {
				t.Fatalf("options %+v, %v; want record %s", got, err, tc.want)
			}
		})
	}
}
