// How to add an endpoint
//
// Every route of the mock is one line in Server.routes below:
//
//	rt.surface(pattern, endpoint, handler, methods...) // Descope's API: /oauth2/v1, /v1/auth, /v1/mgmt, keys, discovery
//	rt.control(pattern, handler, methods...)           // the mock's control plane: /_mock/...
//
//   - pattern is a net/http ServeMux pattern without a method ("/v1/auth/refresh",
//     "/v2/keys/{pid}"). A {pid} wildcard is checked by the router: a request
//     naming another project gets Descope's 404 before the handler runs, so a
//     handler never checks it.
//   - endpoint names the route for request counters (/_mock/requests), faults
//     (/_mock/faults) and the mockidp_requests_total metric. Several routes may
//     share one name. A new name gets an Endpoint* constant and an entry in
//     Endpoints below; counters, faults and metrics are built from that list.
//     An endpoint of "" is served but not counted and takes no faults.
//   - handler has the one shape of every handler, handlerFunc: it either
//     writes a success response and returns the status it wrote (writeJSON,
//     writeBytes and writeBody return it), or writes nothing and returns an
//     error. The router writes errors with writeError, the one writer of
//     failures: an *Error (built with badRequest, badClient, notFound,
//     mockBadRequest, ...) keeps its status and Descope error code; any other
//     error becomes a 500 whose detail is not revealed.
//   - methods are the methods allowed; others get a 405 with Allow. None
//     means any method.
//
// Nothing else is needed: the router also serves every pattern that is a
// literal path once {pid} is the project ID from an exact-path map, without
// the pattern matcher, and answers paths that path cleaning would change
// ("..", ".") with a JSON 404 before any route. Bounds a new endpoint needs
// (bodies, counts, token size) are in limits.go.
//
// Surface handlers live in files named for Descope's API area: oauth_*.go
// (OAuth 2.0 / OpenID Connect: discovery, key sets, token, userinfo),
// auth_*.go (/v1/auth), mgmt_*.go (/v1/mgmt) and control_*.go (/_mock).
// Control-plane handlers read JSON bodies with s.decodeBody.

package mockidp

