package mockidp

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// controlPlane serves /_mock/: JSON in and out. With an admin token set,
// every call but health needs "Authorization: Bearer <token>".
func (s *Server) controlPlane() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc, methods ...string) {
		mux.Handle(pattern, allow(h, methods...))
	}
	get, post, del := http.MethodGet, http.MethodPost, http.MethodDelete

	route("/_mock/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}, get, http.MethodHead)
	route("/_mock/keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.KeysState())
	}, get)
	route("/_mock/keys/rotate", s.ctlRotate, post)
	route("/_mock/keys/revoke", s.ctlRevoke, post)
	route("/_mock/tokens", s.ctlMint, post)
	route("/_mock/clients", s.ctlClients, get, post)
	route("/_mock/clients/{id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, http.StatusNoContent, nil, s.RemoveClient(r.PathValue("id")))
	}, del)
	route("/_mock/access-keys", s.ctlAccessKeys, get, post)
	route("/_mock/access-keys/{id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, http.StatusNoContent, nil, s.RemoveAccessKey(r.PathValue("id")))
	}, del)
	route("/_mock/faults", s.ctlFaults, get, post, del)
	route("/_mock/jwks-cache", s.ctlJWKSCache, get, http.MethodPut)
	route("/_mock/requests", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == del {
			s.ClearRequests()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, s.Requests())
	}, get, del)
	route("/_mock/clock", s.ctlClock, get, http.MethodPut)
	route("/_mock/clock/advance", s.ctlAdvance, post)
	route("/_mock/reset", func(w http.ResponseWriter, r *http.Request) {
		respond(w, http.StatusOK, map[string]string{"status": "reset"}, s.Reset())
	}, post)
	s.sessionControlRoutes(route)
	mux.HandleFunc("/_mock/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, mockNotFound("no control-plane call %s %s", r.Method, truncate(r.URL.Path, 128)))
	})
	return s.requireAdmin(mux)
}

func (s *Server) requireAdmin(next http.Handler) http.Handler {
	if s.cfg.AdminToken == "" {
		return next
	}
	want := []byte("Bearer " + s.cfg.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_mock/health" {
			next.ServeHTTP(w, r)
			return
		}
		got := []byte(r.Header.Get("Authorization"))
		if len(got) > 7 && strings.EqualFold(string(got[:7]), "bearer ") {
			copy(got[:7], "Bearer ")
		}
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mockidp"`)
			writeError(w, &Error{Status: http.StatusUnauthorized, Code: CodeMockAuth, Description: "Unauthorized",
				Message: "the control plane needs Authorization: Bearer <admin token>"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// respond writes v with status, or the error.
func respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}

// decodeBody reads a JSON object into dst: unknown fields and trailing data
// are errors; an empty body leaves dst as it is when optional.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, dst any, optional bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e := tooLarge(s.cfg.MaxBodyBytes)
			e.Code = CodeTooLarge
			return e
		}
		return mockBadRequest("reading body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return mockBadRequest("a JSON body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return mockBadRequest("invalid JSON body: %s", describeJSONError(err, body, dst))
	}
	// Anything after the object but white space is an error; dec.More
	// would miss a stray ']' or '}'.
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return mockBadRequest("invalid JSON body: trailing data after the object at byte %d", dec.InputOffset())
	}
	return nil
}

func (s *Server) ctlRotate(w http.ResponseWriter, r *http.Request) {
	req := struct {
		Count int `json:"count"`
	}{Count: 1}
	if err := s.decodeBody(w, r, &req, true); err != nil {
		writeError(w, err)
		return
	}
	if err := s.RotateKeys(req.Count); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.KeysState())
}

func (s *Server) ctlRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Kid string `json:"kid"`
	}
	if err := s.decodeBody(w, r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	if req.Kid == "" {
		writeError(w, mockBadRequest("kid is required"))
		return
	}
	if err := s.RevokeKey(req.Kid); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.KeysState())
}

func (s *Server) ctlMint(w http.ResponseWriter, r *http.Request) {
	var req MintRequest
	if err := s.decodeBody(w, r, &req, true); err != nil {
		writeError(w, err)
		return
	}
	resp, err := s.mint(req, s.baseURL(r))
	if err == nil {
		// A minted token is a credential like any other: never cached.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
	}
	respond(w, http.StatusOK, resp, err)
}

func (s *Server) ctlClients(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		list := s.Clients()
		for i := range list {
			list[i].Secret = ""
		}
		writeJSON(w, http.StatusOK, map[string]any{"clients": list})
		return
	}
	var c Client
	if err := s.decodeBody(w, r, &c, false); err != nil {
		writeError(w, err)
		return
	}
	replaced, err := s.putClient(c)
	if err != nil {
		writeError(w, err)
		return
	}
	c.Secret = ""
	writeJSON(w, createdOrReplaced(replaced), c)
}

