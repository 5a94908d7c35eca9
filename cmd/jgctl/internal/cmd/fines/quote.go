package fines

import (
	"context"
	"strconv"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// QuoteOptions are the inputs of `fines quote`, as typed.
type QuoteOptions struct {
	F                  *cmdutil.Factory
	Fine, ServedOn, On string
	// ExtendDueOnHoliday, if not nil, overrides the policy.
	ExtendDueOnHoliday *bool
}

// NewCmdQuote builds `fines quote`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdQuote(f *cmdutil.Factory, runF func(*QuoteOptions) error) *cobra.Command {
	opts := &QuoteOptions{F: f}
	var extend bool
	cmd := &cobra.Command{
		Use:   "quote --fine 200 --served-on 2024-03-04 [--on 2024-03-29]",
		Short: "计算滞纳金与应缴金额 / compute the late fee and amount due",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("extend-due-on-holiday") {
				opts.ExtendDueOnHoliday = &extend
			}
			if runF != nil {
				return runF(opts)
			}
			return runQuote(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Fine, "fine", "", "fine in yuan, e.g. 200")
	fl.StringVar(&opts.ServedOn, "served-on", "", "date the decision was served (YYYY-MM-DD)")
	fl.StringVar(&opts.On, "on", "", "payment date (default today)")
	fl.BoolVar(&extend, "extend-due-on-holiday", false, "move a due date on a holiday to the next working day (policy; default from config: false)")
	cmd.MarkFlagRequired("fine")
	cmd.MarkFlagRequired("served-on")
	return cmd
}

// request parses the typed values; a bad one is the field's own error.
func (o *QuoteOptions) request() (api.QuoteRequest, error) {
	var r api.QuoteRequest
	var err error
	if r.Fine, err = rules.ParseMoney(o.Fine); err != nil {
		return r, rules.ErrFineFormat.WithField("fine").Withf("%v", err)
	}
	if r.ServedOn, err = rules.ParseDate(o.ServedOn); err != nil {
		return r, rules.ErrDateFormat.WithField("served_on").Withf("%q", o.ServedOn)
	}
	if o.On != "" {
		if r.On, err = rules.ParseDate(o.On); err != nil {
			return r, rules.ErrDateFormat.WithField("on").Withf("%q", o.On)
		}
	}
	return r, nil
}

func runQuote(ctx context.Context, opts *QuoteOptions) error {
	f := opts.F
	r, err := opts.request()
	if err != nil {
		return err
	}
	if opts.ExtendDueOnHoliday != nil {
		f.Config.Policy.Fees.ExtendDueOnHoliday = *opts.ExtendDueOnHoliday
	}
	c, err := f.Client(cmdutil.Offline)
	if err != nil {
		return err
	}
	q, err := c.Fines.Quote(ctx, r)
	if err != nil {
		return err
	}
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Num("罚款", "FINE"), cmdutil.Col("送达日期", "SERVED ON"), cmdutil.Col("缴款期限", "DUE ON"), cmdutil.Col("缴款日期", "ON"),
			cmdutil.Num("逾期天数", "LATE DAYS"), cmdutil.Num("滞纳金", "LATE FEE"), cmdutil.Num("应缴", "AMOUNT DUE"), cmdutil.Col("封顶", "CAPPED")},
		Rows: [][]string{{q.Fine.String(), q.ServedOn.String(), q.DueOn.String(), q.On.String(), strconv.Itoa(q.LateDays),
			q.LateFee.String(), q.AmountDue.String(), cmdutil.YesNo(q.Capped)}},
		JSON: q,
	})
}
