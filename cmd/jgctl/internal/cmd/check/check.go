// Package check is `jgctl check`: validate identifiers offline.
package check

import (
	"errors"
	"time"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// NewCmdCheck builds the `check` group.
func NewCmdCheck(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "校验身份证号码、号牌等 / validate ID numbers, plates and other identifiers",
		Long:  "Validate values offline, one result per value. Exit 0 only if every value is valid, else 1.",
	}
	cmd.AddCommand(NewCmdIDNumber(f, nil), NewCmdPlate(f, nil),
		NewCmdValue(f, "credit-code VALUE...", "校验统一社会信用代码 / validate unified social credit codes", rules.ParseCreditCode, nil),
		NewCmdValue(f, "phone VALUE...", "校验手机号码 / validate mainland mobile numbers", rules.ParseMobile, nil),
		NewCmdValue(f, "file-no VALUE...", "校验驾驶证档案编号 / validate licence file numbers", rules.ParseLicenceFileNo, nil))
	return cmd
}

// result is one checked value (the JSON schema of `jgctl check`).
type result struct {
	Input      string          `json:"input"`
	Valid      bool            `json:"valid"`
	Normalized string          `json:"normalized"`
	Reason     string          `json:"reason"`
	Code       string          `json:"code,omitempty"`
	Identity   *rules.Identity `json:"identity,omitempty"`
	Kind       string          `json:"plate_kind,omitempty"`
}

// printResults prints one row per value, extra columns after the common
// ones, and fails (exit 1) unless every value is valid.
func printResults(f *cmdutil.Factory, res []result, extra func(result) []string, extraCols ...cmdutil.Column) error {
	l := cmdutil.Listing{Cols: append([]cmdutil.Column{cmdutil.Col("输入", "INPUT"), cmdutil.Col("有效", "VALID"), cmdutil.Col("规范化", "NORMALIZED"), cmdutil.Col("原因", "REASON")}, extraCols...), JSON: res}
	ok := true
	for _, r := range res {
		ok = ok && r.Valid
		l.Rows = append(l.Rows, append([]string{r.Input, cmdutil.YesNo(r.Valid), r.Normalized, r.Reason}, extra(r)...))
	}
	if err := f.Print(l); err != nil {
		return err
	}
	if !ok {
		return &cmdutil.SilentError{Code: cmdutil.ExitError}
	}
	return nil
}

// failed is the result for an invalid value.
func failed(lang, in string, err error) result {
	r := result{Input: in, Reason: err.Error()}
	var re *rules.Error
	if errors.As(err, &re) {
		r.Reason, r.Code = re.Message(lang), re.Code
	}
	return r
}

// today is the date ID numbers are checked against (--now or the clock).
func today(c *cmdutil.Config) rules.Date {
	if !c.Now.IsZero() {
		return rules.DateOf(c.Now)
	}
	return rules.DateOf(time.Now())
}
