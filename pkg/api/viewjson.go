package api

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jgctl/jgctl/pkg/rules"
)

// MarshalJSON implements json.Marshaler with AppendJSON.
func (v ViolationView) MarshalJSON() ([]byte, error) { return v.AppendJSON(make([]byte, 0, 640)), nil }

// AppendJSON appends the record view as JSON, without reflection: listings
// are the API's hottest answers (twenty of these a page). The output is
// exactly what encoding/json makes of the struct tags (a test keeps them
// equal).
func (v ViolationView) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonField(b, "record_no", v.RecordNo, false)
	b = jsonField(b, "plate", v.Plate, true)
	b = jsonField(b, "plate_type", string(v.PlateType), true)
	b = jsonTime(b, "occurred_at", v.OccurredAt, true)
	b = jsonField(b, "location", v.Location, true)
	b = jsonField(b, "code", v.Code, true)
	b = jsonField(b, "description", v.Description, true)
	b = jsonMoney(b, "fine", v.Fine)
	b = append(b, `,"points":`...)
	b = strconv.AppendInt(b, int64(v.Points), 10)
	b = jsonField(b, "source", string(v.Source), true)
	b = jsonField(b, "status", string(v.Status), true)
	if v.DecisionNo != "" {
		b = jsonField(b, "decision_no", v.DecisionNo, true)
	}
	b = jsonDate(b, "served_on", v.ServedOn)
	if v.DriverIDNumber != "" {
		b = jsonField(b, "driver_id_number", v.DriverIDNumber, true)
	}
	if len(v.Suspensions) > 0 {
		b = append(b, `,"suspensions":[`...)
		for i, s := range v.Suspensions {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"from":"`...)
			b = append(s.From.AppendText(b), '"')
			if !s.To.IsZero() {
				b = append(b, `,"to":"`...)
				b = append(s.To.AppendText(b), '"')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if !v.PendingUntil.IsZero() {
		b = jsonTime(b, "pending_until", v.PendingUntil, true)
	}
	if !v.PaidAt.IsZero() {
		b = jsonTime(b, "paid_at", v.PaidAt, true)
	}
	if v.PaymentID != "" {
		b = jsonField(b, "payment_id", v.PaymentID, true)
	}
	b = jsonDate(b, "due_on", v.DueOn)
	b = jsonMoney(b, "late_fee", v.LateFee)
	b = jsonMoney(b, "amount_due", v.AmountDue)
	return append(b, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (p ViolationPage) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// AppendJSON appends the page as JSON (see ViolationView.AppendJSON).
func (p ViolationPage) AppendJSON(b []byte) []byte {
	b = append(b, `{"items":[`...)
	for i, v := range p.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.AppendJSON(b)
	}
	b = append(b, ']')
	if p.Next != "" {
		b = jsonField(b, "next", p.Next, true)
	}
	return append(b, '}')
}

func jsonKey(b []byte, key string, comma bool) []byte {
	if comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func jsonField(b []byte, key, val string, comma bool) []byte {
	return appendJSONString(jsonKey(b, key, comma), val)
}

func jsonTime(b []byte, key string, t time.Time, comma bool) []byte {
	b = append(jsonKey(b, key, comma), '"')
	return append(t.AppendFormat(b, time.RFC3339Nano), '"')
}

func jsonMoney(b []byte, key string, m rules.Money) []byte {
	b = append(jsonKey(b, key, true), '"')
	return append(m.AppendText(b), '"')
}

func jsonDate(b []byte, key string, d rules.Date) []byte {
	if d.IsZero() {
		return b
	}
	b = append(jsonKey(b, key, true), '"')
	return append(d.AppendText(b), '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping
// (the API's encoders set SetEscapeHTML(false)): quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced, U+2028/U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
