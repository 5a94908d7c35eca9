package check

import (
	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// PlateOptions are the inputs of `check plate`.
type PlateOptions struct {
	F         *cmdutil.Factory
	Values    []string
	PlateType string
}

// NewCmdPlate builds `check plate`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdPlate(f *cmdutil.Factory, runF func(*PlateOptions) error) *cobra.Command {
	opts := &PlateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "plate VALUE... [--plate-type T]",
		Short: "校验号牌（GA 36），可同时校验号牌种类 / validate plates, optionally against a plate type",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Values = args
			if runF != nil {
				return runF(opts)
			}
			return runPlate(opts)
		},
	}
	cmd.Flags().StringVar(&opts.PlateType, "plate-type", "", "plate type code the plates must fit, e.g. 02")
	return cmd
}

func runPlate(opts *PlateOptions) error {
	f := opts.F
	var typ rules.PlateType
	if opts.PlateType != "" {
		var err error
		if typ, err = rules.ParsePlateType(opts.PlateType); err != nil {
			return err
		}
	}
	var res []result
	for _, a := range opts.Values {
		p, err := rules.ParsePlate(rules.NormalizePlate(a))
		if err == nil && typ != "" {
			_, err = rules.CheckPlate(a, typ)
		}
		if err != nil {
			res = append(res, failed(f.Config.Lang, a, err))
			continue
		}
		res = append(res, result{Input: a, Valid: true, Normalized: p.Number, Kind: string(p.Kind)})
	}
	return printResults(f, res, func(r result) []string { return []string{r.Kind} }, cmdutil.Col("号牌类别", "PLATE KIND"))
}
