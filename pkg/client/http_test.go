package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/client"
	"github.com/jgctl/jgctl/pkg/rules"
)

// flaky answers 503 for the first fails requests, then 200, recording the
// Idempotency-Key of every attempt.
type flaky struct {
	mu    sync.Mutex
	fails int
	keys  []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = append(f.keys, r.Header.Get("Idempotency-Key"))
	if len(f.keys) <= f.fails {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "STORE_UNAVAILABLE", "kind": "unavailable", "message": "busy"}})
		return
	}
	json.NewEncoder(w).Encode(api.Receipt{Payment: rules.Payment{ID: "P1", Amount: rules.Yuan(200)}})
}

func TestRetriesReuseTheIdempotencyKey(t *testing.T) {
	f := &flaky{fails: 2}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, err := client.New(srv.URL, client.WithRetries(2))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Payments.Pay(context.Background(), api.PayRequest{DecisionNo: "3701000000000001"})
	if err != nil || r.ID != "P1" {
		t.Fatalf("pay = %+v, %v", r, err)
	}
	if len(f.keys) != 3 || f.keys[0] == "" || f.keys[0] != f.keys[1] || f.keys[1] != f.keys[2] {
		t.Fatalf("attempts sent keys %q; want one key, three times", f.keys)
	}
}

func TestNoRetryPastTheLimitOrForUnkeyedWrites(t *testing.T) {
	f := &flaky{fails: 10}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithRetries(1))
	_, err := c.Payments.Pay(context.Background(), api.PayRequest{DecisionNo: "3701000000000001"})
	if !errors.Is(err, rules.ErrStoreUnavailable) || rules.KindOf(err) != rules.KindUnavailable {
		t.Fatalf("err = %v, want the server's STORE_UNAVAILABLE", err)
	}
	if len(f.keys) != 2 {
		t.Fatalf("%d attempts, want 2 (one retry)", len(f.keys))
	}
	f.keys = nil
	c.Jobs.Sweep(context.Background()) // a write without a key: never retried
	if len(f.keys) != 1 {
		t.Fatalf("an unkeyed write was sent %d times", len(f.keys))
	}
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	f := &flaky{fails: 1000}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithRetries(1000))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Violations.List(ctx, api.ListViolationsRequest{})
	if err == nil {
		t.Fatal("no error after the context ended")
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("kept retrying for %v after a 300 ms context", el)
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	c, _ := client.New("http://127.0.0.1:1", client.WithRetries(0))
	_, err := c.Violations.List(context.Background(), api.ListViolationsRequest{})
	if !errors.Is(err, client.ErrEndpointUnavailable) || rules.KindOf(err) != rules.KindUnavailable {
		t.Fatalf("err = %v, want ENDPOINT_UNAVAILABLE", err)
	}
	if _, err := client.New("ftp://x"); err == nil {
		t.Fatal("accepted a non-HTTP endpoint")
	}
}

// TestErrorKindFromCatalogue: an error answer's kind comes from the
// catalogue when the code is known there, from the wire otherwise.
func TestErrorKindFromCatalogue(t *testing.T) {
	tests := []struct {
		code, kind string
		want       rules.Kind
	}{
		{"NOT_OWNER", "", rules.KindForbidden},
		{"STORE_LOCKED", "internal", rules.KindUnavailable},
		{"SOME_NEWER_CODE", "conflict", rules.KindConflict},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": tt.code, "kind": tt.kind, "message": "m"}})
		}))
		c, _ := client.New(srv.URL, client.WithRetries(0))
		_, err := c.Violations.List(context.Background(), api.ListViolationsRequest{})
		srv.Close()
		var re *rules.Error
		if !errors.As(err, &re) || re.Code != tt.code || re.Kind != tt.want {
			t.Errorf("%s: err = %#v, want kind %v", tt.code, err, tt.want)
		}
	}
}
