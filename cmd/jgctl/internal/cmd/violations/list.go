package violations

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/spf13/cobra"
)

// ListOptions are the inputs of `violations list`.
type ListOptions struct {
	F       *cmdutil.Factory
	Request api.ListViolationsRequest
	// All follows every page.
	All bool
}

// NewCmdList builds `violations list`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:     "list [--plate P --plate-type T] [--status S]",
		Aliases: []string{"ls"},
		Short:   "查询违法记录（含滞纳金与应缴金额）/ list violations with late fee and amount due",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdutil.CheckPositive(cmd, "limit", opts.Request.Limit); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	r := &opts.Request
	fl.StringVar(&r.Plate, "plate", "", "plate number")
	fl.StringVar(&r.PlateType, "plate-type", "", "plate type code (with --plate)")
	fl.StringVar(&r.Status, "status", "", "unhandled, pending, unpaid or paid")
	fl.StringVar(&r.Driver, "driver", "", "ID number the decisions were issued to")
	fl.IntVar(&r.Limit, "limit", 0, "at most this many records (staff without a filter: 1000 a page)")
	fl.StringVar(&r.After, "after", "", "start after this record number (paging)")
	fl.BoolVar(&opts.All, "all", false, "follow every page (staff without a filter)")
	cmd.MarkFlagsRequiredTogether("plate", "plate-type")
	cmd.RegisterFlagCompletionFunc("status", cmdutil.FixedCompletion("unhandled", "pending", "unpaid", "paid"))
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	c, err := opts.F.Client(cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	items, err := listViolations(ctx, c, opts.Request, opts.All)
	if err != nil {
		return err
	}
	return opts.F.Print(cmdutil.ViolationsListing(items))
}

func listViolations(ctx context.Context, c *client.Client, r api.ListViolationsRequest, all bool) ([]api.ViolationView, error) {
	if !all {
		page, err := c.Violations.List(ctx, r)
		if err != nil {
			return nil, err
		}
		return page.Items, nil
	}
	items := []api.ViolationView{}
	for v, err := range c.Violations.All(ctx, r) {
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	return items, nil
}
