package mockidp

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// handleRevoke serves POST /oauth2/v1/revoke and /oauth2/v1/apps/revoke
// (RFC 7009): token and token_type_hint. A token issued to a confidential
// client is revoked only by that client, authenticated (RFC 7009 §2.1:
// without credentials 401 invalid_client); a public client's token needs
// no credentials (Descope documents none for the project form). Credentials
// sent must be valid, and the token must be the client's (else
// unauthorized_client). A token the mock does not know, or one already
// revoked, gets 200 as the RFC requires. Revoking a refresh token revokes its family and the access
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
	if claims, err := s.VerifyToken(req.Token); err == nil {
		owner, _ := claims["azp"].(string)
		c, known := s.state.Client(owner)
		if known && !c.Public && clientID == "" {
			return 0, oauthError(http.StatusUnauthorized, CodeBadClient, "invalid_client", "client authentication is required: the token was issued to a confidential client, which revokes it with its credentials (RFC 7009 §2.1)")
		}
		if claims["token_type"] == "access_token" {
			accessClient = owner
			if e, ok := claims["exp"].(json.Number); ok {
				if n, err := e.Int64(); err == nil {
					accessExp = time.Unix(n, 0)
				}
			}
		}
	}
	_, err = s.state.RevokeToken(req.Token, accessExp, accessClient, clientID)
	if errors.Is(err, state.ErrLimit) {
		return 0, limitError(err)
	}
	if err != nil {
		return 0, oauthError(http.StatusBadRequest, CodeBadClient, "unauthorized_client", "the token was not issued to client %q", truncate(clientID, 64))
	}
	w.Header()["Cache-Control"] = noStore
	return writeBytes(w, http.StatusOK, []byte("{}")), nil
}
