package mockidp

import (
	"strings"

	"github.com/descope-harness/harness/mockidp/issue"
)

// userinfoOfUser answers userinfo for a user access token of the OAuth
// endpoints (token_type access_token whose sub is a project user): sub and
// the user's current claims the token's scopes release (OIDC Core §5.3,
// §5.4), read from the directory, not the token. ok is false for any other
// token (client-credentials tokens keep getting their own claims). A
// revoked token, or one whose user is gone, is refused.
func (s *Server) userinfoOfUser(token string, claims map[string]any) (Claims, bool, error) {
	if claims["token_type"] != "access_token" {
		return nil, false, nil
	}
	sub, _ := claims["sub"].(string)
	if s.state.AccessRevoked(token) {
		return nil, true, badClient("invalid token: the token has been revoked")
	}
	u, found := s.state.UserByID(sub)
	if !found {
		if strings.HasPrefix(sub, "U") && claims["amr"] != nil {
			return nil, true, badClient("invalid token: its user no longer exists")
		}
		return nil, false, nil
	}
	scope, _ := claims["scope"].(string)
	out := Claims{"sub": u.ID}
	issue.ProfileClaims(out, u, strings.Fields(scope))
	return out, true, nil
}
