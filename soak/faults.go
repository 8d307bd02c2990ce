package soak

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// keySetFaults sits in front of the mock. For a FaultRate share of key-set
// requests it arms one of the mock's own faults (count 1: a 500, a latency
// longer than the API's fetch timeout, or an empty key set) just before
// passing the request on. Key-set requests are serialised so that the armed
// fault is the one this request takes. It also remembers the newest key
// delivered by a key-set response that carried no fault.
type keySetFaults struct {
	mock    *mockidp.Server
	timeout time.Duration
	baseURL string

	serial sync.Mutex // one key-set request at a time

	mu        sync.Mutex // guards the fields below
	rate      float64    // 0 while the figures are measured
	rnd       *rand.Rand
	requests  int64
	counts    map[string]int64
	delivered string
}

func isKeySetPath(p string) bool {
	return strings.HasSuffix(p, "/.well-known/jwks.json") || strings.HasPrefix(p, "/v2/keys/") || strings.HasPrefix(p, "/v1/keys/")
}

func (f *keySetFaults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isKeySetPath(r.URL.Path) {
		f.mock.ServeHTTP(w, r)
		return
	}
	f.serial.Lock()
	defer f.serial.Unlock()

	f.mu.Lock()
	f.requests++
	kind := ""
	if f.rnd.Float64() < f.rate {
		kind = []string{"status_500", "timeout", "empty_keys"}[f.rnd.IntN(3)]
		f.counts[kind]++
	}
	f.mu.Unlock()

	fault := mockidp.Fault{Endpoint: mockidp.EndpointJWKS, Count: 1}
	switch kind {
	case "status_500":
		fault.Status = http.StatusInternalServerError
	case "timeout":
		fault.Latency = mockidp.Duration(f.timeout)
	case "empty_keys":
		fault.EmptyKeys = true
	}
	if kind == "" {
		// Served from a snapshot at least this new: its current key is
		// published in the response (it takes Keep rotations to leave).
		current := f.mock.Keys().Current().ID
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		f.mock.ServeHTTP(rec, r)
		if rec.status == http.StatusOK {
			f.mu.Lock()
			f.delivered = current
			f.mu.Unlock()
		}
		return
	}
	if err := f.mock.InjectFault(fault); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.mock.ServeHTTP(w, r)
}

// deliveredKid is the newest key a fault-free key-set response carried.
func (f *keySetFaults) deliveredKid() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delivered
}

func (f *keySetFaults) figures() (int64, map[string]int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	counts := make(map[string]int64, len(f.counts))
	for k, v := range f.counts {
		counts[k] = v
	}
	return f.requests, counts
}

// setRate changes the share of key-set requests that fail.
func (f *keySetFaults) setRate(rate float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate = rate
}

func (f *keySetFaults) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = 0
	f.counts = map[string]int64{}
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