import (
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// Endpoint names, used by request counters, faults and metrics.
const (
	EndpointDiscovery = "discovery"
	EndpointJWKS      = "jwks"
	EndpointToken     = "token"
	EndpointExchange  = "exchange"
	EndpointUserinfo  = "userinfo"
	EndpointLicense   = "license"

	EndpointRefresh      = "refresh"        // POST /v1/auth/refresh, /v1/auth/try-refresh
	EndpointLogout       = "logout"         // POST /v1/auth/logout, /v1/auth/logoutall
	EndpointTenantSelect = "tenant_select"  // POST /v1/auth/tenant/select
	EndpointMe           = "me"             // GET /v1/auth/me, /v1/auth/me/history, POST /v1/auth/me/tenants
	EndpointVerify       = "verify"         // OTP, magic-link and enchanted-link verify, pending session
	EndpointSignIn       = "signin"         // sign-in and sign-up start: OTP, magic link, enchanted link, password
	EndpointMgmtUser     = "mgmt_user"      // /v1/mgmt/user/..., /v1/mgmt/users/load, /v2/mgmt/user/search...
	EndpointMgmtTest     = "mgmt_test"      // /v1/mgmt/tests/generate/...
	EndpointMgmtJWT      = "mgmt_jwt"       // /v1/mgmt/auth/..., /v1/mgmt/jwt/update
	EndpointMgmtRole     = "mgmt_role"      // /v1/mgmt/role/..., /v1/mgmt/permission/...
	EndpointMgmtTenant   = "mgmt_tenant"    // /v1/mgmt/tenant...
	EndpointMgmtKey      = "mgmt_accesskey" // /v1/mgmt/accesskey...

	EndpointAuthorize  = "authorize"   // /oauth2/v1[/apps]/authorize
	EndpointEndSession = "end_session" // /oauth2/v1[/apps]/logout
	EndpointRevoke     = "revoke"      // /oauth2/v1[/apps]/revoke

	EndpointFlow      = "flow"       // POST /v1/flow/start, /v1/flow/next
	EndpointFlowPages = "flow_pages" // GET /pages/{pid}/v2-beta/{file}: config.json, theme.json, screens
)

// Endpoints lists every endpoint name of the Descope surface.
var Endpoints = []string{EndpointDiscovery, EndpointJWKS, EndpointToken, EndpointExchange, EndpointUserinfo, EndpointLicense,
	EndpointRefresh, EndpointLogout, EndpointTenantSelect, EndpointMe, EndpointVerify, EndpointSignIn, EndpointMgmtUser, EndpointMgmtTest, EndpointMgmtJWT,
	EndpointMgmtRole, EndpointMgmtTenant, EndpointMgmtKey,
	EndpointAuthorize, EndpointEndSession, EndpointRevoke, EndpointFlow, EndpointFlowPages}

// handlerFunc is the shape of every handler: it writes a success response
// and returns its status, or returns an error and writes nothing (the router
// writes it with writeError).
type handlerFunc func(w http.ResponseWriter, r *http.Request) (int, error)

func (s *Server) routes() http.Handler {
	rt := newRouter(s)
	get := []string{http.MethodGet, http.MethodHead}
	post := []string{http.MethodPost}
	del := []string{http.MethodDelete}

	// OAuth 2.0 / OpenID Connect (oauth_*.go).
	rt.surface("/{pid}/.well-known/openid-configuration", EndpointDiscovery, s.handleDiscovery(IssuerURL), get...)
	rt.surface("/{pid}/.well-known/oauth-authorization-server", EndpointDiscovery, s.handleDiscovery(IssuerURL), get...)
	rt.surface("/v1/apps/{pid}/.well-known/openid-configuration", EndpointDiscovery, s.handleDiscovery(IssuerApps), get...)
	rt.surface("/v1/apps/{pid}/.well-known/oauth-authorization-server", EndpointDiscovery, s.handleDiscovery(IssuerApps), get...)
	rt.surface("/{pid}/.well-known/jwks.json", EndpointJWKS, s.handleJWKS(false), get...)
	rt.surface("/v2/keys/{pid}", EndpointJWKS, s.handleJWKS(false), get...)
	rt.surface("/v1/keys/{pid}", EndpointJWKS, s.handleJWKS(true), get...)
	rt.surface("/oauth2/v1/token", EndpointToken, s.handleToken(""), post...)
	rt.surface("/oauth2/v1/apps/token", EndpointToken, s.handleToken(IssuerApps), post...)
	rt.surface("/oauth2/v1/apps/{pid}/token", EndpointToken, s.handleToken(IssuerApps), post...)
	rt.surface("/oauth2/v1/userinfo", EndpointUserinfo, s.handleUserinfo, http.MethodGet, http.MethodPost)
	// The inbound-apps discovery document advertises this one.
	rt.surface("/oauth2/v1/apps/userinfo", EndpointUserinfo, s.handleUserinfo, http.MethodGet, http.MethodPost)
	// User logins: authorization code with PKCE, end session, revocation
	// (oauth_authorize.go, oauth_logout.go, oauth_revoke.go).
	rt.surface("/oauth2/v1/authorize", EndpointAuthorize, s.handleAuthorize(IssuerURL), http.MethodGet, http.MethodPost)
	rt.surface("/oauth2/v1/apps/authorize", EndpointAuthorize, s.handleAuthorize(IssuerApps), http.MethodGet, http.MethodPost)
	rt.surface("/oauth2/v1/logout", EndpointEndSession, s.handleEndSession, http.MethodGet, http.MethodPost)
	rt.surface("/oauth2/v1/apps/logout", EndpointEndSession, s.handleEndSession, http.MethodGet, http.MethodPost)
	rt.surface("/oauth2/v1/revoke", EndpointRevoke, s.handleRevoke, post...)
	rt.surface("/oauth2/v1/apps/revoke", EndpointRevoke, s.handleRevoke, post...)

	// Descope's auth API, /v1/auth (auth_*.go).
	rt.surface("/v1/auth/accesskey/exchange", EndpointExchange, s.handleExchange, post...)
	// User sessions (auth_session.go) and the test-user verify calls (auth_verify.go).
	rt.surface("/v1/auth/refresh", EndpointRefresh, s.handleRefresh, post...)
	rt.surface("/v1/auth/try-refresh", EndpointRefresh, s.handleTryRefresh, post...)
	rt.surface("/v1/auth/logout", EndpointLogout, s.handleLogout(false), post...)
	rt.surface("/v1/auth/logoutall", EndpointLogout, s.handleLogout(true), post...)
	rt.surface("/v1/auth/tenant/select", EndpointTenantSelect, s.handleTenantSelect, post...)
	rt.surface("/v1/auth/me", EndpointMe, s.handleMe, get...)
	rt.surface("/v1/auth/me/tenants", EndpointMe, s.handleMeTenants, post...)
	rt.surface("/v1/auth/me/history", EndpointMe, s.handleMeHistory, get...)
	for _, m := range otpMethods {
		rt.surface("/v1/auth/otp/verify/"+m, EndpointVerify, s.handleOTPVerify(m), post...)
	}
	// Sign-in and sign-up start, OTP, magic link, enchanted link and
	// password (auth_signin.go, auth_password.go).
	s.signInRoutes(rt)
	rt.surface("/v1/auth/magiclink/verify", EndpointVerify, s.handleMagicLinkVerify, post...)
	rt.surface("/v1/auth/enchantedlink/verify", EndpointVerify, s.handleEnchantedLinkVerify, post...)
	rt.surface("/v1/auth/enchantedlink/pending-session", EndpointVerify, s.handlePendingSession, post...)
	// Flows for the <descope-wc> web component: the flow API and its
	// static files (flow_api.go, flow_pages.go).
	s.flowRoutes(rt)

	// Descope's management API, /v1/mgmt (mgmt_*.go).
	rt.surface("/v1/mgmt/license", EndpointLicense, s.handleLicense, get...)
	// Users (mgmt_users.go), test-user codes (mgmt_tests.go), tokens (mgmt_jwt.go).
	rt.surface("/v1/mgmt/user/create", EndpointMgmtUser, s.handleUserCreate(false), post...)
	rt.surface("/v1/mgmt/user/create/test", EndpointMgmtUser, s.handleUserCreate(true), post...)
	rt.surface("/v1/mgmt/user", EndpointMgmtUser, s.handleUserLoad, get...)
	rt.surface("/v1/mgmt/user/delete", EndpointMgmtUser, s.handleUserDelete, post...)
	rt.surface("/v1/mgmt/user/logout", EndpointMgmtUser, s.handleUserLogout, post...)
	rt.surface("/v1/mgmt/user/signin/embeddedlink", EndpointMgmtUser, s.handleEmbeddedLink, post...)
	rt.surface("/v1/mgmt/user/test/delete/all", EndpointMgmtUser, s.handleDeleteTestUsers, del...)
	// Batches and several users by ID (mgmt_user_batch.go).
	rt.surface("/v1/mgmt/user/create/batch", EndpointMgmtUser, s.handleUserCreateBatch, post...)
	rt.surface("/v1/mgmt/user/patch/batch", EndpointMgmtUser, s.handleUserPatchBatch, http.MethodPatch, http.MethodPost)
	rt.surface("/v1/mgmt/user/delete/batch", EndpointMgmtUser, s.handleUserDeleteBatch, post...)
	rt.surface("/v1/mgmt/users/load", EndpointMgmtUser, s.handleUsersLoad, post...)
	rt.surface("/v1/mgmt/user/search", EndpointMgmtUser, s.handleUserSearch(false), post...)
	rt.surface("/v2/mgmt/user/search", EndpointMgmtUser, s.handleUserSearch(false), post...)
	rt.surface("/v2/mgmt/user/search/test", EndpointMgmtUser, s.handleUserSearch(true), post...)
	// User writes (mgmt_user_update.go); role add and remove on both the v1
	// and v2 paths the SDKs have used.
	rt.surface("/v1/mgmt/user/update", EndpointMgmtUser, s.handleUserUpdate(), post...)
	rt.surface("/v1/mgmt/user/patch", EndpointMgmtUser, s.handleUserPatch(), http.MethodPatch, http.MethodPost)
	rt.surface("/v1/mgmt/user/update/status", EndpointMgmtUser, s.handleUserStatus(), post...)
	rt.surface("/v1/mgmt/user/update/loginid", EndpointMgmtUser, s.handleUserLoginID(), post...)
	rt.surface("/v1/mgmt/user/update/email", EndpointMgmtUser, s.handleUserContact(false), post...)
	rt.surface("/v1/mgmt/user/update/phone", EndpointMgmtUser, s.handleUserContact(true), post...)
	rt.surface("/v1/mgmt/user/update/name", EndpointMgmtUser, s.handleUserName(), post...)
	rt.surface("/v1/mgmt/user/update/picture", EndpointMgmtUser, s.handleUserPicture(), post...)
	rt.surface("/v1/mgmt/user/update/customAttribute", EndpointMgmtUser, s.handleUserCustomAttribute(), post...)
	rt.surface("/v1/mgmt/user/update/role/set", EndpointMgmtUser, s.handleUserRoles(roleSet), post...)
	rt.surface("/v1/mgmt/user/update/role/add", EndpointMgmtUser, s.handleUserRoles(roleAdd), post...)
	rt.surface("/v2/mgmt/user/update/role/add", EndpointMgmtUser, s.handleUserRoles(roleAdd), post...)
	rt.surface("/v1/mgmt/user/update/role/remove", EndpointMgmtUser, s.handleUserRoles(roleRemove), post...)
	rt.surface("/v2/mgmt/user/update/role/remove", EndpointMgmtUser, s.handleUserRoles(roleRemove), post...)
	rt.surface("/v1/mgmt/user/update/tenant/add", EndpointMgmtUser, s.handleUserTenant(true), post...)
	rt.surface("/v1/mgmt/user/update/tenant/remove", EndpointMgmtUser, s.handleUserTenant(false), post...)
	// Passwords (mgmt_user_password.go).
	rt.surface("/v1/mgmt/user/password/set/temporary", EndpointMgmtUser, s.handleUserSetPassword(passwordTemporary), post...)
	rt.surface("/v1/mgmt/user/password/set/active", EndpointMgmtUser, s.handleUserSetPassword(passwordActive), post...)
	rt.surface("/v1/mgmt/user/password/set", EndpointMgmtUser, s.handleUserSetPassword(passwordDeprecated), post...)
	rt.surface("/v1/mgmt/user/password/expire", EndpointMgmtUser, s.handleUserExpirePassword, post...)
	rt.surface("/v1/mgmt/tests/generate/otp", EndpointMgmtTest, s.handleGenerateOTP, post...)
	rt.surface("/v1/mgmt/tests/generate/magiclink", EndpointMgmtTest, s.handleGenerateLink(state.CodeMagicLink), post...)
	rt.surface("/v1/mgmt/tests/generate/enchantedlink", EndpointMgmtTest, s.handleGenerateLink(state.CodeEnchantedLink), post...)
	rt.surface("/v1/mgmt/auth/signin", EndpointMgmtJWT, s.handleMgmtAuth(mgmtSignIn), post...)
	rt.surface("/v1/mgmt/auth/signup", EndpointMgmtJWT, s.handleMgmtAuth(mgmtSignUp), post...)
	rt.surface("/v1/mgmt/auth/signup-in", EndpointMgmtJWT, s.handleMgmtAuth(mgmtSignUpOrIn), post...)
	rt.surface("/v1/mgmt/jwt/update", EndpointMgmtJWT, s.handleJWTUpdate, post...)
	// Impersonation (mgmt_impersonate.go).
	rt.surface("/v1/mgmt/impersonate", EndpointMgmtJWT, s.handleImpersonate(false), post...)
	rt.surface("/v1/mgmt/impersonate/stepup", EndpointMgmtJWT, s.handleImpersonate(true), post...)
	rt.surface("/v1/mgmt/stop/impersonation", EndpointMgmtJWT, s.handleStopImpersonation, post...)
	// Roles, permissions and tenants (mgmt_roles.go, mgmt_tenants.go).
	rt.surface("/v1/mgmt/role/create", EndpointMgmtRole, s.handleRoleCreate(), post...)
	rt.surface("/v1/mgmt/role/update", EndpointMgmtRole, s.handleRoleUpdate(), post...)
	rt.surface("/v1/mgmt/role/delete", EndpointMgmtRole, s.handleRoleDelete(), post...)
	rt.surface("/v1/mgmt/role/all", EndpointMgmtRole, s.handleRoleAll, get...)
	rt.surface("/v1/mgmt/role/search", EndpointMgmtRole, s.handleRoleSearch, post...)
	rt.surface("/v1/mgmt/permission/create", EndpointMgmtRole, s.handlePermissionCreate(), post...)
	rt.surface("/v1/mgmt/permission/update", EndpointMgmtRole, s.handlePermissionUpdate(), post...)
	rt.surface("/v1/mgmt/permission/delete", EndpointMgmtRole, s.handlePermissionDelete(), post...)
	rt.surface("/v1/mgmt/permission/all", EndpointMgmtRole, s.handlePermissionAll, get...)
	// Their batches, all or nothing (mgmt_roles_batch.go).
	rt.surface("/v1/mgmt/role/create/batch", EndpointMgmtRole, s.handleRoleBatch(false), post...)
	rt.surface("/v1/mgmt/role/update/batch", EndpointMgmtRole, s.handleRoleBatch(true), post...)
	rt.surface("/v1/mgmt/role/delete/batch", EndpointMgmtRole, s.handleRoleDeleteBatch, post...)
	rt.surface("/v1/mgmt/permission/create/batch", EndpointMgmtRole, s.handlePermissionBatch(false), post...)
	rt.surface("/v1/mgmt/permission/update/batch", EndpointMgmtRole, s.handlePermissionBatch(true), post...)
	rt.surface("/v1/mgmt/permission/delete/batch", EndpointMgmtRole, s.handlePermissionDeleteBatch, post...)
	rt.surface("/v1/mgmt/tenant/create", EndpointMgmtTenant, s.handleTenantCreate, post...)
	rt.surface("/v1/mgmt/tenant/update", EndpointMgmtTenant, s.handleTenantUpdate(), post...)
	rt.surface("/v1/mgmt/tenant/delete", EndpointMgmtTenant, s.handleTenantDelete(), post...)
	rt.surface("/v1/mgmt/tenant", EndpointMgmtTenant, s.handleTenantLoad, get...)
	rt.surface("/v1/mgmt/tenant/all", EndpointMgmtTenant, s.handleTenantAll, get...)
	rt.surface("/v1/mgmt/tenant/search", EndpointMgmtTenant, s.handleTenantSearch, post...)
	// Access keys for a service's customers (mgmt_accesskeys.go).
	rt.surface("/v1/mgmt/accesskey/create", EndpointMgmtKey, s.handleAccessKeyCreate, post...)
	rt.surface("/v1/mgmt/accesskey", EndpointMgmtKey, s.handleAccessKeyLoad, get...)
	rt.surface("/v1/mgmt/accesskey/search", EndpointMgmtKey, s.handleAccessKeySearch, post...)
	rt.surface("/v1/mgmt/accesskey/update", EndpointMgmtKey, s.handleAccessKeyUpdate, post...)
	rt.surface("/v1/mgmt/accesskey/activate", EndpointMgmtKey, s.handleAccessKeyState("activate"), post...)
	rt.surface("/v1/mgmt/accesskey/deactivate", EndpointMgmtKey, s.handleAccessKeyState("deactivate"), post...)
	rt.surface("/v1/mgmt/accesskey/delete", EndpointMgmtKey, s.handleAccessKeyState("delete"), post...)
	// Their batches and rotation (mgmt_accesskeys_batch.go).
	rt.surface("/v1/mgmt/accesskey/activate/batch", EndpointMgmtKey, s.handleAccessKeyBatch("activate"), post...)
	rt.surface("/v1/mgmt/accesskey/deactivate/batch", EndpointMgmtKey, s.handleAccessKeyBatch("deactivate"), post...)
	rt.surface("/v1/mgmt/accesskey/delete/batch", EndpointMgmtKey, s.handleAccessKeyBatch("delete"), post...)
	rt.surface("/v1/mgmt/accesskey/rotate", EndpointMgmtKey, s.handleAccessKeyRotate, post...)

	rt.surface("/metrics", "", plain(s.metrics.handler()), get...)
	rt.surface("/", "", handleNoRoute)

	// The mock's control plane, /_mock (control_*.go).
	rt.control("/_mock/health", s.ctlHealth, http.MethodGet, http.MethodHead)
	rt.control("/_mock/ca.pem", s.ctlCACert, http.MethodGet, http.MethodHead)
	rt.control("/_mock/keys", s.ctlKeys, get[0])
	rt.control("/_mock/keys/rotate", s.ctlRotate, post...)
	rt.control("/_mock/keys/revoke", s.ctlRevoke, post...)
	rt.control("/_mock/tokens", s.ctlMint, post...)
	rt.control("/_mock/clients", s.ctlClients, http.MethodGet, http.MethodPost)
	rt.control("/_mock/clients/{id}", s.ctlRemoveClient, del...)
	rt.control("/_mock/access-keys", s.ctlAccessKeys, http.MethodGet, http.MethodPost)
	rt.control("/_mock/access-keys/{id}", s.ctlRemoveAccessKey, del...)
	rt.control("/_mock/faults", s.ctlFaults, http.MethodGet, http.MethodPost, http.MethodDelete)
	rt.control("/_mock/jwks-cache", s.ctlJWKSCache, http.MethodGet, http.MethodPut)
	rt.control("/_mock/requests", s.ctlRequests, http.MethodGet, http.MethodDelete)
	rt.control("/_mock/clock", s.ctlClock, http.MethodGet, http.MethodPut)
	rt.control("/_mock/clock/advance", s.ctlAdvance, post...)
	rt.control("/_mock/reset", s.ctlReset, post...)
	rt.control("/_mock/outbox", s.ctlOutbox, http.MethodGet, http.MethodHead, http.MethodDelete)
	rt.control("/_mock/logins", s.ctlLogins, http.MethodGet, http.MethodPost, http.MethodDelete)
	// Users, roles and sessions (control_users.go, control_sessions.go).
	rt.control("/_mock/users", s.ctlUsers, http.MethodGet, http.MethodPost)
	rt.control("/_mock/users/{id}", s.ctlUser, http.MethodGet, http.MethodDelete)
	rt.control("/_mock/roles", s.ctlRoles, http.MethodGet, http.MethodPost)
	rt.control("/_mock/roles/{name}", s.ctlRole, del...)
	rt.control("/_mock/sessions", s.ctlSessions, http.MethodGet, http.MethodPost)
	rt.control("/_mock/sessions/revoke", s.ctlRevokeSessions, post...)
	rt.control("/_mock/", handleNoControlCall)
	return rt.handler()
}

func handleNoRoute(w http.ResponseWriter, r *http.Request) (int, error) {
	return 0, notFound("no route for %s %s", r.Method, r.URL.Path)
}

// plain adapts an http.Handler for a route whose endpoint is "": its status
// is not tracked, so it returns 0.
func plain(h http.Handler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		h.ServeHTTP(w, r)
		return 0, nil
	}
}

