package auth

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts authentication failures and provider fetches. A nil
// *Metrics is a valid no-op.
type Metrics struct {
	authFailures     *prometheus.CounterVec
	jwksFetches      *prometheus.CounterVec
	discoveryFetches *prometheus.CounterVec

	// failures are the children of authFailures by reasonIndex, each made
	// on its first use (as WithLabelValues would: no series before its
	// first failure), so that counting a failure does not look the child
	// up by its label every time.
	failures [internalReason + 1]func() prometheus.Counter
}

// NewMetrics creates the counters auth_failures_total{reason},
// jwks_fetches_total{outcome} and discovery_fetches_total{outcome} and
// registers them with reg (if reg is not nil). It panics if registration
// fails, like prometheus.MustRegister, because that is a start-up wiring bug.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auth_failures_total",
			Help: "Requests refused by authentication, by reason.",
		}, []string{"reason"}),
		jwksFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jwks_fetches_total",
			Help: "Key-set fetches, by outcome (success, not_modified, empty, throttled, error).",
		}, []string{"outcome"}),
		discoveryFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "discovery_fetches_total",
			Help: "Discovery document fetches, by outcome (success, error).",
		}, []string{"outcome"}),
	}
	for i := range m.failures {
		m.failures[i] = sync.OnceValue(func() prometheus.Counter {
			return m.authFailures.WithLabelValues(reasonLabel(i))
		})
	}
	if reg != nil {
		reg.MustRegister(m.authFailures, m.jwksFetches, m.discoveryFetches)
	}
	return m
}

func (m *Metrics) authFailure(err error) {
	if m != nil && err != nil {
		m.failures[reasonIndex(err)]().Inc()
	}
}

func (m *Metrics) jwksFetch(outcome string) {
	if m != nil {
		m.jwksFetches.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) discoveryFetch(err error) {
	if m == nil {
		return
	}
	outcome := "success"
	if err != nil {
		outcome = "error"
	}
	m.discoveryFetches.WithLabelValues(outcome).Inc()
}
