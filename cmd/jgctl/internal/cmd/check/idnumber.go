package check

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// IDNumberOptions are the inputs of `check id-number`.
type IDNumberOptions struct {
	F      *cmdutil.Factory
	Values []string
}

// NewCmdIDNumber builds `check id-number`; runF, if not nil, runs instead
// of the command's own run function (tests).
func NewCmdIDNumber(f *cmdutil.Factory, runF func(*IDNumberOptions) error) *cobra.Command {
	opts := &IDNumberOptions{F: f}
	return &cobra.Command{
		Use:   "id-number VALUE...",
		Short: "校验身份证号码（含港澳台居住证、外国人永久居留身份证）/ validate ID numbers",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Values = args
			if runF != nil {
				return runF(opts)
			}
			return runIDNumber(opts)
		},
	}
}

func runIDNumber(opts *IDNumberOptions) error {
	f := opts.F
	day := today(f.Config)
	var res []result
	for _, a := range opts.Values {
		id, err := rules.ParseIDNumber(a, day)
		if err != nil {
			res = append(res, failed(f.Config.Lang, a, err))
			continue
		}
		res = append(res, result{Input: a, Valid: true, Normalized: id.Number, Identity: &id})
	}
	return printResults(f, res, func(r result) []string {
		if r.Identity == nil {
			return []string{"", "", ""}
		}
		return []string{r.Identity.BirthDate.String(), r.Identity.Sex, r.Identity.Province}
	}, cmdutil.Col("出生日期", "BIRTH DATE"), cmdutil.Col("性别", "SEX"), cmdutil.Col("地区", "REGION"))
}
