package mockidp

import (
	"encoding/json"
	"net/http"
	"time"
)

// handleRevoke serves POST /oauth2/v1/revoke and /oauth2/v1/apps/revoke
// (RFC 7009): token and token_type_hint. Client credentials are optional
// (Descope documents none for the project form); when sent they must be
// valid, and the token must be the client's (else unauthorized_client). A
// token the mock does not know, or one already revoked, gets 200 as the RFC
// requires. Revoking a refresh token revokes its family and the access
// tokens issued with it; revoking an access token makes userinfo refuse it.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := s.readTokenParams(w, r)
	if err != nil {
		return 0, err
	}
	switch {
	case req.Token == "":
		return 0, oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_request", "token is required")
	case len(req.Token) > MaxTokenBytes:
		return 0, oauthError(http.StatusBadRequest, CodeBadRequest, "invalid_request", "token is longer than %d bytes", MaxTokenBytes)
	}
	// token_type_hint is only a hint (RFC 7009 §2.1): the mock knows each
	// token's type from the token itself.
	clientID := ""
	if req.ClientID != "" {
		c, err := s.authenticateTokenClient(req)
		if err != nil {
			return 0, err
		}
		clientID = c.ID
	}
	var (
		accessClient string
		accessExp    time.Time
	)
	if claims, err := s.VerifyToken(req.Token); err == nil && claims["token_type"] == "access_token" {
		accessClient, _ = claims["azp"].(string)
		if e, ok := claims["exp"].(json.Number); ok {
			if n, err := e.Int64(); err == nil {
				accessExp = time.Unix(n, 0)
			}
		}
	}
	if _, err := s.oidc.ledger.revokeToken(req.Token, accessExp, accessClient, clientID); err != nil {
		return 0, oauthError(http.StatusBadRequest, CodeBadClient, "unauthorized_client", "the token was not issued to client %q", truncate(clientID, 64))
	}
	w.Header()["Cache-Control"] = noStore
	return writeBytes(w, http.StatusOK, []byte("{}")), nil
}
