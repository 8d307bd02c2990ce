package mockidp

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// embeddedLinkRequest is the body of POST /v1/mgmt/user/signin/embeddedlink
// (wire type; GO mgmt/user.go GenerateEmbeddedLink: loginId, customClaims,
// timeout in seconds).
type embeddedLinkRequest struct {
	LoginID      string         `json:"loginId"`
	CustomClaims map[string]any `json:"customClaims"`
	Timeout      int64          `json:"timeout"`
}

// maxEmbeddedLinkTimeout bounds an embedded link's lifetime (mock's choice).
const maxEmbeddedLinkTimeout = 24 * 60 * 60

// handleEmbeddedLink serves POST /v1/mgmt/user/signin/embeddedlink: a
// single-use token for any existing user (not only test users), verified
// with POST /v1/auth/magiclink/verify, as the SDKs document it. The session
// it gives has amr ["email"] (mock's choice: Descope's amr for it is not in
// the SDKs). It expires after timeout seconds (default sessions.code_ttl).
func (s *Server) handleEmbeddedLink(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req embeddedLinkRequest
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	if req.LoginID == "" {
		return 0, missingArgument("loginId")
	}
	if req.Timeout < 0 || req.Timeout > maxEmbeddedLinkTimeout {
		return 0, invalidArgument("timeout must be 0 (the default, sessions.code_ttl) to %d seconds", maxEmbeddedLinkTimeout)
	}
	if k := reservedCustomClaim(req.CustomClaims); k != "" {
		return 0, invalidArgument("customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
	}
	customBytes := 0
	if len(req.CustomClaims) > 0 {
		b, _ := json.Marshal(req.CustomClaims) // decoded from JSON: encodes again
		if len(b) > MaxClaimsBytes {
			return 0, invalidArgument("customClaims is %d bytes as JSON, over the limit of %d (MaxClaimsBytes)", len(b), MaxClaimsBytes)
		}
		customBytes = len(b)
	}
	u, ok := s.state.UserByLoginID(req.LoginID)
	if !ok {
		return 0, mgmtUserNotFound(req.LoginID)
	}
	now := s.clock.Now()
	ttl := time.Duration(s.project.Sessions.CodeTTL)
	if req.Timeout > 0 {
		ttl = time.Duration(req.Timeout) * time.Second
	}
	c := state.PendingCode{Kind: state.CodeMagicLink, UserID: u.ID, LoginID: req.LoginID, Method: "email", Custom: req.CustomClaims, Expires: now.Add(ttl).Unix()}
	c.Size = state.CodeSize(&c, customBytes)
	stored, err := s.state.AddCode(c)
	if err != nil {
		return 0, stateError(err)
	}
	token := stored.Secret
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]string{"token": token}), nil
}
