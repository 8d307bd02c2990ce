package api

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/descope-harness/harness/api/auth"
)

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
func (s *Server) newRouter(routes []route) *mux.Router {
	r := mux.NewRouter()
	// Unclean paths (//api/me, /a/../api/me) are not redirected: they match
	// nothing, so they cannot slip past the public-path check, and they get
	// the JSON 404 instead of a redirect.
	r.SkipClean(true)
	r.NotFoundHandler = s.serve(func(*http.Request) (any, error) { return nil, ErrNotFound })
	r.MethodNotAllowedHandler = s.serve(func(*http.Request) (any, error) { return nil, ErrMethodNotAllowed })
	for _, rt := range routes {
		h := rt.handler
		if rt.guard != nil {
			h = rt.guard(h)
		}
		methods := []string{rt.method}
		if rt.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		r.Handle(rt.path, h).Methods(methods...)
	}
	return r
}

// routeTemplate is the template of the route r matches, for metrics and
// logs, or unmatchedRoute. It asks the router again because a request
// refused before routing (401, 503) has a route too.
func (s *Server) routeTemplate(r *http.Request) string {
	var match mux.RouteMatch
	if s.router.Match(r, &match) && match.MatchErr == nil && match.Route != nil {
		if tmpl, err := match.Route.GetPathTemplate(); err == nil {
			return tmpl
		}
	}
	return unmatchedRoute
}
