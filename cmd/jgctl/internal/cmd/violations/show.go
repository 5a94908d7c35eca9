package violations

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// ShowOptions are the inputs of `violations show`.
type ShowOptions struct {
	F       *cmdutil.Factory
	Request api.ShowViolationRequest
}

// NewCmdShow builds `violations show`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{F: f}
	cmd := &cobra.Command{
		Use:   "show RECORD_NO",
		Short: "查看一条违法记录（含滞纳金与应缴金额）/ show one violation with late fee and amount due",
		Long: "Shows one violation record with its late fee and amount due as of today. Staff see any record; " +
			"a person (--as) only their own: decided to them, or of a vehicle bound to them (another owner's vehicle " +
			"from the binding date). Another's record is refused with NOT_YOUR_RECORD (exit 4); an unknown record " +
			"number is RECORD_NOT_FOUND (exit 3) for everyone.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "" { // over HTTP it would name no route
				return rules.ErrRecordNoRequired
			}
			opts.Request.RecordNo = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runShow(cmd.Context(), opts)
		},
	}
	return cmd
}

func runShow(ctx context.Context, opts *ShowOptions) error {
	c, err := opts.F.Client(cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	v, err := c.Violations.Show(ctx, opts.Request)
	if err != nil {
		return err
	}
	l := cmdutil.ViolationsListing([]api.ViolationView{*v})
	l.JSON = v
	return opts.F.Print(l)
}
