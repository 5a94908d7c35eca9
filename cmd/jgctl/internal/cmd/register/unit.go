package register

import (
	"context"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/spf13/cobra"
)

// UnitOptions are the inputs of `register unit`.
type UnitOptions struct {
	F       *cmdutil.Factory
	Request api.RegisterUnitRequest
}

// NewCmdUnit builds `register unit`; runF, if not nil, runs instead of
// the command's own run function (tests).
func NewCmdUnit(f *cmdutil.Factory, runF func(*UnitOptions) error) *cobra.Command {
	opts := &UnitOptions{F: f}
	cmd := &cobra.Command{
		Use:   "unit --credit-code C --name S --agent-id-number N",
		Short: "注册单位用户 / register a unit (organisation)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runUnit(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	r := &opts.Request
	fl.StringVar(&r.CreditCode, "credit-code", "", "unified social credit code (统一社会信用代码)")
	fl.StringVar(&r.Name, "name", "", "the unit's name")
	fl.StringVar(&r.AgentIDNumber, "agent-id-number", "", "ID number of the registered person acting for the unit (经办人)")
	fl.StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retried registration safe")
	for _, n := range []string{"credit-code", "name", "agent-id-number"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func runUnit(ctx context.Context, opts *UnitOptions) error {
	f := opts.F
	c, err := f.Client(cmdutil.Create)
	if err != nil {
		return err
	}
	u, err := c.Accounts.RegisterUnit(ctx, opts.Request)
	if err != nil {
		return err
	}
	f.Say("单位注册成功。", "Unit registered.")
	return f.Print(cmdutil.Listing{
		Cols: []cmdutil.Column{cmdutil.Col("统一社会信用代码", "CREDIT CODE"), cmdutil.Col("名称", "NAME"), cmdutil.Col("经办人", "AGENT")},
		Rows: [][]string{{u.CreditCode, u.Name, u.AgentIDNumber}},
		JSON: u,
	})
}
