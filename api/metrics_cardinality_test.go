package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The method label takes the standard methods only: anyone can send
// requests with made-up methods (they are 401s before routing), and each
// distinct one must not become new series in /metrics, or an anonymous
// caller grows the registry, and every scrape, without bound.
func TestMetricsMethodCardinality(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	s, err := New(Config{Auth: fakeAuth{}, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		do(t, s, request{method: fmt.Sprintf("X%02d", i), path: "/api/me"})
		do(t, s, request{method: fmt.Sprintf("Y%02d", i), path: "/no/such/path"})
	}
	do(t, s, request{method: http.MethodPut, path: "/api/me"})

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "method" {
					methods[l.GetValue()] = true
				}
			}
		}
	}
	for m := range methods {
		switch m {
		case "other", http.MethodPut:
		default:
			t.Errorf("method label %q: want the made-up methods counted as \"other\"", m)
		}
	}
	if !methods["other"] || !methods[http.MethodPut] {
		t.Errorf("method labels %v: want other and PUT", methods)
	}
}
