package cmdutil

import (
	"strconv"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// The listings below are shared by several commands (and the demo).

// FmtTime prints a time in China time (+08:00), "" for the zero time.
func FmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rules.China).Format(time.RFC3339)
}

// ViolationsListing lists violations with their late fee and amount due.
func ViolationsListing(vs []api.ViolationView) Listing {
	l := Listing{
		Cols: []Column{Col("记录编号", "RECORD NO"), Col("号牌", "PLATE"), Col("种类", "TYPE"), Col("违法时间", "OCCURRED AT"),
			Col("代码", "CODE"), Col("违法行为", "DESCRIPTION"), Num("罚款", "FINE"), Num("记分", "POINTS"), Col("状态", "STATUS"),
			Col("决定书编号", "DECISION NO"), Col("缴款期限", "DUE ON"), Num("滞纳金", "LATE FEE"), Num("应缴", "AMOUNT DUE")},
		JSON:    vs,
		EmptyZH: "没有违法记录。", EmptyEN: "no violations found",
		Clip: map[int]int{5: 24},
	}
	for _, v := range vs {
		l.Rows = append(l.Rows, []string{v.RecordNo, v.Plate, string(v.PlateType), FmtTime(v.OccurredAt), v.Code, v.Description,
			v.Fine.String(), strconv.Itoa(v.Points), string(v.Status), v.DecisionNo, v.DueOn.String(), v.LateFee.String(), v.AmountDue.String()})
	}
	return l
}

// ReceiptListing shows a payment receipt.
func ReceiptListing(r *api.Receipt) Listing {
	return Listing{
		Cols: []Column{Col("缴款编号", "PAYMENT ID"), Col("决定书编号", "DECISION NO"), Col("记录编号", "RECORD NO"),
			Num("罚款", "FINE"), Num("滞纳金", "LATE FEE"), Num("金额", "AMOUNT"), Col("缴款时间", "PAID AT"), Col("支付流水", "GATEWAY REF")},
		Rows: [][]string{{r.ID, r.DecisionNo, r.RecordNo, r.Fine.String(), r.LateFee.String(), r.Amount.String(), FmtTime(r.PaidAt), r.GatewayRef}},
		JSON: r,
	}
}

// PersonListing shows a registered person.
func PersonListing(p *rules.Person) Listing {
	return Listing{
		Cols: []Column{Col("身份证号码", "ID NUMBER"), Col("姓名", "NAME"), Col("手机", "PHONE"), Col("核验方式", "VERIFIED BY")},
		Rows: [][]string{{p.IDNumber, p.Name, p.Phone, p.Via}},
		JSON: p,
	}
}

// BindingsListing lists bindings.
func BindingsListing(bs []rules.Binding) Listing {
	l := Listing{
		Cols: []Column{Col("编号", "ID"), Col("类型", "KIND"), Col("号牌", "PLATE"), Col("号牌种类", "TYPE"),
			Col("本人", "OWN"), Col("状态", "STATUS"), Col("申请编号", "REQUEST"), Col("绑定时间", "CREATED")},
		JSON:    bs,
		EmptyZH: "没有绑定。", EmptyEN: "no bindings",
	}
	for _, b := range bs {
		l.Rows = append(l.Rows, []string{b.ID, b.Kind, b.Plate, string(b.PlateType), YesNo(b.Own), b.Status, b.RequestID, FmtTime(b.CreatedAt)})
	}
	return l
}

// BindingListing shows one binding, with json as its JSON document.
func BindingListing(b rules.Binding, json any) Listing {
	l := BindingsListing([]rules.Binding{b})
	l.JSON = json
	return l
}

// TokenListing shows a token's role, subject and expiry.
func TokenListing(t *api.Token) Listing {
	return Listing{
		Cols: []Column{Col("角色", "ROLE"), Col("身份", "SUBJECT"), Col("到期", "EXPIRES")},
		Rows: [][]string{{string(t.Actor.Role), t.Actor.IDNumber + t.Actor.Name, FmtTime(t.ExpiresAt)}},
		JSON: t,
	}
}
