// Package api is the protected HTTP API: the Go port of Descope's FastAPI
// example, built on gorilla/mux. Token validation comes from package
// api/auth; this package adds the routes, their handlers, the public/protected
// split, error rendering, request IDs, access logs, metrics and the
// interactive docs.
package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// Authenticator validates bearer tokens. *auth.Validator satisfies it.
type Authenticator interface {
	// Middleware authenticates the request and stores its *auth.Claims in
	// the context, or answers 401/503 itself.
	Middleware(next http.Handler) http.Handler
	// Ready reports whether signing keys are loaded.
	Ready() bool
}

// Config holds the dependencies of a Server. Zero values of optional fields
// are safe defaults.
type Config struct {
	// Auth (required) - validates bearer tokens on every non-public path.
	Auth Authenticator
	// ProjectID (optional, default "") - the Descope project ID shown by GET /.
	ProjectID string
	// DiscoveryURL (optional, default "") - the discovery URL shown by GET /.
	DiscoveryURL string
	// Logger (optional, default discards) - access and error logs. Wrap its
	// handler with LogHandler to get request IDs on every record.
	Logger *slog.Logger
	// Registry (optional, default a new registry) - where the HTTP metrics
	// are registered and what GET /metrics serves. Pass the registry given to
	// AuthMetrics to serve the authentication metrics too.
	Registry *prometheus.Registry
}

// Server is the API as an http.Handler.
type Server struct {
	auth         Authenticator
	projectID    string
	discoveryURL string
	logger       *slog.Logger
	metrics      *httpMetrics
	router       *mux.Router
	routeTable   []route
	publicPaths  map[string]bool
	handler      http.Handler
}

// New builds the API from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil {
		return nil, errors.New("api: config: Auth is required")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	registry := cfg.Registry
	if registry == nil {
		registry = prometheus.NewRegistry()
	}
	metrics, err := newHTTPMetrics(registry)
	if err != nil {
		return nil, err
	}
	s := &Server{
		auth:         cfg.Auth,
		projectID:    cfg.ProjectID,
		discoveryURL: cfg.DiscoveryURL,
		logger:       logger,
		metrics:      metrics,
		publicPaths:  make(map[string]bool),
	}
	s.routeTable = s.routes()
	for _, rt := range s.routeTable {
		if rt.public && !strings.Contains(rt.path, "{") {
			s.publicPaths[rt.path] = true
		}
	}
	s.router = s.newRouter(s.routeTable)
	s.handler = s.observe(s.recoverPanics(s.gate(s.router)))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// isPublic reports whether path is served without authentication: the
// public routes and the embedded docs assets, matched exactly.
func (s *Server) isPublic(path string) bool {
	if s.publicPaths[path] {
		return true
	}
	if name, ok := strings.CutPrefix(path, docsAssetPrefix); ok {
		_, known := docsAssets[name]
		return known
	}
	return false
}

// gate authenticates every request to a non-public path before routing, so
// an anonymous caller learns nothing about which routes exist.
func (s *Server) gate(next http.Handler) http.Handler {
	protected := s.auth.Middleware(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.isPublic(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}
