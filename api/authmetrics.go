package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/descope-harness/harness/api/auth"
)

// AuthMetrics is the Prometheus adapter of the validator's observer hook:
// it counts auth_failures_total{reason}, jwks_fetches_total{outcome} and
// discovery_fetches_total{outcome} in reg (if reg is not nil). Pass it as
// auth.Config.Observer. It panics if registration fails, like
// prometheus.MustRegister, because that is a start-up wiring bug.
func AuthMetrics(reg prometheus.Registerer) auth.Observer {
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "auth_failures_total",
		Help: "Requests refused by authentication, by reason.",
	}, []string{"reason"})
	keySets := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jwks_fetches_total",
		Help: "Key-set fetches, by outcome (success, not_modified, empty, throttled, error).",
	}, []string{"outcome"})
	discoveries := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "discovery_fetches_total",
		Help: "Discovery document fetches, by outcome (success, error).",
	}, []string{"outcome"})
	if reg != nil {
		reg.MustRegister(failures, keySets, discoveries)
	}
	return auth.Observer{
		Refused:          func(reason string, _ error) { failures.WithLabelValues(reason).Inc() },
		KeySetFetched:    func(outcome string) { keySets.WithLabelValues(outcome).Inc() },
		DiscoveryFetched: func(outcome string) { discoveries.WithLabelValues(outcome).Inc() },
	}
}
