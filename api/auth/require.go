package auth

import (
	"errors"
	"net/http"
)

// errNoClaims means a Require* middleware ran without Middleware before it:
// a wiring bug, rendered as 500 so the route fails closed.
var errNoClaims = errors.New("auth: no claims in request context; Middleware must run first")

// RequireRole refuses (403) requests whose token lacks role at the top level
// or in the current tenant (dct).
func RequireRole(role string) func(http.Handler) http.Handler {
	return require("role", role, (*Claims).HasRole)
}

// RequirePermission refuses (403) requests whose token lacks permission p at
// the top level or in the current tenant (dct).
func RequirePermission(p string) func(http.Handler) http.Handler {
	return require("permission", p, (*Claims).HasPermission)
}

// RequireScope refuses (403, WWW-Authenticate error="insufficient_scope")
// requests whose token lacks scope s.
func RequireScope(s string) func(http.Handler) http.Handler {
	return require("scope", s, (*Claims).HasScope)
}

// RequireTenantRole refuses (403) requests whose current tenant (dct) lacks
// role; top-level roles do not count.
func RequireTenantRole(role string) func(http.Handler) http.Handler {
	return require("tenant role", role, (*Claims).HasTenantRole)
}

// RequireTenantPermission refuses (403) requests whose current tenant (dct)
// lacks permission p; top-level permissions do not count.
func RequireTenantPermission(p string) func(http.Handler) http.Handler {
	return require("tenant permission", p, (*Claims).HasTenantPermission)
}

func require(kind, name string, has func(*Claims, string) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := FromContext(r.Context())
			switch {
			case !ok:
				WriteError(w, r, errNoClaims)
			case !has(c, name):
				WriteError(w, r, &GrantError{Kind: kind, Name: name})
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}
