package mockidp

import "net/http"

// Endpoint names of the user-session surface (request counters, faults, metrics).
const (
	EndpointRefresh      = "refresh"       // POST /v1/auth/refresh
	EndpointLogout       = "logout"        // POST /v1/auth/logout, /v1/auth/logoutall
	EndpointTenantSelect = "tenant_select" // POST /v1/auth/tenant/select
	EndpointMe           = "me"            // GET /v1/auth/me, POST /v1/auth/me/tenants
	EndpointVerify       = "verify"        // OTP, magic-link and enchanted-link verify, pending session
	EndpointMgmtUser     = "mgmt_user"     // /v1/mgmt/user/..., /v2/mgmt/user/search...
	EndpointMgmtTest     = "mgmt_test"     // /v1/mgmt/tests/generate/...
	EndpointMgmtJWT      = "mgmt_jwt"      // /v1/mgmt/auth/..., /v1/mgmt/jwt/update
)

func init() {
	Endpoints = append(Endpoints, EndpointRefresh, EndpointLogout, EndpointTenantSelect, EndpointMe, EndpointVerify,
		EndpointMgmtUser, EndpointMgmtTest, EndpointMgmtJWT)
}

// errorHandler is a handler that returns its failure to the one writer.
type errorHandler func(w http.ResponseWriter, r *http.Request) error

// serve adapts an errorHandler to a serveFunc; a refusal is logged at
// debug level with its code and reason, which never hold a credential.
func (s *Server) serve(endpoint string, h errorHandler) serveFunc {
	return func(w http.ResponseWriter, r *http.Request) int {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if err := h(rec, r); err != nil {
			e := asError(err)
			s.log.Debug("request refused", "endpoint", endpoint, "status", e.Status, "code", e.Code, "reason", e.Message)
			return writeError(rec, e)
		}
		return rec.status
	}
}

// sessionRoutes registers the user-session, test-user and management endpoints.
func (s *Server) sessionRoutes(mux *http.ServeMux) {
	handle := func(pattern, endpoint string, h errorHandler, methods ...string) {
		mux.Handle(pattern, s.track(endpoint, allowStatus(s.serve(endpoint, h), methods...)))
	}
	post, get, del := http.MethodPost, http.MethodGet, http.MethodDelete

	handle("/v1/auth/refresh", EndpointRefresh, s.handleRefresh, post)
	handle("/v1/auth/logout", EndpointLogout, s.handleLogout(false), post)
	handle("/v1/auth/logoutall", EndpointLogout, s.handleLogout(true), post)
	handle("/v1/auth/tenant/select", EndpointTenantSelect, s.handleTenantSelect, post)
	handle("/v1/auth/me", EndpointMe, s.handleMe, get)
	handle("/v1/auth/me/tenants", EndpointMe, s.handleMeTenants, post)
	for _, m := range deliveryMethods {
		handle("/v1/auth/otp/verify/"+m, EndpointVerify, s.handleOTPVerify(m), post)
	}
	handle("/v1/auth/magiclink/verify", EndpointVerify, s.handleMagicLinkVerify, post)
	handle("/v1/auth/enchantedlink/verify", EndpointVerify, s.handleEnchantedLinkVerify, post)
	handle("/v1/auth/enchantedlink/pending-session", EndpointVerify, s.handlePendingSession, post)

	handle("/v1/mgmt/user/create", EndpointMgmtUser, s.handleUserCreate(false), post)
	handle("/v1/mgmt/user/create/test", EndpointMgmtUser, s.handleUserCreate(true), post)
	handle("/v1/mgmt/user", EndpointMgmtUser, s.handleUserLoad, get)
	handle("/v1/mgmt/user/delete", EndpointMgmtUser, s.handleUserDelete, post)
	handle("/v1/mgmt/user/test/delete/all", EndpointMgmtUser, s.handleDeleteTestUsers, del)
	handle("/v2/mgmt/user/search", EndpointMgmtUser, s.handleUserSearch(false), post)
	handle("/v2/mgmt/user/search/test", EndpointMgmtUser, s.handleUserSearch(true), post)
	handle("/v1/mgmt/tests/generate/otp", EndpointMgmtTest, s.handleGenerateOTP, post)
	handle("/v1/mgmt/tests/generate/magiclink", EndpointMgmtTest, s.handleGenerateLink(codeMagicLink), post)
	handle("/v1/mgmt/tests/generate/enchantedlink", EndpointMgmtTest, s.handleGenerateLink(codeEnchantedLink), post)
	handle("/v1/mgmt/auth/signin", EndpointMgmtJWT, s.handleMgmtAuth(mgmtSignIn), post)
	handle("/v1/mgmt/auth/signup", EndpointMgmtJWT, s.handleMgmtAuth(mgmtSignUp), post)
	handle("/v1/mgmt/auth/signup-in", EndpointMgmtJWT, s.handleMgmtAuth(mgmtSignUpOrIn), post)
	handle("/v1/mgmt/jwt/update", EndpointMgmtJWT, s.handleJWTUpdate, post)
}

// sessionControlRoutes registers the control-plane calls for users, roles and sessions.
func (s *Server) sessionControlRoutes(route func(pattern string, h http.HandlerFunc, methods ...string)) {
	adapt := func(h errorHandler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				writeError(w, err)
			}
		}
	}
	get, post, del := http.MethodGet, http.MethodPost, http.MethodDelete
	route("/_mock/users", adapt(s.ctlUsers), get, post)
	route("/_mock/users/{id}", adapt(s.ctlUser), get, del)
	route("/_mock/roles", adapt(s.ctlRoles), get, post)
	route("/_mock/roles/{name}", adapt(s.ctlRole), del)
	route("/_mock/sessions", adapt(s.ctlSessions), get, post)
	route("/_mock/sessions/revoke", adapt(s.ctlRevokeSessions), post)
}
