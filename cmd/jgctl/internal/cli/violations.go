package cli

import (
	"context"
	"strconv"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/rules"
	"github.com/spf13/cobra"
)

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rules.China).Format(time.RFC3339)
}

func violationsListing(vs []api.ViolationView) listing {
	l := listing{
		cols: []column{{"记录编号", "RECORD NO", false}, {"号牌", "PLATE", false}, {"种类", "TYPE", false}, {"违法时间", "OCCURRED AT", false},
			{"代码", "CODE", false}, {"违法行为", "DESCRIPTION", false}, {"罚款", "FINE", true}, {"记分", "POINTS", true}, {"状态", "STATUS", false},
			{"决定书编号", "DECISION NO", false}, {"缴款期限", "DUE ON", false}, {"滞纳金", "LATE FEE", true}, {"应缴", "AMOUNT DUE", true}},
		json:    vs,
		emptyZH: "没有违法记录。", emptyEN: "no violations found",
		clip: map[int]int{5: 24},
	}
	for _, v := range vs {
		l.rows = append(l.rows, []string{v.RecordNo, v.Plate, string(v.PlateType), fmtTime(v.OccurredAt), v.Code, v.Description,
			v.Fine.String(), strconv.Itoa(v.Points), string(v.Status), v.DecisionNo, v.DueOn.String(), v.LateFee.String(), v.AmountDue.String()})
	}
	return l
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func newViolationsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "violations", Aliases: []string{"violation"}, Short: "违法记录 / violation records"}
	var r api.ListViolationsRequest
	var all bool
	list := &cobra.Command{
		Use:     "list [--plate P --plate-type T] [--status S]",
		Aliases: []string{"ls"},
		Short:   "查询违法记录（含滞纳金与应缴金额）/ list violations with late fee and amount due",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(true)
			if err != nil {
				return err
			}
			items, err := listViolations(cmd.Context(), c, r, all)
			if err != nil {
				return err
			}
			return f.print(violationsListing(items))
		},
	}
	fl := list.Flags()
	fl.StringVar(&r.Plate, "plate", "", "plate number")
	fl.StringVar(&r.PlateType, "plate-type", "", "plate type code (with --plate)")
	fl.StringVar(&r.Status, "status", "", "unhandled, pending, unpaid or paid")
	fl.StringVar(&r.Driver, "driver", "", "ID number the decisions were issued to")
	fl.IntVar(&r.Limit, "limit", 0, "at most this many records (staff without a filter: 1000 a page)")
	fl.StringVar(&r.After, "after", "", "start after this record number (paging)")
	fl.BoolVar(&all, "all", false, "follow every page (staff without a filter)")
	list.MarkFlagsRequiredTogether("plate", "plate-type")
	list.RegisterFlagCompletionFunc("status", fixedCompletion("unhandled", "pending", "unpaid", "paid"))

	var h api.HandleRequest
	handle := &cobra.Command{
		Use:   "handle RECORD_NO",
		Short: "网上处理电子监控记录，生成待缴款决定书 / handle a camera record online",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			h.RecordNo = args[0]
			res, err := c.HandleViolation(cmd.Context(), h)
			if err != nil {
				return err
			}
			f.say("已受理，请在 %s 前缴款，逾期未缴将撤销本次处理。", "Accepted. Pay by %s or this handling lapses.", fmtTime(res.PendingUntil))
			return f.print(listing{
				cols: []column{{"记录编号", "RECORD NO", false}, {"决定书编号", "DECISION NO", false}, {"缴款单号", "ORDER ID", false}, {"罚款", "FINE", true},
					{"记分", "POINTS", true}, {"应缴", "AMOUNT DUE", true}, {"缴款截止", "PAY BY", false}},
				rows: [][]string{{res.RecordNo, res.DecisionNo, res.OrderID, res.Fine.String(), strconv.Itoa(res.Points), res.AmountDue.String(), fmtTime(res.PendingUntil)}},
				json: res,
			})
		},
	}
	handle.Flags().StringVar(&h.IdempotencyKey, "idempotency-key", "", "key that makes a retry safe")
	cmd.AddCommand(list, handle)
	return cmd
}

