package mockidp

import (
	"net/http"
	"sync"
	"time"
)

// RequestRecord is one logged request (wire type).
type RequestRecord struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	UserAgent  string    `json:"user_agent,omitempty"`
}

// RequestStats is the request counters and recent requests per endpoint (wire type).
type RequestStats struct {
	Counts map[string]int             `json:"counts"`
	Recent map[string][]RequestRecord `json:"recent"`
}

// requestLog counts requests per endpoint and keeps a bounded ring of recent ones.
type requestLog struct {
	size int
	now  func() time.Time

	mu     sync.Mutex
	counts map[string]int
	recent map[string][]RequestRecord
}

func newRequestLog(size int, now func() time.Time) *requestLog {
	l := &requestLog{size: size, now: now}
	l.clear()
	return l
}

func (l *requestLog) record(endpoint string, r *http.Request, status int, d time.Duration) {
	rec := RequestRecord{Time: l.now(), Method: r.Method, Path: truncate(r.URL.Path, 256), Status: status,
		DurationMS: float64(d.Microseconds()) / 1000, UserAgent: truncate(r.UserAgent(), 128)}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[endpoint]++
	ring := l.recent[endpoint]
	if len(ring) >= l.size {
		copy(ring, ring[1:])
		ring = ring[:len(ring)-1]
	}
	l.recent[endpoint] = append(ring, rec)
}

func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts = map[string]int{}
	l.recent = map[string][]RequestRecord{}
}

func (l *requestLog) count(endpoint string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[endpoint]
}

func (l *requestLog) stats() RequestStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := RequestStats{Counts: map[string]int{}, Recent: map[string][]RequestRecord{}}
	for _, e := range Endpoints {
		st.Counts[e] = l.counts[e]
		st.Recent[e] = append([]RequestRecord{}, l.recent[e]...)
	}
	return st
}

// RequestCount is how many requests an endpoint (discovery, jwks, token,
// exchange, userinfo, license) received since start or the last ClearRequests.
func (s *Server) RequestCount(endpoint string) int {
	if endpoint == "keys" {
		endpoint = EndpointJWKS
	}
	return s.requests.count(endpoint)
}

// Requests returns the counters and recent requests of every endpoint.
func (s *Server) Requests() RequestStats { return s.requests.stats() }

// ClearRequests zeroes the counters and empties the request log.
func (s *Server) ClearRequests() { s.requests.clear() }
