package mockidp

import (
	"net/http"
	"sync"
	"time"
)

// requestLog counts requests per endpoint and keeps a bounded ring of recent
// ones. Each endpoint has its own lock, so endpoints never contend.
type requestLog struct {
	size      int
	now       func() time.Time
	endpoints map[string]*endpointLog // one per name in Endpoints; never changes
}

// endpointLog is one endpoint's counter and ring of recent requests.
type endpointLog struct {
	mu    sync.Mutex
	count int
	ring  []RequestRecord // grows to size, then overwritten in place
	next  int             // once full, the index of the oldest record (the next to overwrite)
}

func newRequestLog(size int, now func() time.Time) *requestLog {
	l := &requestLog{size: size, now: now, endpoints: make(map[string]*endpointLog, len(Endpoints))}
	for _, e := range Endpoints {
		l.endpoints[e] = &endpointLog{}
	}
	return l
}

// endpoint returns the log of a known endpoint name (nil otherwise).
func (l *requestLog) endpoint(name string) *endpointLog { return l.endpoints[name] }

// record logs one request to e.
func (l *requestLog) record(e *endpointLog, r *http.Request, status int, d time.Duration) {
	rec := RequestRecord{Time: l.now(), Method: r.Method, Path: truncate(r.URL.Path, 256), Status: status,
		DurationMS: float64(d.Microseconds()) / 1000, UserAgent: truncate(r.UserAgent(), 128)}
	e.mu.Lock()
	e.count++
	if len(e.ring) < l.size {
		e.ring = append(e.ring, rec)
	} else {
		e.ring[e.next] = rec
		e.next = (e.next + 1) % len(e.ring)
	}
	e.mu.Unlock()
}

func (l *requestLog) clear() {
	for _, e := range l.endpoints {
		e.mu.Lock()
		e.count, e.ring, e.next = 0, nil, 0
		e.mu.Unlock()
	}
}

func (l *requestLog) count(endpoint string) int {
	e := l.endpoints[endpoint]
	if e == nil {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}

func (l *requestLog) stats() RequestStats {
	st := RequestStats{Counts: map[string]int{}, Recent: map[string][]RequestRecord{}}
	for _, name := range Endpoints {
		e := l.endpoints[name]
		e.mu.Lock()
		st.Counts[name] = e.count
		recent := make([]RequestRecord, 0, len(e.ring))
		recent = append(recent, e.ring[e.next:]...) // oldest first
		recent = append(recent, e.ring[:e.next]...)
		st.Recent[name] = recent
		e.mu.Unlock()
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

func (s *Server) ctlRequests(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodDelete {
		s.ClearRequests()
		return noContent(w)
	}
	return writeJSON(w, http.StatusOK, s.Requests()), nil
}
