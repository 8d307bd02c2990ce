package mockidp

import (
	"net/http"
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

// serveFunc serves a request and returns the HTTP status it answered with,
// so that request tracking needs no wrapper around the ResponseWriter.
type serveFunc func(w http.ResponseWriter, r *http.Request) int

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	pid := s.project.ID
	// exact maps the request paths of the key-set and discovery endpoints
	// for this project to their handlers, so that the hottest requests skip
	// the pattern matcher. It holds only clean, unescaped paths whose
	// pattern below would match with {pid} = the project ID, so it picks
	// the handler the mux would pick; every other path goes to the mux.
	exact := map[string]http.Handler{}
	surface := func(pattern, endpoint string, h func(checkPID bool) serveFunc, methods ...string) {
		mux.Handle(pattern, s.track(endpoint, allowStatus(h(true), methods...)))
		if strings.Count(pattern, "{pid}") == 1 {
			if path := strings.Replace(pattern, "{pid}", pid, 1); !strings.Contains(path, "{") {
				exact[path] = s.track(endpoint, allowStatus(h(false), methods...))
			}
		}
	}
	plain := func(h http.HandlerFunc) func(bool) serveFunc {
		return func(bool) serveFunc { return recordStatus(h) }
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

	// The token paths are few and POSTed; they keep the pattern matcher
	// (its cost is nothing beside a signature).
	mux.Handle("/oauth2/v1/token", s.track(EndpointToken, allowStatus(recordStatus(s.handleToken("")), post...)))
	mux.Handle("/oauth2/v1/apps/token", s.track(EndpointToken, allowStatus(recordStatus(s.handleToken(IssuerApps)), post...)))
	mux.Handle("/oauth2/v1/apps/{pid}/token", s.track(EndpointToken, allowStatus(recordStatus(s.handleToken(IssuerApps)), post...)))
	surface("/v1/auth/accesskey/exchange", EndpointExchange, plain(s.handleExchange), post...)
	surface("/oauth2/v1/userinfo", EndpointUserinfo, plain(s.handleUserinfo), http.MethodGet, http.MethodPost)
	// The inbound-apps discovery document advertises this one.
	surface("/oauth2/v1/apps/userinfo", EndpointUserinfo, plain(s.handleUserinfo), http.MethodGet, http.MethodPost)
	surface("/v1/mgmt/license", EndpointLicense, plain(s.handleLicense), get...)

	// Discovery advertises these (as Descope's does); the mock implements
	// only the client-credentials grant, and says so instead of "no route".
	for _, p := range []string{"/oauth2/v1/authorize", "/oauth2/v1/logout", "/oauth2/v1/revoke",
		"/oauth2/v1/apps/authorize", "/oauth2/v1/apps/logout", "/oauth2/v1/apps/revoke"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, notFound("%s is advertised by discovery but mockidp implements only the client_credentials grant (token endpoint), userinfo and the access-key exchange", r.URL.Path))
		})
	}
	s.sessionRoutes(mux)
	mux.Handle("/metrics", allow(s.metrics.handler().ServeHTTP, get...))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound("no route for %s %s", r.Method, r.URL.Path))
	})
	control := s.controlPlane()
	// The control plane is dispatched by prefix: its paths would otherwise
	// overlap the project-ID wildcard patterns above.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawPath == "" {
			if h, ok := exact[r.URL.Path]; ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		if strings.HasPrefix(r.URL.Path, "/_mock/") {
			control.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/_mock" {
			// The control plane's mux would redirect this to /_mock/ with
			// an HTML body; answer as for any unknown call instead.
			r.URL.Path = "/_mock/"
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
		methodNotAllowed(w, r, allowHeader)
	}
}

// allowStatus is allow for a serveFunc.
func allowStatus(h serveFunc, methods ...string) serveFunc {
	allowHeader := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) int {
		for _, m := range methods {
			if r.Method == m {
				return h(w, r)
			}
		}
		return methodNotAllowed(w, r, allowHeader)
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowHeader string) int {
	w.Header().Set("Allow", allowHeader)
	return writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethod, Description: "Method not allowed", Message: r.Method + " is not allowed here; use " + allowHeader})
}

// recordStatus adapts a handler that does not report its status.
func recordStatus(h http.HandlerFunc) serveFunc {
	return func(w http.ResponseWriter, r *http.Request) int {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h(rec, r)
		return rec.status
	}
}

// track counts and logs each request to an endpoint and applies any fault
// injected for it before the handler runs.
func (s *Server) track(endpoint string, h serveFunc) http.Handler {
	log := s.requests.endpoint(endpoint)
	counters := s.metrics.requestsBy[endpoint]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var status int
		if f, ok := s.faults.take(endpoint); ok {
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			s.applyFault(rec, r, endpoint, f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r) }))
			status = rec.status
		} else {
			status = h(w, r)
		}
		s.requests.record(log, r, status, time.Since(start))
		counters.inc(status)
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