// router builds the mock's handler from its routes.
type router struct {
	s   *Server
	mux *http.ServeMux // the Descope surface
	ctl *http.ServeMux // /_mock/, behind the admin token
	// exact maps a request path to the handler the surface mux would pick
	// for it, for every pattern that is a literal path once {pid} is the
	// project ID, so that the hottest requests (key sets, discovery) skip
	// the pattern matcher. The mux keeps every route too: it serves every
	// other spelling of a path (routing_test.go checks both answer alike).
	exact map[string]http.Handler
}

func newRouter(s *Server) *router {
	return &router{s: s, mux: http.NewServeMux(), ctl: http.NewServeMux(), exact: map[string]http.Handler{}}
}

// surface adds a route of the Descope surface (see the top of this file).
func (rt *router) surface(pattern, endpoint string, h handlerFunc, methods ...string) {
	serve := rt.s.serveErrors(h)
	if len(methods) > 0 {
		serve = allowStatus(serve, methods...)
	}
	checked := serve
	if strings.Contains(pattern, "{pid}") {
		checked = rt.s.checkProject(serve)
	}
	rt.mux.Handle(pattern, rt.s.track(endpoint, checked))
	if path := strings.ReplaceAll(pattern, "{pid}", rt.s.project.ID); !strings.ContainsAny(path, "{}") && !strings.HasSuffix(path, "/") {
		rt.exact[path] = rt.s.track(endpoint, serve)
	}
}