func (s *Server) ctlAccessKeys(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		list := s.AccessKeys()
		for i := range list {
			list[i].Secret = ""
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_keys": list})
		return
	}
	var k AccessKey
	if err := s.decodeBody(w, r, &k, false); err != nil {
		writeError(w, err)
		return
	}
	replaced, err := s.putAccessKey(k)
	if err != nil {
		writeError(w, err)
		return
	}
	k.Secret = ""
	writeJSON(w, createdOrReplaced(replaced), k)
}

// createdOrReplaced is the status of a POST that adds or replaces by ID:
// 201 for a new one, 200 when one with that ID was replaced.
func createdOrReplaced(replaced bool) int {
	if replaced {
		return http.StatusOK
	}
	return http.StatusCreated
}

func (s *Server) ctlFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	case http.MethodDelete:
		endpoint := r.URL.Query().Get("endpoint")
		if endpoint != "" && endpoint != "keys" && !contains(Endpoints, endpoint) {
			writeError(w, mockBadRequest("endpoint %q is not one of %v", truncate(endpoint, 64), Endpoints))
			return
		}
		s.ClearFaults(endpoint)
		w.WriteHeader(http.StatusNoContent)
	default:
		var f Fault
		if err := s.decodeBody(w, r, &f, false); err != nil {
			writeError(w, err)
			return
		}
		if err := s.InjectFault(f); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"faults": s.Faults()})
	}
}

func (s *Server) ctlJWKSCache(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var c JWKSCache
		if err := s.decodeBody(w, r, &c, false); err != nil {
			writeError(w, err)
			return
		}
		if err := s.SetJWKSCache(c); err != nil {
			writeError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, s.JWKSCacheSettings())
}

// ClockState is the mock's clock (wire type of /_mock/clock).
type ClockState struct {
	Now           time.Time `json:"now"`
	Unix          int64     `json:"unix"`
	Frozen        bool      `json:"frozen"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

func (s *Server) clockState() ClockState {
	now, frozen, offset := s.clock.State()
	return ClockState{Now: now.UTC(), Unix: now.Unix(), Frozen: frozen, OffsetSeconds: offset.Seconds()}
}

func (s *Server) ctlClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var req struct {
			Now    *TimeSpec `json:"now"`
			Frozen bool      `json:"frozen"`
		}
		if err := s.decodeBody(w, r, &req, false); err != nil {
			writeError(w, err)
			return
		}
		at := s.clock.Now()
		if req.Now != nil {
			at = time.Unix(req.Now.resolve(at), 0)
			if req.Now.At != nil {
				at = *req.Now.At
			}
		}
		s.clock.Set(at, req.Frozen)
	}
	writeJSON(w, http.StatusOK, s.clockState())
}

// Limits of POST /_mock/clock/advance: one step, and the clock's distance
// from real time (time.Duration overflows at about 292 years).
const (
	maxClockAdvance = 100 * 365 * 24 * time.Hour
	maxClockOffset  = 200 * 365 * 24 * time.Hour
)

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Seconds *float64  `json:"seconds"`
		By      *Duration `json:"by"`
	}
	if err := s.decodeBody(w, r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	var d time.Duration
	switch {
	case req.Seconds != nil && req.By != nil:
		writeError(w, mockBadRequest("give seconds or by, not both"))
		return
	case req.Seconds != nil:
		// Checked as a float: converting an out-of-range float to a
		// Duration gives an arbitrary value.
		if sec := *req.Seconds; !(math.Abs(sec) <= maxClockAdvance.Seconds()) {
			writeError(w, mockBadRequest("seconds must be between -%.0f and %.0f (100 years)", maxClockAdvance.Seconds(), maxClockAdvance.Seconds()))
			return
		}
		d = time.Duration(*req.Seconds * float64(time.Second))
	case req.By != nil:
		d = time.Duration(*req.By)
		if d > maxClockAdvance || d < -maxClockAdvance {
			writeError(w, mockBadRequest("by must be between -%s and %s (100 years)", maxClockAdvance, maxClockAdvance))
			return
		}
	default:
		writeError(w, mockBadRequest("seconds (a number) or by (a duration like \"90s\") is required"))
		return
	}
	// The clock's offset from real time is a Duration too: keep the sum far
	// from overflowing, which would wrap the clock centuries backwards.
	if _, _, off := s.clock.State(); (d > 0 && off > maxClockOffset-d) || (d < 0 && off < -maxClockOffset-d) {
		writeError(w, mockBadRequest("advancing by %s would move the clock more than 200 years from real time", d))
		return
	}
	s.clock.Advance(d)
	writeJSON(w, http.StatusOK, s.clockState())
}
