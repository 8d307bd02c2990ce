package mockidp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// generateRequest is the body of /v1/mgmt/tests/generate/* (wire type; GO
// generate*ForTestUserRequestBody). All three SDKs send the link's base as
// URI; Descope's OpenAPI names it redirectUrl, which is accepted too.
type generateRequest struct {
	LoginID        string `json:"loginId"`
	DeliveryMethod string `json:"deliveryMethod"`
	URI            string `json:"URI"`
	RedirectURL    string `json:"redirectUrl"`
	LoginOptions   *struct {
		CustomClaims map[string]any `json:"customClaims"`
		Stepup       bool           `json:"stepup"`
		MFA          bool           `json:"mfa"`
	} `json:"loginOptions"`
}

// testUserFor finds the test user a generate call names. Descope generates
// codes for test users only (DOCS "Test users"); an ordinary user is refused.
func (s *Server) testUserFor(req generateRequest, needMethod bool) (User, state.PendingCode, error) {
	if req.LoginID == "" {
		return User{}, state.PendingCode{}, missingArgument("loginId")
	}
	if needMethod {
		if req.DeliveryMethod == "" {
			return User{}, state.PendingCode{}, missingArgument("deliveryMethod")
		}
		if !slices.Contains(deliveryMethods, req.DeliveryMethod) {
			return User{}, state.PendingCode{}, invalidArgument("deliveryMethod %q is not one of %s", truncate(req.DeliveryMethod, 32), strings.Join(deliveryMethods, ", "))
		}
	}
	u, ok := s.state.UserByLoginID(req.LoginID)
	if !ok {
		return User{}, state.PendingCode{}, mgmtUserNotFound(req.LoginID)
	}
	if !u.Test {
		return User{}, state.PendingCode{}, invalidArgument("user %q is not a test user: codes and links are generated for test users only", truncate(req.LoginID, 64))
	}
	method := req.DeliveryMethod
	if method == "" {
		method = "email"
	}
	c := state.PendingCode{UserID: u.ID, LoginID: req.LoginID, Method: method,
		Expires: s.clock.Now().Add(time.Duration(s.project.Sessions.CodeTTL)).Unix()}
	customBytes := 0
	if req.LoginOptions != nil {
		if req.LoginOptions.Stepup || req.LoginOptions.MFA {
			// The verify call that follows carries no session to extend.
			return User{}, state.PendingCode{}, invalidArgument("loginOptions.stepup and loginOptions.mfa extend a session: start the sign-in with the user's refresh JWT " +
				"(/v1/auth/otp/signin/{method}) or use /v1/mgmt/auth/signin with jwt")
		}
		if k := reservedCustomClaim(req.LoginOptions.CustomClaims); k != "" {
			return User{}, state.PendingCode{}, invalidArgument("loginOptions.customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
		}
		n, err := customClaimsBytes(req.LoginOptions.CustomClaims)
		if err != nil {
			return User{}, state.PendingCode{}, invalidArgument("loginOptions.customClaims: %v", err)
		}
		c.Custom, customBytes = req.LoginOptions.CustomClaims, n
	}
	c.Size = state.CodeSize(&c, customBytes)
	return u, c, nil
}

// handleGenerateOTP serves POST /v1/mgmt/tests/generate/otp
// {"loginId","deliveryMethod"}: {"loginId","code"}.
func (s *Server) handleGenerateOTP(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req generateRequest
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	_, c, err := s.testUserFor(req, true)
	if err != nil {
		return 0, err
	}
	stored, err := s.state.AddCode(c)
	if err != nil {
		return 0, stateError(err)
	}
	code := stored.Secret
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]string{"loginId": req.LoginID, "code": code}), nil
}

// handleGenerateLink serves POST /v1/mgmt/tests/generate/magiclink
// {"loginId","deliveryMethod","URI"}: {"loginId","link"}, and
// /v1/mgmt/tests/generate/enchantedlink {"loginId","URI"}:
// {"loginId","link","pendingRef"}. The link is URI with t={token} added to
// its query (without a URI, the mock's own /magiclink path).
func (s *Server) handleGenerateLink(kind state.CodeKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		var req generateRequest
		if err := s.decodeDescope(w, r, &req); err != nil {
			return 0, err
		}
		_, c, err := s.testUserFor(req, kind == state.CodeMagicLink)
		if err != nil {
			return 0, err
		}
		base := req.URI
		if base == "" {
			base = req.RedirectURL
		}
		if base == "" {
			base = s.baseURL(r) + "/magiclink"
		}
		link, err := url.Parse(base)
		if err != nil || !link.IsAbs() {
			return 0, invalidArgument("URI %q is not an absolute URL", truncate(base, 128))
		}
		c.Kind = kind
		stored, err := s.state.AddCode(c)
		if err != nil {
			return 0, stateError(err)
		}
		token, ref := stored.Secret, stored.PendingRef
		q := link.Query()
		q.Set("t", token)
		link.RawQuery = q.Encode()
		out := map[string]string{"loginId": req.LoginID, "link": link.String()}
		if kind == state.CodeEnchantedLink {
			out["pendingRef"] = ref
		}
		w.Header()["Cache-Control"] = noStore
		return writeJSON(w, http.StatusOK, out), nil
	}
}
