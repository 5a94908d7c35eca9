package cli

import (
	"errors"
	"time"

	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// checkResult is one checked value (the JSON schema of `jgctl check`).
type checkResult struct {
	Input      string          `json:"input"`
	Valid      bool            `json:"valid"`
	Normalized string          `json:"normalized"`
	Reason     string          `json:"reason"`
	Code       string          `json:"code,omitempty"`
	Identity   *rules.Identity `json:"identity,omitempty"`
	Kind       string          `json:"plate_kind,omitempty"`
}

func (f *Factory) printChecks(res []checkResult, extra func(checkResult) []string, extraCols ...column) error {
	l := listing{cols: append([]column{{"输入", "INPUT", false}, {"有效", "VALID", false}, {"规范化", "NORMALIZED", false}, {"原因", "REASON", false}}, extraCols...), json: res}
	ok := true
	for _, r := range res {
		ok = ok && r.Valid
		l.rows = append(l.rows, append([]string{r.Input, yesNo(r.Valid), r.Normalized, r.Reason}, extra(r)...))
	}
	if err := f.print(l); err != nil {
		return err
	}
	if !ok {
		return &silentError{ExitError}
	}
	return nil
}

func (f *Factory) failed(in string, err error) checkResult {
	r := checkResult{Input: in, Reason: err.Error()}
	var re *rules.Error
	if errors.As(err, &re) {
		r.Reason, r.Code = re.Message(f.Config.Lang), re.Code
	}
	return r
}

func newCheckCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "校验身份证号码、号牌等 / validate ID numbers, plates and other identifiers",
		Long:  "Validate values offline, one result per value. Exit 0 only if every value is valid, else 1.",
	}
	idn := &cobra.Command{
		Use:   "id-number VALUE...",
		Short: "校验身份证号码（含港澳台居住证、外国人永久居留身份证）/ validate ID numbers",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			today := rules.DateOf(time.Now())
			if !f.Config.Now.IsZero() {
				today = rules.DateOf(f.Config.Now)
			}
			var res []checkResult
			for _, a := range args {
				id, err := rules.ParseIDNumber(a, today)
				if err != nil {
					res = append(res, f.failed(a, err))
					continue
				}
				res = append(res, checkResult{Input: a, Valid: true, Normalized: id.Number, Identity: &id})
			}
			return f.printChecks(res, func(r checkResult) []string {
				if r.Identity == nil {
					return []string{"", "", ""}
				}
				return []string{r.Identity.BirthDate.String(), r.Identity.Sex, r.Identity.Province}
			}, column{"出生日期", "BIRTH DATE", false}, column{"性别", "SEX", false}, column{"地区", "REGION", false})
		},
	}
	var pt string
	plate := &cobra.Command{
		Use:   "plate VALUE... [--plate-type T]",
		Short: "校验号牌（GA 36），可同时校验号牌种类 / validate plates, optionally against a plate type",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var typ rules.PlateType
			if pt != "" {
				var err error
				if typ, err = rules.ParsePlateType(pt); err != nil {
					return err
				}
			}
			var res []checkResult
			for _, a := range args {
				p, err := rules.ParsePlate(rules.NormalizePlate(a))
				if err == nil && typ != "" {
					_, err = rules.CheckPlate(a, typ)
				}
				if err != nil {
					res = append(res, f.failed(a, err))
					continue
				}
				res = append(res, checkResult{Input: a, Valid: true, Normalized: p.Number, Kind: string(p.Kind)})
			}
			return f.printChecks(res, func(r checkResult) []string { return []string{r.Kind} }, column{"号牌类别", "PLATE KIND", false})
		},
	}
	plate.Flags().StringVar(&pt, "plate-type", "", "plate type code the plates must fit, e.g. 02")
	simple := func(use, short string, parse func(string) (string, error)) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var res []checkResult
				for _, a := range args {
					n, err := parse(a)
					if err != nil {
						res = append(res, f.failed(a, err))
						continue
					}
					res = append(res, checkResult{Input: a, Valid: true, Normalized: n})
				}
				return f.printChecks(res, func(checkResult) []string { return nil })
			},
		}
	}
	cmd.AddCommand(idn, plate,
		simple("credit-code VALUE...", "校验统一社会信用代码 / validate unified social credit codes", rules.ParseCreditCode),
		simple("phone VALUE...", "校验手机号码 / validate mainland mobile numbers", rules.ParseMobile),
		simple("file-no VALUE...", "校验驾驶证档案编号 / validate licence file numbers", rules.ParseLicenceFileNo))
	return cmd
}
