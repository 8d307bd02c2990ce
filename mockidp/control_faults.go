package mockidp

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// validateFault checks a fault and normalises its endpoint name.
func validateFault(f *Fault) error {
	if f.Endpoint == "keys" {
		f.Endpoint = EndpointJWKS
	}
	if !slices.Contains(Endpoints, f.Endpoint) {
		return mockBadRequest("endpoint %q is not one of %v (or keys)", truncate(f.Endpoint, 64), Endpoints)
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return mockBadRequest("status %d is not an error status (400 to 599)", f.Status)
	}
	if f.Latency < 0 || time.Duration(f.Latency) > 5*time.Minute {
		return mockBadRequest("latency must be between 0 and 5m")
	}
	if f.EmptyKeys && f.Endpoint != EndpointJWKS {
		return mockBadRequest("empty_keys applies to the jwks endpoint only")
	}
	if f.RetryAfter < 0 || f.Count < 0 {
		return mockBadRequest("retry_after and count must not be negative")
	}
	if f.Status == 0 && f.Latency == 0 && !f.EmptyKeys && !f.Malformed {
		return mockBadRequest("a fault needs at least one of status, latency, empty_keys, malformed")
	}
	return nil
}

// activeFault is a fault with the number of requests it still applies to (-1: until cleared).
type activeFault struct {
	Fault
	remaining int
}

type faultList struct {
	mu     sync.Mutex
	faults []*activeFault
	// active is len(faults), kept under mu, so that requests skip the lock
	// while no fault is injected (the common case).
	active atomic.Int32
}

// add adds f and answers it as listed, or refuses it past MaxFaults.
func (l *faultList) add(f Fault) (ActiveFault, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.faults) >= MaxFaults {
		return ActiveFault{}, atCapacity("faults in force", MaxFaults, "DELETE /_mock/faults clears them")
	}
	remaining := f.Count
	if remaining == 0 {
		remaining = -1
	}
	l.faults = append(l.faults, &activeFault{Fault: f, remaining: remaining})
	l.active.Store(int32(len(l.faults)))
	return ActiveFault{Fault: f, Remaining: remaining}, nil
}

// take returns the first fault for endpoint and uses up one of its requests.
func (l *faultList) take(endpoint string) (Fault, bool) {
	if l.active.Load() == 0 {
		return Fault{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.faults {
		if f.Endpoint != endpoint {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				l.faults = append(l.faults[:i:i], l.faults[i+1:]...)
				l.active.Store(int32(len(l.faults)))
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// clear removes the faults of one endpoint, or all when endpoint is empty.
func (l *faultList) clear(endpoint string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if endpoint == "" {
		l.faults = nil
		l.active.Store(0)
		return
	}
	kept := l.faults[:0]
	for _, f := range l.faults {
		if f.Endpoint != endpoint {
			kept = append(kept, f)
		}
	}
	l.faults = kept
	l.active.Store(int32(len(l.faults)))
}

func (l *faultList) list() []ActiveFault {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ActiveFault, 0, len(l.faults))
	for _, f := range l.faults {
		out = append(out, ActiveFault{Fault: f.Fault, Remaining: f.remaining})
	}
	return out
}

// InjectFault adds a fault; faults for the same endpoint apply in the order
// added. At most MaxFaults are in force.
func (s *Server) InjectFault(f Fault) error {
	_, err := s.injectFault(f)
	return err
}

func (s *Server) injectFault(f Fault) (ActiveFault, error) {
	if err := validateFault(&f); err != nil {
		return ActiveFault{}, err
	}
	return s.faults.add(f)
}

// ClearFaults removes the faults of one endpoint, or every fault when endpoint is "".
func (s *Server) ClearFaults(endpoint string) {
	if endpoint == "keys" {
		endpoint = EndpointJWKS
	}
	s.faults.clear(endpoint)
}

// Faults lists the faults in force.
func (s *Server) Faults() []ActiveFault { return s.faults.list() }

// applyFault misbehaves as f says, or passes to h when f only adds latency.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, endpoint string, f Fault, h http.Handler) {
	sleepCtx(r.Context(), time.Duration(f.Latency))
	switch {
	case f.Status == http.StatusTooManyRequests:
		// Descope's 429 always says when to come back.
		writeError(w, rateLimited(max(f.RetryAfter, 1)))
	case f.Status != 0:
		e := &Error{Status: f.Status, Code: CodeServerError, Description: "Injected fault", Message: fmt.Sprintf("mockidp fault: %s answers %d", endpoint, f.Status), RetryAfter: f.RetryAfter}
		writeError(w, e)
	case f.Malformed:
		writeBytes(w, http.StatusOK, []byte(`{"keys":[{"kty":"RSA",`))
	case f.EmptyKeys:
		if r.URL.Path != "" && len(r.URL.Path) > 8 && r.URL.Path[:8] == "/v1/keys" {
			writeBytes(w, http.StatusOK, []byte(`[]`))
			return
		}
		writeBytes(w, http.StatusOK, []byte(`{"keys":[]}`))
	default:
		h.ServeHTTP(w, r)
	}
}

func (s *Server) ctlFaults(w http.ResponseWriter, r *http.Request) (int, error) {
	switch r.Method {
	case http.MethodGet:
		return writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()}), nil
	case http.MethodDelete:
		endpoint := r.URL.Query().Get("endpoint")
		if endpoint != "" && endpoint != "keys" && !slices.Contains(Endpoints, endpoint) {
			return 0, mockBadRequest("endpoint %q is not one of %v", truncate(endpoint, 64), Endpoints)
		}
		s.ClearFaults(endpoint)
		return noContent(w)
	default:
		var f Fault
		if err := s.decodeBody(w, r, &f, false); err != nil {
			return 0, err
		}
		added, err := s.injectFault(f)
		if err != nil {
			return 0, err
		}
		// The fault added, not the list: the answer stays small however
		// many are in force (GET lists them).
		return writeJSON(w, http.StatusCreated, added), nil
	}
}
