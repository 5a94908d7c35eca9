// Package demo is `jgctl demo`: a walk through the platform on a
// throwaway store.
package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/jgctl/jgctl/cmd/jgctl/internal/cmdutil"
	"github.com/jgctl/jgctl/examples"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

// The demo's people (examples/licences.csv).
const (
	demoZhang = "370102199003071238"
	demoLi    = "370203198507152012"
)

// DemoOptions are the inputs of `demo`.
type DemoOptions struct {
	F *cmdutil.Factory
	// Keep keeps the demo store and prints its path.
	Keep bool
}

// NewCmdDemo builds `demo`; runF, if not nil, runs instead of the
// command's own run function (tests).
func NewCmdDemo(f *cmdutil.Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{F: f}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "演示：导入样例数据，注册、绑定、查询、处理、缴款 / walk through register → bind → list → handle → pay on a throwaway store",
		Long:  "Walk through the platform on a throwaway store. With -o json every step's result is one line of JSON (JSON Lines).",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runDemo(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Keep, "keep", false, "keep the demo store and print its path")
	return cmd
}

func runDemo(ctx context.Context, opts *DemoOptions) error {
	f := opts.F
	// Several documents follow one another: one line each (JSON Lines).
	f.JSONLines = true
	dir, err := os.MkdirTemp("", "jgctl-demo-")
	if err != nil {
		return err
	}
	if !opts.Keep {
		defer os.RemoveAll(dir)
	}
	path := filepath.Join(dir, "demo.db")
	staff, err := f.OpenStore(path, cmdutil.Create)
	if err != nil {
		return err
	}
	defer staff.Close()
	step := func(n int, zh, en string) {
		f.Say("\n== %d. "+zh+" ==", "\n== %d. "+en+" ==", n)
	}

	step(1, "工作人员导入样例数据（examples/）", "Staff import the sample data (examples/)")
	if err := examples.Load(ctx, staff.Imports, func(file string, res *api.ImportResult) {
		f.Say("  %-18s %d 行，新增 %d，拒绝 %d", "  %-18s %d rows, %d inserted, %d rejected", file, res.Rows, res.Inserted, res.Rejected)
	}); err != nil {
		return err
	}

	zhang := staff.As(api.Actor{Role: api.RolePerson, IDNumber: demoZhang})
	step(2, "张三用身份证号码和驾驶证档案编号注册", "Zhang San registers with his ID number and licence file number")
	p, err := zhang.Accounts.RegisterPerson(ctx, api.RegisterPersonRequest{IDNumber: demoZhang, Name: "张三", Phone: "13800138000", FileNo: "370100123456"})
	if err != nil {
		return err
	}
	if err := f.Print(cmdutil.PersonListing(p)); err != nil {
		return err
	}

	step(3, "张三绑定本人车辆鲁A12345和驾驶证", "Zhang San binds his car 鲁A12345 and his licence")
	b, err := zhang.Bindings.BindVehicle(ctx, api.BindVehicleRequest{Plate: "鲁A12345", PlateType: "02"})
	if err != nil {
		return err
	}
	lb, err := zhang.Bindings.BindLicence(ctx, api.BindLicenceRequest{})
	if err != nil {
		return err
	}
	if err := f.Print(cmdutil.BindingsListing([]rules.Binding{b.Binding, *lb})); err != nil {
		return err
	}

	step(4, "张三查询违法记录（应缴金额含截至今天的滞纳金）", "Zhang San lists his violations (amount due includes the late fee as of today)")
	page, err := zhang.Violations.List(ctx, api.ListViolationsRequest{})
	if err != nil {
		return err
	}
	if err := f.Print(cmdutil.ViolationsListing(page.Items)); err != nil {
		return err
	}

	const rec = "3701002026100100001"
	step(5, "张三网上处理电子监控记录 "+rec, "Zhang San handles camera record "+rec+" online")
	h, err := zhang.Violations.Handle(ctx, api.HandleRequest{RecordNo: rec})
	if err != nil {
		return err
	}
	f.Say("  决定书编号 %s，应缴 %s 元，记 %d 分（缴款后生效）", "  decision %s, amount due %s yuan, %d points (counted once paid)", h.DecisionNo, h.AmountDue, h.Points)

	step(6, "张三缴款", "Zhang San pays")
	r, err := zhang.Payments.Pay(ctx, api.PayRequest{RecordNo: rec, Mutation: api.Mutation{IdempotencyKey: "demo-pay-1"}})
	if err != nil {
		return err
	}
	if err := f.Print(cmdutil.ReceiptListing(r)); err != nil {
		return err
	}
	again, err := zhang.Payments.Pay(ctx, api.PayRequest{RecordNo: rec, Mutation: api.Mutation{IdempotencyKey: "demo-pay-1"}})
	if err != nil {
		return err
	}
	f.Say("  用同一幂等键重试：返回同一收据 %s，未重复扣款", "  retried with the same idempotency key: same receipt %s, nothing charged again", again.ID)

	step(7, "再处理一条3分记录：本周期记分将达12分，须到窗口办理", "Handling a 3-point record would reach 12 points this cycle: refused")
	_, err = zhang.Bindings.BindVehicle(ctx, api.BindVehicleRequest{Plate: "鲁AD12345", PlateType: "52"})
	if err != nil {
		return err
	}
	_, err = zhang.Violations.Handle(ctx, api.HandleRequest{RecordNo: "3701002026111800006"})
	var re *rules.Error
	if !errors.As(err, &re) {
		return err
	}
	f.Say("  拒绝：%s [%s]", "  refused: %s [%s]", re.Message(f.Config.Lang), re.Code)

	step(8, "李四代张三按决定书编号缴纳现场处罚", "Li Si pays Zhang San's on-site decision by its number")
	li := staff.As(api.Actor{Role: api.RolePerson, IDNumber: demoLi})
	if _, err := li.Accounts.RegisterPerson(ctx, api.RegisterPersonRequest{IDNumber: demoLi, Name: "李四", Phone: "13900139000", Plate: "鲁B8G666", PlateType: "02"}); err != nil {
		return err
	}
	r2, err := li.Payments.Pay(ctx, api.PayRequest{DecisionNo: "3701001234567890", Mutation: api.Mutation{IdempotencyKey: "demo-pay-2"}})
	if err != nil {
		return err
	}
	if err := f.Print(cmdutil.ReceiptListing(r2)); err != nil {
		return err
	}

	step(9, "张三的违法记录现在", "Zhang San's violations now")
	page, err = zhang.Violations.List(ctx, api.ListViolationsRequest{})
	if err != nil {
		return err
	}
	if err := f.Print(cmdutil.ViolationsListing(page.Items)); err != nil {
		return err
	}

	step(10, "短信发件箱", "The SMS outbox")
	ms, err := staff.Outbox.List(ctx, api.OutboxRequest{Limit: 100})
	if err != nil {
		return err
	}
	for _, m := range ms {
		f.Say("  %s  %s", "  %s  %s", m.To, m.Text)
	}
	if opts.Keep {
		f.Say("\n演示数据保存在 %s", "\nThe demo store is kept at %s", path)
	}
	return nil
}
