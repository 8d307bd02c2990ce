package api

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/descope-harness/harness/api/auth"
)

// routeMatch is gorilla/mux's match result.
type routeMatch = mux.RouteMatch

// route is one endpoint: where it lives, what it needs and what serves it.
// The OpenAPI document is checked against this table.
type route struct {
	method string
	path   string
	// public routes skip authentication.
	public bool
	// guard, when set, checks the caller's authorization (role, permission,
	// scope) before handler runs.
	guard   func(http.Handler) http.Handler
	handler http.Handler
}

// routes is the endpoint table of the API.
func (s *Server) routes() []route {
	return []route{
		{method: http.MethodGet, path: "/", public: true, handler: s.serve(s.handleRoot)},
		{method: http.MethodGet, path: "/health", public: true, handler: s.serve(handleHealth)},
		{method: http.MethodGet, path: "/ready", public: true, handler: http.HandlerFunc(s.handleReady)},
		{method: http.MethodGet, path: "/metrics", public: true, handler: s.metrics.handler()},
		{method: http.MethodGet, path: "/openapi.json", public: true, handler: http.HandlerFunc(s.handleOpenAPI)},
		{method: http.MethodGet, path: "/docs", public: true, handler: http.HandlerFunc(s.handleDocs)},
		{method: http.MethodGet, path: "/docs/assets/{file}", public: true, handler: http.HandlerFunc(s.handleDocsAsset)},

		{method: http.MethodGet, path: "/api/me", handler: s.serve(handleMe)},
		{method: http.MethodGet, path: "/api/claims", handler: s.serve(handleClaims)},
		{method: http.MethodGet, path: "/api/token-info", handler: s.serve(handleTokenInfo)},
		{method: http.MethodGet, path: "/api/profile", handler: s.serve(handleProfile)},
		{method: http.MethodGet, path: "/api/descope/roles", handler: s.serve(handleRoles)},
		{method: http.MethodGet, path: "/api/descope/permissions", handler: s.serve(handlePermissions)},
		{method: http.MethodGet, path: "/api/descope/tenants", handler: s.serve(handleTenants)},
		{method: http.MethodGet, path: "/api/admin/users", guard: auth.RequireRole("admin"), handler: s.serve(handleAdminUsers)},
		{method: http.MethodGet, path: "/api/admin/stats", guard: auth.RequireRole("admin"), handler: s.serve(handleAdminStats)},
		{method: http.MethodPost, path: "/api/users", guard: auth.RequirePermission("users.create"), handler: s.serve(handleCreateUser)},
		{method: http.MethodDelete, path: "/api/users/{user_id}", guard: auth.RequirePermission("users.delete"), handler: s.serve(handleDeleteUser)},
		{method: http.MethodGet, path: "/api/data", guard: auth.RequireScope("openid"), handler: s.serve(handleData)},
	}
}

// newRouter registers the routes on a gorilla/mux router whose 404 and 405
// answers go through writeError. GET routes answer HEAD too, as Starlette's do.
// It also fills s.static with the routes that have no path variables, and
// s.routeMetrics with every route's metric children.
func (s *Server) newRouter(routes []route) *mux.Router {
	r := mux.NewRouter()
	// Unclean paths (//api/me, /a/../api/me) are not redirected: they match
	// nothing, so they cannot slip past the public-path check.
	r.SkipClean(true)
	r.NotFoundHandler = s.serve(func(*http.Request) (any, error) { return nil, ErrNotFound })
	r.MethodNotAllowedHandler = s.serve(func(*http.Request) (any, error) { return nil, ErrMethodNotAllowed })
	s.static = make(map[string][]staticRoute)
	s.routeMetrics = make(map[string]*routeMetrics)
	type registered struct {
		mr      *mux.Route
		methods []string
		handler http.Handler
		metrics *routeMetrics
	}
	var static []registered
	for _, rt := range routes {
		h := rt.handler
		if rt.guard != nil {
			h = rt.guard(h)
		}
		methods := []string{rt.method}
		if rt.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		rm := s.metrics.newRouteMetrics(rt.path, methods)
		s.routeMetrics[rt.path] = rm
		h = labelRoute(rm, h)
		mr := r.Handle(rt.path, h).Methods(methods...)
		if !strings.Contains(rt.path, "{") {
			static = append(static, registered{mr: mr, methods: methods, handler: h, metrics: rm})
		}
	}
	// A static route is served directly only where gorilla/mux itself picks
	// that route for its path and method, so the shortcut cannot change
	// which route answers.
	for _, st := range static {
		path, _ := st.mr.GetPathTemplate()
		for _, method := range st.methods {
			probe, err := http.NewRequest(method, path, nil)
			if err != nil {
				continue
			}
			var match mux.RouteMatch
			if r.Match(probe, &match) && match.MatchErr == nil && match.Route == st.mr {
				s.static[path] = append(s.static[path], staticRoute{method: method, handler: st.handler, metrics: st.metrics})
			}
		}
	}
	return r
}

// staticRoute is a route without path variables for one method: requests
// for exactly its path and method are served without gorilla/mux (whose
// regexp match and two request copies cost more than the handler).
type staticRoute struct {
	method  string
	handler http.Handler
	metrics *routeMetrics
}

// lookupStatic returns the static route for path and method, or nil.
func (s *Server) lookupStatic(path, method string) *staticRoute {
	routes := s.static[path]
	for i := range routes {
		if routes[i].method == method {
			return &routes[i]
		}
	}
	return nil
}

// dispatch serves r with the static route for its path and method, else
// through gorilla/mux (templated routes, 404 and 405).
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if rt := s.lookupStatic(r.URL.Path, r.Method); rt != nil {
		rt.handler.ServeHTTP(w, r)
		return
	}
	s.router.ServeHTTP(w, r)
}

// matchRoute returns the metrics of the route r matches, nil for none: for
// requests refused before routing (401, 503).
func (s *Server) matchRoute(r *http.Request) *routeMetrics {
	if rt := s.lookupStatic(r.URL.Path, r.Method); rt != nil {
		return rt.metrics
	}
	var match mux.RouteMatch
	if s.router.Match(r, &match) && match.MatchErr == nil && match.Route != nil {
		if tmpl, err := match.Route.GetPathTemplate(); err == nil {
			return s.routeMetrics[tmpl]
		}
	}
	return nil
}
