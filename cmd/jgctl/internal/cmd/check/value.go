package check

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/spf13/cobra"
)

// ValueOptions are the inputs of a check whose only output is the
// normalised value (credit-code, phone, file-no).
type ValueOptions struct {
	F      *cmdutil.Factory
	Values []string
	Parse  func(string) (string, error)
}

// NewCmdValue builds a check of values with parse; runF, if not nil, runs
// instead of the command's own run function (tests).
func NewCmdValue(f *cmdutil.Factory, use, short string, parse func(string) (string, error), runF func(*ValueOptions) error) *cobra.Command {
	opts := &ValueOptions{F: f, Parse: parse}
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Values = args
			if runF != nil {
				return runF(opts)
			}
			return runValue(opts)
		},
	}
}

func runValue(opts *ValueOptions) error {
	var res []result
	for _, a := range opts.Values {
		n, err := opts.Parse(a)
		if err != nil {
			res = append(res, failed(opts.F.Config.Lang, a, err))
			continue
		}
		res = append(res, result{Input: a, Valid: true, Normalized: n})
	}
	return printResults(opts.F, res, func(result) []string { return nil })
}
