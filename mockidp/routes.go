package mockidp

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Endpoint names, used by request counters, faults and metrics.
const (
	EndpointDiscovery = "discovery"
	EndpointJWKS      = "jwks"
	EndpointToken     = "token"
	EndpointExchange  = "exchange"
	EndpointUserinfo  = "userinfo"
	EndpointLicense   = "license"
)

// Endpoints lists every endpoint name of the Descope surface.
var Endpoints = []string{EndpointDiscovery, EndpointJWKS, EndpointToken, EndpointExchange, EndpointUserinfo, EndpointLicense}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	surface := func(pattern, endpoint string, h http.HandlerFunc, methods ...string) {
		mux.Handle(pattern, s.track(endpoint, allow(h, methods...)))
	}
	get := []string{http.MethodGet, http.MethodHead}
	post := []string{http.MethodPost}

	surface("/{pid}/.well-known/openid-configuration", EndpointDiscovery, s.handleDiscovery(IssuerURL), get...)
	surface("/{pid}/.well-known/oauth-authorization-server", EndpointDiscovery, s.handleDiscovery(IssuerURL), get...)
	surface("/v1/apps/{pid}/.well-known/openid-configuration", EndpointDiscovery, s.handleDiscovery(IssuerApps), get...)
	surface("/v1/apps/{pid}/.well-known/oauth-authorization-server", EndpointDiscovery, s.handleDiscovery(IssuerApps), get...)

	surface("/{pid}/.well-known/jwks.json", EndpointJWKS, s.handleJWKS(false), get...)
	surface("/v2/keys/{pid}", EndpointJWKS, s.handleJWKS(false), get...)
	surface("/v1/keys/{pid}", EndpointJWKS, s.handleJWKS(true), get...)

	surface("/oauth2/v1/token", EndpointToken, s.handleToken(""), post...)
	surface("/oauth2/v1/apps/token", EndpointToken, s.handleToken(IssuerApps), post...)
	surface("/oauth2/v1/apps/{pid}/token", EndpointToken, s.handleToken(IssuerApps), post...)
	surface("/v1/auth/accesskey/exchange", EndpointExchange, s.handleExchange, post...)
	surface("/oauth2/v1/userinfo", EndpointUserinfo, s.handleUserinfo, http.MethodGet, http.MethodPost)
	surface("/v1/mgmt/license", EndpointLicense, s.handleLicense, get...)

	mux.Handle("/metrics", allow(s.metrics.handler().ServeHTTP, get...))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound("no route for %s %s", r.Method, r.URL.Path))
	})
	control := s.controlPlane()
	// The control plane is dispatched by prefix: its paths would otherwise
	// overlap the project-ID wildcard patterns above.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_mock/") || r.URL.Path == "/_mock" {
			control.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// allow answers 405 with a Descope error body to methods not listed.
func allow(h http.HandlerFunc, methods ...string) http.HandlerFunc {
	allowHeader := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range methods {
			if r.Method == m {
				h(w, r)
				return
			}
		}
		w.Header().Set("Allow", allowHeader)
		writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethod, Description: "Method not allowed", Message: r.Method + " is not allowed here; use " + allowHeader})
	}
}

// track counts and logs each request to an endpoint and applies any fault
// injected for it before the handler runs.
func (s *Server) track(endpoint string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if f, ok := s.faults.take(endpoint); ok {
			s.applyFault(rec, r, endpoint, f, h)
		} else {
			h.ServeHTTP(rec, r)
		}
		s.requests.record(endpoint, r, rec.status, time.Since(start))
		s.metrics.requests.WithLabelValues(endpoint, statusClass(rec.status)).Inc()
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

func statusClass(code int) string {
	return strconv.Itoa(code)
}