// control adds a control-plane route (see the top of this file).
func (rt *router) control(pattern string, h handlerFunc, methods ...string) {
	serve := rt.s.serveErrors(h)
	if len(methods) > 0 {
		serve = allowStatus(serve, methods...)
	}
	rt.ctl.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r) }))
}

func (rt *router) handler() http.Handler {
	control := rt.s.requireAdmin(rt.ctl)
	uncleanControl := rt.s.requireAdmin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, mockNotFound("no control-plane call %s %s (a path with . or .. segments)", r.Method, truncate(r.URL.Path, 128)))
	}))
	exact, mux := rt.exact, rt.mux
	// The control plane is dispatched by prefix: its paths would otherwise
	// overlap the project-ID wildcard patterns of the surface.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawPath == "" {
			if h, ok := exact[r.URL.Path]; ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		if !cleanPath(r.URL.Path) {
			// ServeMux would answer these with an HTML redirect to the
			// cleaned path; Descope's clients get JSON, and no route is
			// reached by two spellings.
			if strings.HasPrefix(r.URL.Path, "/_mock/") {
				uncleanControl.ServeHTTP(w, r)
				return
			}
			writeError(w, notFound("no route for %s %s (a path with . or .. segments)", r.Method, truncate(r.URL.Path, 128)))
			return
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

// cleanPath reports whether p is what ServeMux's path cleaning leaves as it
// is: rooted, without "." or ".." segments (doubled slashes are collapsed
// before routing, in Server.ServeHTTP).
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// serveFunc serves a request and returns the HTTP status it answered with,
// so that request tracking needs no wrapper around the ResponseWriter.
type serveFunc func(w http.ResponseWriter, r *http.Request) int

// serveErrors writes a handler's error with writeError and logs the
// refusal at debug level with its code and reason (which never hold a
// credential: TestLogsHoldNoSecrets and TestSessionLogsHoldNoSecrets scan them).
func (s *Server) serveErrors(h handlerFunc) serveFunc {
	return func(w http.ResponseWriter, r *http.Request) int {
		status, err := h(w, r)
		if err != nil {
			e := asError(err)
			s.log.Debug("request refused", "path", r.URL.Path, "status", e.Status, "code", e.Code, "reason", e.Message)
			return writeError(w, e)
		}
		return status
	}
}

// checkProject answers 404 when the path's {pid} is not the project's ID.
func (s *Server) checkProject(h serveFunc) serveFunc {
	return func(w http.ResponseWriter, r *http.Request) int {
		if pid := r.PathValue("pid"); pid != s.project.ID {
			return writeError(w, notFound("project %q not found", truncate(pid, 64)))
		}
		return h(w, r)
	}
}

// allowStatus answers 405 with a Descope error body to methods not listed.
func allowStatus(h serveFunc, methods ...string) serveFunc {
	allowHeader := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) int {
		if slices.Contains(methods, r.Method) {
			return h(w, r)
		}
		w.Header().Set("Allow", allowHeader)
		return writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethod, Description: "Method not allowed", Message: r.Method + " is not allowed here; use " + allowHeader})
	}
}

// track counts and logs each request to an endpoint and applies any fault
// injected for it before the handler runs. An endpoint of "" is served as it is.
func (s *Server) track(endpoint string, h serveFunc) http.Handler {
	if endpoint == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r) })
	}
	log := s.requests.endpoint(endpoint)
	counters := s.metrics.requestsBy[endpoint]
	if log == nil || counters == nil {
		panic("mockidp: endpoint " + endpoint + " is not in Endpoints")
	}
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
