package mockidp

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the mock's Prometheus metrics.
type metrics struct {
	gatherer prometheus.Gatherer
	tokens   *prometheus.CounterVec
	requests *prometheus.CounterVec

	// Children are looked up once and cached: a label lookup hashes the
	// label values on every call.
	requestsBy map[string]*statusCounters                         // by endpoint; never changes
	tokensMu   sync.Mutex                                         // serialises writers of tokensBy
	tokensBy   atomic.Pointer[map[tokenLabels]prometheus.Counter] // copied on write
}

// statusCounters caches the mockidp_requests_total children of one endpoint
// by HTTP status; a child is created on first use, as WithLabelValues does.
type statusCounters struct {
	vec      *prometheus.CounterVec
	endpoint string
	byStatus [600]atomic.Pointer[counterRef]
}

type counterRef struct{ prometheus.Counter }

// inc counts one request answered with status.
func (c *statusCounters) inc(status int) {
	if status < 0 || status >= len(c.byStatus) {
		c.vec.WithLabelValues(c.endpoint, strconv.Itoa(status)).Inc()
		return
	}
	ref := c.byStatus[status].Load()
	if ref == nil {
		ref = &counterRef{c.vec.WithLabelValues(c.endpoint, strconv.Itoa(status))}
		c.byStatus[status].Store(ref) // a racing store holds the same child
	}
	ref.Inc()
}

type tokenLabels struct{ client, outcome string }

// maxTokenChildren bounds the token counter cache; clients are configured,
// and unknown ones share one label, so it is never reached in practice.
const maxTokenChildren = 1024

// countToken counts one token request by client label and outcome.
func (m *metrics) countToken(client, outcome string) {
	k := tokenLabels{client, outcome}
	if c, ok := (*m.tokensBy.Load())[k]; ok {
		c.Inc()
		return
	}
	c := m.tokens.WithLabelValues(client, outcome)
	c.Inc()
	m.tokensMu.Lock()
	defer m.tokensMu.Unlock()
	old := *m.tokensBy.Load()
	next := make(map[tokenLabels]prometheus.Counter, len(old)+1)
	if len(old) < maxTokenChildren {
		for kk, v := range old {
			next[kk] = v
		}
	}
	next[k] = c
	m.tokensBy.Store(&next)
}

func newMetrics(reg prometheus.Registerer, s *Server) (*metrics, error) {
	m := &metrics{
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mockidp_tokens_total", Help: "Token endpoint requests by client and outcome.",
		}, []string{"client", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mockidp_requests_total", Help: "Requests to the Descope surface by endpoint and status.",
		}, []string{"endpoint", "status"}),
		requestsBy: make(map[string]*statusCounters, len(Endpoints)),
	}
	m.tokensBy.Store(&map[tokenLabels]prometheus.Counter{})
	for _, e := range Endpoints {
		m.requestsBy[e] = &statusCounters{vec: m.requests, endpoint: e}
	}
	rotations := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "mockidp_key_rotations_total", Help: "Signing key rotations, scheduled and on demand.",
	}, func() float64 { return float64(s.keys.Rotations()) })
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, m.gatherer = r, r
	} else if g, ok := reg.(prometheus.Gatherer); ok {
		m.gatherer = g
	}
	for _, c := range []prometheus.Collector{m.tokens, m.requests, rotations} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) handler() http.Handler {
	if m.gatherer == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
}
