package mockidp

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the mock's Prometheus metrics.
type metrics struct {
	gatherer prometheus.Gatherer
	tokens   *prometheus.CounterVec
	requests *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, s *Server) (*metrics, error) {
	m := &metrics{
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mockidp_tokens_total", Help: "Token endpoint requests by client and outcome.",
		}, []string{"client", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mockidp_requests_total", Help: "Requests to the Descope surface by endpoint and status.",
		}, []string{"endpoint", "status"}),
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
