package mockidp

import (
	"encoding/json"
	"net/http"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// handleUserinfo serves GET|POST /oauth2/v1/userinfo: a Bearer access token
// signed by a published key and not expired gives its claims as flat JSON.
// Like Descope, a refusal carries no WWW-Authenticate header.
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
	w.Header().Set("Cache-Control", "no-store")
	if user, ok, err := s.userinfoOfUser(token, claims); ok || err != nil {
		if err != nil {
			return 0, err
		}
		return writeJSON(w, http.StatusOK, user), nil
	}
	return writeJSON(w, http.StatusOK, claims), nil
}

// VerifyToken checks a token's RS256 signature against the published keys
// and its exp/nbf against the mock's clock, and returns its claims.
func (s *Server) VerifyToken(token string) (map[string]any, error) {
	if len(token) > MaxTokenBytes {
		return nil, errText("token too large")
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, errText("malformed token")
	}
	kid := jws.Signatures[0].Header.KeyID
	key, ok := s.keys.Lookup(kid)
	if !ok {
		return nil, errUnknownKeyID
	}
	payload, err := jws.Verify(&key.Private.PublicKey)
	if err != nil {
		return nil, errText("invalid signature")
	}
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, errText("malformed claims")
	}
	now := s.clock.Now().Unix()
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		return nil, errText("missing exp")
	}
	if e, err := exp.Int64(); err != nil || now >= e {
		return nil, errText("token has expired")
	}
	if nbf, ok := claims["nbf"].(json.Number); ok {
		if n, err := nbf.Int64(); err != nil || now < n {
			return nil, errText("token is not yet valid")
		}
	}
	return claims, nil
}

type errText string

// errUnknownKeyID refuses a token whose kid is not in the key set.
const errUnknownKeyID = errText("unknown key id")

func (e errText) Error() string { return string(e) }
