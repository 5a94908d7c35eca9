package server_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"
)

// keyedCall is one idempotent operation of TestIdempotencyKeyOnEveryRoute:
// a request that succeeds, and another request the same key must refuse.
type keyedCall struct {
	token                func() string
	path, body           string
	otherPath, otherBody string
}

// TestIdempotencyKeyOnEveryRoute walks the declarations: every operation
// that takes an Idempotency-Key answers a replay with the first answer,
// and the key reused for a different request with 409
// IDEMPOTENCY_KEY_REUSED.
func TestIdempotencyKeyOnEveryRoute(t *testing.T) {
	env := newAuthzEnv(t, false)
	const zhao = "370104197802030030"
	zhaoTok := ""
	zhang := func() string { return env.tok["zhang"] }
	var newBinding, request string // from earlier answers
	calls := map[string]keyedCall{
		api.RegisterPerson.Info().ID: {token: func() string { return "" }, path: "/v1/persons",
			body:      `{"id_number":"` + zhao + `","name":"赵强","phone":"13600136000","licence_file_no":"370100456789"}`,
			otherBody: `{"id_number":"` + zhao + `","name":"赵强","phone":"13600136001","licence_file_no":"370100456789"}`},
		api.BindLicence.Info().ID: {token: func() string { return zhaoTok }, path: "/v1/bindings/licence"},
		api.BindVehicle.Info().ID: {token: zhang, path: "/v1/bindings/vehicles",
			body: `{"plate":"鲁AD12345","plate_type":"52"}`, otherBody: `{"plate":"鲁B8G666","plate_type":"02"}`},
		api.ApproveBinding.Info().ID: {token: zhang, path: "/v1/bindings/{request}/approve", otherPath: "/v1/bindings/nope/approve"},
		api.RemoveBinding.Info().ID:  {token: zhang, path: "/v1/bindings/{binding}", otherPath: "/v1/bindings/nope"},
		api.HandleViolation.Info().ID: {token: zhang, path: "/v1/violations/" + azRecCamera + "/handle",
			otherPath: "/v1/violations/3701002026111800006/handle"},
		api.Pay.Info().ID: {token: zhang, path: "/v1/payments",
			body: `{"decision_no":"` + azOnsiteNo + `"}`, otherBody: `{"record_no":"` + azRecOnsite + `"}`},
		api.RegisterUnit.Info().ID: {token: func() string { return env.tok["staff"] }, path: "/v1/units",
			body:      `{"credit_code":"` + azUnitCode + `","name":"济南顺达物流有限公司","agent_id_number":"` + azLi + `"}`,
			otherBody: `{"credit_code":"` + azUnitCode + `","name":"济南顺达物流","agent_id_number":"` + azLi + `"}`},
	}
	order := []string{api.RegisterPerson.Info().ID, api.BindLicence.Info().ID, api.BindVehicle.Info().ID, api.ApproveBinding.Info().ID,
		api.RemoveBinding.Info().ID, api.HandleViolation.Info().ID, api.Pay.Info().ID, api.RegisterUnit.Info().ID}
	var declared []string
	for _, op := range api.Operations() {
		if op.Info().Idempotent {
			declared = append(declared, op.Info().ID)
		}
	}
	if got, want := slices.Sorted(maps.Keys(calls)), slices.Sorted(slices.Values(declared)); !slices.Equal(got, want) {
		t.Fatalf("the test covers %v; the idempotent operations are %v", got, want)
	}
	ops := map[string]*api.OpInfo{}
	for _, op := range api.Operations() {
		ops[op.Info().ID] = op.Info()
	}
	for _, id := range order {
		c, op := calls[id], ops[id]
		expand := func(p string) string {
			if p == "/v1/bindings/{request}/approve" {
				return "/v1/bindings/" + request + "/approve"
			}
			if p == "/v1/bindings/{binding}" {
				return "/v1/bindings/" + newBinding
			}
			return p
		}
		if id == api.ApproveBinding.Info().ID {
			// Li asks to bind Zhang's car: Zhang approves.
			a := env.mustOK(t, "POST", "/v1/bindings/vehicles", env.tok["li"], `{"plate":"鲁A12345","plate_type":"02"}`)
			request = decodeInto[rules.Binding](t, a.body).RequestID
		}
		key := map[string]string{"Idempotency-Key": "walk-" + id}
		first := env.call(t, op.Method, expand(c.path), c.token(), c.body, key)
		if first.status != http.StatusOK {
			t.Fatalf("%s: first call = %v", id, first)
		}
		switch id {
		case api.RegisterPerson.Info().ID:
			tok, err := env.e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RolePerson, Name: zhao})
			if err != nil {
				t.Fatal(err)
			}
			zhaoTok = tok.Token
		case api.BindVehicle.Info().ID:
			newBinding = decodeInto[rules.Binding](t, first.body).ID
		}
		t.Run(id, func(t *testing.T) {
			replay := env.call(t, op.Method, expand(c.path), c.token(), c.body, key)
			if replay.status != http.StatusOK || !sameAnswer(t, first.body, replay.body) {
				t.Errorf("replay = %v, want the first answer %s", replay, first.body)
			}
			if c.otherPath == "" && c.otherBody == "" {
				return // nothing else to ask with no fields
			}
			path, body := c.path, c.body
			if c.otherPath != "" {
				path = c.otherPath
			}
			if c.otherBody != "" {
				body = c.otherBody
			}
			other := env.call(t, op.Method, expand(path), c.token(), body, key)
			if other.status != http.StatusConflict || other.code != "IDEMPOTENCY_KEY_REUSED" {
				t.Errorf("the key reused for another request = %v, want 409 IDEMPOTENCY_KEY_REUSED", other)
			}
		})
	}
}

// sameAnswer compares two JSON answers, but for the replayed flag.
func sameAnswer(t *testing.T, a, b []byte) bool {
	var x, y map[string]any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON objects: %s / %s", a, b)
	}
	delete(x, "replayed")
	delete(y, "replayed")
	return reflect.DeepEqual(x, y)
}
