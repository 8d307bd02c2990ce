package mockidp

import (
	"net/http"
	"strings"

	"github.com/descope-harness/harness/mockidp/issue"
)

// handleUserinfo serves GET|POST /oauth2/v1/userinfo: a Bearer access token
// signed by a published key, not expired and not revoked gives its claims
// as flat JSON. Only an access token (token_type access_token, no drn): OIDC
// Core §5.3 protects userinfo with "the Access Token obtained from an OpenID
// Connect Authentication Request", so an ID token, a refresh token and a
// Descope session or refresh JWT are refused. Like Descope, a refusal
// carries no WWW-Authenticate header.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) (int, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return 0, badClient("a Bearer access token is required")
	}
	token = strings.TrimSpace(token)
	claims, err := s.VerifyToken(token)
	if err != nil {
		return 0, badClient("invalid token: %v", err)
	}
	if kind := issue.Kind(claims); kind != issue.KindAccess {
		return 0, badClient("invalid token: userinfo takes an access token, not %s", kindName(kind))
	}
	w.Header().Set("Cache-Control", "no-store")
	if user, ok, err := s.userinfoOfUser(token, claims); ok || err != nil {
		if err != nil {
			return 0, err
		}
		return writeJSON(w, http.StatusOK, user), nil
	}
	return writeJSON(w, http.StatusOK, claims), nil
}

// kindName names a kind of token (issue.Kind) in a refusal.
func kindName(kind string) string {
	switch kind {
	case issue.KindID:
		return "an ID token"
	case issue.KindRefresh:
		return "a refresh token"
	case issue.KindSession:
		return "a Descope session JWT (drn DS)"
	case issue.KindSessionRefresh:
		return "a Descope refresh JWT (drn DSR)"
	}
	return "a token without token_type access_token"
}
