package fines

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil/cmdtest"
	"github.com/jgctl/jgctl/pkg/rules"
)

func TestRunQuote(t *testing.T) {
	tests := []struct {
		name               string
		opts               QuoteOptions
		lateFee, amountDue string
		code, field        string
	}{
		// domain-rules §1 example 1b.
		{name: "late", opts: QuoteOptions{Fine: "200", ServedOn: "2024-03-04", On: "2024-03-29"}, lateFee: "60.00", amountDue: "260.00"},
		{name: "in time", opts: QuoteOptions{Fine: "200", ServedOn: "2024-03-04", On: "2024-03-10"}, lateFee: "0.00", amountDue: "200.00"},
		{name: "bad fine", opts: QuoteOptions{Fine: "abc", ServedOn: "2024-03-04"}, code: "FINE_FORMAT", field: "fine"},
		{name: "bad served", opts: QuoteOptions{Fine: "200", ServedOn: "2024-02-30"}, code: "DATE_FORMAT", field: "served_on"},
		{name: "bad on", opts: QuoteOptions{Fine: "200", ServedOn: "2024-03-04", On: "tomorrow"}, code: "DATE_FORMAT", field: "on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cmdtest.New(t, "json")
			tc.opts.F = r.F
			err := runQuote(context.Background(), &tc.opts)
			if tc.code != "" {
				var re *rules.Error
				if !errors.As(err, &re) || re.Code != tc.code || re.Field != tc.field || r.Out.Len() != 0 {
					t.Fatalf("err %v, stdout %q; want %s on %s", err, r.Out, tc.code, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var q struct {
				LateFee   string `json:"late_fee"`
				AmountDue string `json:"amount_due"`
			}
			if err := json.Unmarshal(r.Out.Bytes(), &q); err != nil {
				t.Fatalf("%v\n%s", err, r.Out)
			}
			if q.LateFee != tc.lateFee || q.AmountDue != tc.amountDue {
				t.Errorf("late fee %s, amount due %s; want %s, %s", q.LateFee, q.AmountDue, tc.lateFee, tc.amountDue)
			}
		})
	}
}

func TestNewCmdQuoteHolidayFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want *bool
	}{
		{args: []string{"--fine", "200", "--served-on", "2024-03-04"}},
		{args: []string{"--fine", "200", "--served-on", "2024-03-04", "--extend-due-on-holiday=false"}, want: new(bool)},
	} {
		var got *QuoteOptions
		cmd := NewCmdQuote(&cmdutil.Factory{}, func(o *QuoteOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if (got.ExtendDueOnHoliday == nil) != (tc.want == nil) {
			t.Errorf("%v: ExtendDueOnHoliday %v, want set=%v", tc.args, got.ExtendDueOnHoliday, tc.want != nil)
		}
	}
}
