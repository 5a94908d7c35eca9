package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jgctl/jgctl/pkg/api"
	"github.com/jgctl/jgctl/pkg/rules"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus series the server exports at /metrics.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	payments *prometheus.CounterVec
	imported *prometheus.CounterVec
	retries  prometheus.Counter
}

// NewMetrics registers the series in a registry of their own (with the Go
// runtime and process collectors), so that two servers in one process do
// not collide.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jgctl_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jgctl_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		payments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jgctl_payments_total", Help: "Payment attempts by outcome (paid, replayed, refused).",
		}, []string{"outcome"}),
		imported: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jgctl_import_rows_total", Help: "Imported rows by kind and result (inserted, updated, duplicate, rejected).",
		}, []string{"kind", "result"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jgctl_store_retries_total", Help: "Store transactions run again after a serialization failure, a deadlock or a concurrent key (PostgreSQL).",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.payments, m.imported, m.retries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// StoreRetried counts one store transaction run again.
func (m *Metrics) StoreRetried() { m.retries.Inc() }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Instrument counts and times every request by its route pattern.
func (m *Metrics) Instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(sw, r)
		route := r.Pattern // set by ServeMux; "" for unmatched paths
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// errNoMetrics: the server was started without metrics.
var errNoMetrics = rules.ErrRouteNotFound.Withf("this server has no metrics")

// countPayment counts a payment attempt by its outcome.
func (m *Metrics) countPayment(resp any, err error) {
	outcome := "paid"
	switch {
	case err != nil:
		outcome = "refused"
	case resp.(*api.Receipt).Replayed:
		outcome = "replayed"
	}
	m.payments.WithLabelValues(outcome).Inc()
}

// countImport counts an import's rows by result.
func (m *Metrics) countImport(kind api.ImportKind, res *api.ImportResult) {
	k := string(kind)
	m.imported.WithLabelValues(k, "inserted").Add(float64(res.Inserted))
	m.imported.WithLabelValues(k, "updated").Add(float64(res.Updated))
	m.imported.WithLabelValues(k, "duplicate").Add(float64(res.Duplicates))
	m.imported.WithLabelValues(k, "rejected").Add(float64(res.Rejected))
}
