package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/internal/server"
	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/client/clienttest"
	"github.com/jgctl/jgctl/pkg/rules"
)

// TestStrictRequests: the HTTP edge refuses what it used to let through or
// report in Go's terms (issue 8), with the code and field the CLI gives.
func TestStrictRequests(t *testing.T) {
	env := newAuthzEnv(t, false)
	staff := env.tok["staff"]
	quote := func(body string) func() answer {
		return func() answer { return env.call(t, "POST", "/v1/fines/quote", staff, body, nil) }
	}
	for _, c := range []struct {
		name        string
		do          func() answer
		status      int
		code, field string
	}{
		{"limit over the maximum", func() answer { return env.call(t, "GET", "/v1/violations?limit=1001", staff, "", nil) }, 400, "QUERY_VALUE", "limit"},
		{"limit huge", func() answer { return env.call(t, "GET", "/v1/violations?limit=99999999", staff, "", nil) }, 400, "QUERY_VALUE", "limit"},
		{"outbox limit over the maximum", func() answer { return env.call(t, "GET", "/v1/outbox?limit=5000", staff, "", nil) }, 400, "QUERY_VALUE", "limit"},
		{"quote without fine", quote(`{"served_on":"2024-03-04"}`), 400, "FIELD_REQUIRED", "fine"},
		{"quote with fine null", quote(`{"fine":null,"served_on":"2024-03-04"}`), 400, "FIELD_REQUIRED", "fine"},
		{"quote with an empty body", func() answer { return env.call(t, "POST", "/v1/fines/quote", staff, "", nil) }, 400, "FIELD_REQUIRED", "fine"},
		{"body null", quote(`null`), 400, "BAD_JSON", "body"},
		{"negative fine", quote(`{"fine":"-5","served_on":"2024-03-04"}`), 400, "FINE_FORMAT", "fine"},
		{"fine with three decimals", quote(`{"fine":"200.001","served_on":"2024-03-04"}`), 400, "FINE_FORMAT", "fine"},
		{"date that does not exist", quote(`{"fine":"200","served_on":"2024-02-30"}`), 400, "DATE_FORMAT", "served_on"},
		{"bad date in a suspension", quote(`{"fine":"200","served_on":"2024-03-04","suspensions":[{"from":"2024-13-01"}]}`), 400, "DATE_FORMAT", "suspensions"},
		{"unknown field named", quote(`{"fine":"200","served_on":"2024-03-04","extra":1}`), 400, "BAD_JSON", "extra"},
		{"text/plain body", func() answer {
			return env.call(t, "POST", "/v1/fines/quote", staff, `{"fine":"200","served_on":"2024-03-04"}`, map[string]string{"Content-Type": "text/plain"})
		}, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type"},
		{"form body", func() answer {
			return env.call(t, "POST", "/v1/payments", env.tok["zhang"], "decision_no=1", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": "form"})
		}, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type"},
		{"JSON with a charset (positive control)", func() answer {
			return env.call(t, "POST", "/v1/fines/quote", staff, `{"fine":"200","served_on":"2024-03-04"}`, map[string]string{"Content-Type": "application/json; charset=utf-8"})
		}, 200, "", ""},
		{"lower-case bearer", func() answer {
			return env.call(t, "GET", "/v1/whoami", "", "", map[string]string{"Authorization": "bearer " + staff})
		}, 200, "", ""},
		{"BEARER", func() answer {
			return env.call(t, "GET", "/v1/whoami", "", "", map[string]string{"Authorization": "BEARER " + staff})
		}, 200, "", ""},
		{"X-Jgctl-As not an ID number", func() answer {
			return env.call(t, "GET", "/v1/whoami", staff, "", map[string]string{"X-Jgctl-As": "../../x"})
		}, 400, "ACT_AS_FORMAT", "X-Jgctl-As"},
		{"X-Jgctl-As with a bad check digit", func() answer {
			return env.call(t, "GET", "/v1/whoami", staff, "", map[string]string{"X-Jgctl-As": "370102199003071239"})
		}, 400, "ACT_AS_FORMAT", "X-Jgctl-As"},
		{"oversized header", func() answer {
			return env.call(t, "GET", "/v1/whoami", staff, "", map[string]string{"X-Padding": strings.Repeat("a", 100<<10)})
		}, 431, "HEADER_TOO_LARGE", ""},
		{"no such route", func() answer { return env.call(t, "GET", "/v1/violation", staff, "", nil) }, 404, "ROUTE_NOT_FOUND", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.do()
			if a.status != c.status || a.code != c.code || a.field != c.field {
				t.Fatalf("= %v (field %q), want %d %s %s", a, a.field, c.status, c.code, c.field)
			}
			if a.status >= 400 && !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("error answer with Content-Type %q", a.header.Get("Content-Type"))
			}
		})
	}
	// X-Jgctl-As is normalised: a lower-case x acts as the same person,
	// who must be registered.
	a := env.call(t, "GET", "/v1/whoami", staff, "", map[string]string{"X-Jgctl-As": " " + strings.ToLower("11010519491231002X") + " "})
	if a.status != 404 || a.code != "PERSON_NOT_FOUND" || !strings.Contains(string(a.body), "11010519491231002X") {
		t.Errorf("whoami as an unregistered lower-case x = %v", a)
	}
}

// TestBadJSONSpeaksJSON: a malformed body is explained in JSON's terms,
// never Go's.
func TestBadJSONSpeaksJSON(t *testing.T) {
	env := newAuthzEnv(t, false)
	key := map[string]string{"Idempotency-Key": "bad-json"}
	for _, body := range []string{
		`["鲁AD12345","52"]`, `{"plate":["鲁AD12345"],"plate_type":"52"}`, `{"plate":1}`, `{"plate":`, `{"plate":"x"}]`, `{"plate":"x"} {}`, `"x"`,
	} {
		a := env.call(t, "POST", "/v1/bindings/vehicles", env.tok["zhang"], body, key)
		var eb server.ErrorBody
		if err := json.Unmarshal(a.body, &eb); err != nil || a.status != 400 || eb.Error.Code != "BAD_JSON" {
			t.Errorf("%s = %v, want 400 BAD_JSON", body, a)
			continue
		}
		for _, internal := range []string{"Go value", "json:", "map[", "[]", "struct", "unmarshal", "RawMessage"} {
			if strings.Contains(eb.Error.Message, internal) {
				t.Errorf("%s: message %q speaks of %q", body, eb.Error.Message, internal)
			}
		}
	}
}

// TestHeaderTooLargeBeforeNetHTTP: with http.Server's default limit, an
// oversized header reaches the handler and is answered in JSON.
func TestHeaderTooLargeBeforeNetHTTP(t *testing.T) {
	srv := httptest.NewServer(server.New(newEngine(t, clienttest.NewClock(clienttest.Start).Now, nil), server.Options{}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("b", 200<<10))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb server.ErrorBody
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || json.NewDecoder(resp.Body).Decode(&eb) != nil || eb.Error.Code != "HEADER_TOO_LARGE" {
		t.Fatalf("status %d, error %+v", resp.StatusCode, eb.Error)
	}
}

// TestImportPartialResultOverHTTP: an import that breaks partway answers
// the error with what was committed, and the HTTP client returns both, as
// the embedded transport does.
func TestImportPartialResultOverHTTP(t *testing.T) {
	e := newEngine(t, clienttest.NewClock(clienttest.Start).Now, nil)
	srv := httptest.NewServer(server.New(e, server.Options{}))
	defer srv.Close()
	tok, err := e.CreateToken(context.Background(), api.Staff, api.TokenRequest{Role: api.RoleStaff, Name: "imp"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := client.New(srv.URL, client.WithToken(tok.Token))
	var csv bytes.Buffer
	csv.WriteString("record_no,plate,plate_type,occurred_at,code,fine,points,source\n")
	csv.WriteString("3701002026010100001,鲁A12345,02,2026-01-01T08:00:00+08:00,1625,200,6,camera\n")
	csv.WriteString("3701002026010100002,鲁A12345,02,2026-01-01T09:00:00+08:00,1625,200,6,\"camera\n")
	res, err := c.Imports.Import(context.Background(), api.ImportRequest{Kind: api.ImportViolations, ChunkSize: 1}, &csv, nil)
	var re *rules.Error
	if !errors.As(err, &re) {
		t.Fatalf("import of a broken file: err = %v, want a *rules.Error", err)
	}
	if res == nil || res.Inserted != 1 {
		t.Fatalf("partial result = %+v, want 1 inserted", res)
	}
}
