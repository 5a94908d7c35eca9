package server

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// FuzzDecodeBody: no body crashes the decoder, and every refusal is an
// invalid *rules.Error naming a field, in the user's terms.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"fine":"200","served_on":"2024-03-04","on":"2024-03-29","suspensions":[{"from":"2024-03-20","to":"2024-03-21"}]}`,
		`{"fine":"-5"}`, `{"fine":null}`, `null`, `[]`, `{"fine":"200","served_on":"2024-02-30"}`, `{"suspensions":"x"}`,
		`{"decision_no":"1","record_no":"2","idempotency_key":"k"}`, `{"decision_no":1}`, `{} {}`, `{"a":1}]`, "\xff", `{"fine":1e999}`,
	} {
		f.Add([]byte(s))
	}
	ops := []*api.OpInfo{api.QuoteFine.Info(), api.Pay.Info(), api.BankNotification.Info(), api.Logout.Info()}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range ops {
			err := newCodec(op).unmarshal(body, reflect.New(op.Request).Interface())
			if err == nil {
				continue
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.Kind != rules.KindInvalid || re.Field == "" {
				t.Fatalf("%q: %v (want an invalid *rules.Error naming a field)", body, err)
			}
			for _, internal := range []string{"json:", "Go value", "Go struct", "unmarshal"} {
				if strings.Contains(re.EN, internal) {
					t.Fatalf("%q: message %q speaks of %q", body, re.EN, internal)
				}
			}
		}
	})
}