func listViolations(ctx context.Context, c client.Client, r api.ListViolationsRequest, all bool) ([]api.ViolationView, error) {
	if !all {
		page, err := c.ListViolations(ctx, r)
		if err != nil {
			return nil, err
		}
		return page.Items, nil
	}
	items := []api.ViolationView{}
	for v, err := range client.AllViolations(ctx, c, r) {
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	return items, nil
}

func receiptListing(r *api.Receipt) listing {
	return listing{
		cols: []column{{"缴款编号", "PAYMENT ID", false}, {"决定书编号", "DECISION NO", false}, {"记录编号", "RECORD NO", false},
			{"罚款", "FINE", true}, {"滞纳金", "LATE FEE", true}, {"金额", "AMOUNT", true}, {"缴款时间", "PAID AT", false}, {"支付流水", "GATEWAY REF", false}},
		rows: [][]string{{r.ID, r.DecisionNo, r.RecordNo, r.Fine.String(), r.LateFee.String(), r.Amount.String(), fmtTime(r.PaidAt), r.GatewayRef}},
		json: r,
	}
}

func newPayCmd(f *Factory) *cobra.Command {
	var r api.PayRequest
	cmd := &cobra.Command{
		Use:   "pay (--decision NO | --record RECORD_NO) [--idempotency-key K]",
		Short: "缴纳罚款（可代他人按决定书编号缴纳）/ pay a fine, by decision number (anyone) or record number (your own)",
		Long: "Pay a penalty decision: the fine plus the late fee as of today. Anyone may pay by decision number;\n" +
			"by record number only for your own records. Give --idempotency-key to make retries safe: the same key\n" +
			"returns the same receipt and never charges twice.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			if r.IdempotencyKey == "" {
				r.IdempotencyKey = client.NewIdempotencyKey()
			}
			rec, err := c.Pay(cmd.Context(), r)
			if err != nil {
				return err
			}
			if rec.Replayed {
				f.say("该幂等键已缴款，以下为原收据（未重复扣款）。", "Already paid with this idempotency key; the original receipt (nothing charged again):")
			} else {
				f.say("缴款成功。", "Paid.")
			}
			return f.print(receiptListing(rec))
		},
	}
	cmd.Flags().StringVar(&r.DecisionNo, "decision", "", "decision number (决定书编号)")
	cmd.Flags().StringVar(&r.RecordNo, "record", "", "record number of your own violation")
	cmd.Flags().StringVar(&r.IdempotencyKey, "idempotency-key", "", "key that makes a retried payment safe")
	cmd.MarkFlagsOneRequired("decision", "record")
	cmd.MarkFlagsMutuallyExclusive("decision", "record")
	return cmd
}

func newFinesCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "fines", Short: "罚款与滞纳金 / fines and late fees"}
	var fine, served, on string
	var extend bool
	quote := &cobra.Command{
		Use:   "quote --fine 200 --served-on 2024-03-04 [--on 2024-03-29]",
		Short: "计算滞纳金与应缴金额 / compute the late fee and amount due",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var r api.QuoteRequest
			var err error
			if r.Fine, err = rules.ParseMoney(fine); err != nil {
				return rules.Invalid("fine", "FINE_FORMAT", "罚款金额格式错误", err.Error())
			}
			if r.ServedOn, err = rules.ParseDate(served); err != nil {
				return rules.Invalid("served_on", "DATE_FORMAT", "日期格式应为 YYYY-MM-DD", "want YYYY-MM-DD: "+served)
			}
			if on != "" {
				if r.On, err = rules.ParseDate(on); err != nil {
					return rules.Invalid("on", "DATE_FORMAT", "日期格式应为 YYYY-MM-DD", "want YYYY-MM-DD: "+on)
				}
			}
			if cmd.Flags().Changed("extend-due-on-holiday") {
				f.Config.Policy.Fees.ExtendDueOnHoliday = extend
			}
			c, err := f.Client(true)
			if err != nil {
				return err
			}
			q, err := c.QuoteFine(cmd.Context(), r)
			if err != nil {
				return err
			}
			return f.print(listing{
				cols: []column{{"罚款", "FINE", true}, {"送达日期", "SERVED ON", false}, {"缴款期限", "DUE ON", false}, {"缴款日期", "ON", false},
					{"逾期天数", "LATE DAYS", true}, {"滞纳金", "LATE FEE", true}, {"应缴", "AMOUNT DUE", true}, {"封顶", "CAPPED", false}},
				rows: [][]string{{q.Fine.String(), q.ServedOn.String(), q.DueOn.String(), q.On.String(), strconv.Itoa(q.LateDays),
					q.LateFee.String(), q.AmountDue.String(), yesNo(q.Capped)}},
				json: q,
			})
		},
	}
	quote.Flags().StringVar(&fine, "fine", "", "fine in yuan, e.g. 200")
	quote.Flags().StringVar(&served, "served-on", "", "date the decision was served (YYYY-MM-DD)")
	quote.Flags().StringVar(&on, "on", "", "payment date (default today)")
	quote.Flags().BoolVar(&extend, "extend-due-on-holiday", false, "move a due date on a holiday to the next working day (policy; default from config: false)")
	quote.MarkFlagRequired("fine")
	quote.MarkFlagRequired("served-on")
	cmd.AddCommand(quote)
	return cmd
}

func newSweepCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "sweep",
		Short: "批处理：归并缴款、撤销超时未缴款的网上处理（工作人员）/ batch job: fold payments into records, expire unpaid online handlings (staff)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			res, err := c.Sweep(cmd.Context())
			if err != nil {
				return err
			}
			f.say("已归并 %d 笔缴款，撤销 %d 条超时处理。", "%d payments folded into their records, %d expired handlings returned to unhandled.", res.Folded, res.Expired)
			if f.Config.Output == "table" {
				return nil
			}
			return f.print(listing{
				cols: []column{{"归并", "FOLDED", true}, {"撤销", "EXPIRED", true}},
				rows: [][]string{{strconv.Itoa(res.Folded), strconv.Itoa(res.Expired)}},
				json: res,
			})
		},
	}
}

func newOutboxCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "outbox", Short: "短信发件箱（工作人员）/ the SMS outbox (staff)"}
	var after uint64
	var limit int
	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "列出待发送短信 / list queued messages",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.Client(true)
			if err != nil {
				return err
			}
			ms, err := c.Outbox(cmd.Context(), after, limit)
			if err != nil {
				return err
			}
			l := listing{cols: []column{{"序号", "SEQ", true}, {"时间", "CREATED", false}, {"手机", "TO", false}, {"模板", "TEMPLATE", false}, {"内容", "TEXT", false}},
				json: ms, emptyZH: "发件箱为空。", emptyEN: "the outbox is empty"}
			for _, m := range ms {
				l.rows = append(l.rows, []string{strconv.FormatUint(m.Seq, 10), fmtTime(m.CreatedAt), m.To, m.Template, m.Text})
			}
			return f.print(l)
		},
	}
	list.Flags().Uint64Var(&after, "after", 0, "list messages after this sequence number")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many messages")
	cmd.AddCommand(list)
	return cmd
}

func newPaymentsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "payments", Short: "缴款对账 / payment reconciliation"}
	cmd.AddCommand(&cobra.Command{
		Use:   "reconcile ORDER_ID",
		Short: "向支付网关查询订单并补记银行已扣款的缴款 / ask the gateway about an order and record a payment the bank took",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Client(false)
			if err != nil {
				return err
			}
			res, err := c.Reconcile(cmd.Context(), api.ReconcileRequest{OrderID: args[0]})
			if err != nil {
				return err
			}
			switch {
			case res.Applied:
				f.say("银行已扣款，缴款已补记。", "The bank took the money; the payment is recorded now.")
			case res.Payment != nil:
				f.say("该缴款已记录，无需处理。", "The payment was already recorded; nothing to do.")
			case !res.GatewayPaid:
				f.say("网关未扣款。", "The gateway took no money for this order.")
			}
			payment := ""
			if res.Payment != nil {
				payment = res.Payment.ID
			}
			return f.print(listing{
				cols: []column{{"订单", "ORDER", false}, {"决定书编号", "DECISION NO", false}, {"网关已扣款", "GATEWAY PAID", false},
					{"本次补记", "APPLIED", false}, {"缴款编号", "PAYMENT ID", false}},
				rows: [][]string{{res.OrderID, res.DecisionNo, yesNo(res.GatewayPaid), yesNo(res.Applied), payment}},
				json: res,
			})
		},
	})
	return cmd
}
