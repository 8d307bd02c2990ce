package api

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// unmatchedRoute labels requests that match no route, keeping label
// cardinality bounded whatever paths callers try.
const unmatchedRoute = "unmatched"

// httpMetrics are the request metrics of the API.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	gatherer prometheus.Gatherer
}

func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "api_http_requests_total",
			Help: "HTTP requests by method, route template and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "api_http_request_duration_seconds",
			Help:    "HTTP request durations by method and route template.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "api_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		gatherer: reg,
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("api: registering metrics: %w", err)
		}
	}
	return m, nil
}

// handler serves the registry in the Prometheus exposition format.
func (m *httpMetrics) handler() http.Handler {
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
}

// cachedCodes are the statuses whose request counters a routeMetrics keeps
// at hand: those the API answers with. Others go through the vector.
var cachedCodes = [...]int{
	http.StatusOK, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
	http.StatusMethodNotAllowed, http.StatusUnprocessableEntity, http.StatusInternalServerError,
	http.StatusServiceUnavailable,
}

// routeMetrics holds one route's metric children, so that recording a
// request does not look them up by label values (a hash of the values and
// a read lock in the vector) every time. A child is created on its first
// use, as WithLabelValues would: no series appears before its first request.
type routeMetrics struct {
	template string
	methods  []*methodMetrics // the route's methods (GET routes also answer HEAD)
}

// methodMetrics are the children of one route and method.
type methodMetrics struct {
	method   string
	duration func() prometheus.Observer
	requests [len(cachedCodes)]func() prometheus.Counter
}

// newRouteMetrics prepares the children of template for methods.
func (m *httpMetrics) newRouteMetrics(template string, methods []string) *routeMetrics {
	rm := &routeMetrics{template: template}
	for _, method := range methods {
		mm := &methodMetrics{
			method: method,
			duration: sync.OnceValue(func() prometheus.Observer {
				return m.duration.WithLabelValues(method, template)
			}),
		}
		for i, code := range cachedCodes {
			mm.requests[i] = sync.OnceValue(func() prometheus.Counter {
				return m.requests.WithLabelValues(method, template, strconv.Itoa(code))
			})
		}
		rm.methods = append(rm.methods, mm)
	}
	return rm
}

// record counts and times one request. rm is the route it matched, nil
// for none (labelled unmatchedRoute).
func (m *httpMetrics) record(rm *routeMetrics, method string, status int, seconds float64) {
	if rm == nil {
		m.recordByLabels(method, unmatchedRoute, status, seconds)
		return
	}
	for _, mm := range rm.methods {
		if mm.method != method {
			continue
		}
		for i, code := range cachedCodes {
			if code == status {
				mm.requests[i]().Inc()
				mm.duration().Observe(seconds)
				return
			}
		}
		break
	}
	m.recordByLabels(method, rm.template, status, seconds)
}

// otherMethod labels requests whose method is not a standard one.
const otherMethod = "other"

// methodLabel is method if it is a standard HTTP method, else otherMethod:
// a caller can send any token as a method, and each distinct label value
// would be new series kept for the life of the process.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return otherMethod
}

// recordByLabels counts and times one request through the vectors.
func (m *httpMetrics) recordByLabels(method, route string, status int, seconds float64) {
	method = methodLabel(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(seconds)
}
