package mockidp

import (
	"errors"
	"net/http"

	"github.com/descope-harness/harness/mockidp/state"
)

// Delivery methods of OTP codes and magic links generated for test users.
var deliveryMethods = []string{"email", "sms", "voice", "whatsapp"}

// handleOTPVerify serves POST /v1/auth/otp/verify/{method} {"loginId","code"}:
// a code generated for a test user (single use, expiring on the mock's
// clock) gives a session and refresh JWT.
func (s *Server) handleOTPVerify(method string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		var body struct {
			LoginID string `json:"loginId"`
			Code    string `json:"code"`
		}
		if err := s.decodeDescope(w, r, &body); err != nil {
			return 0, err
		}
		if _, err := s.bearerParts(r, ""); err != nil {
			return 0, err
		}
		if body.LoginID == "" {
			return 0, missingArgument("loginId")
		}
		if body.Code == "" {
			return 0, missingArgument("code")
		}
		c, err := s.state.TakeOTP(method, body.LoginID, body.Code)
		if errors.Is(err, state.ErrCodeUnknown) {
			if _, ok := s.state.UserByLoginID(body.LoginID); !ok {
				return 0, authUserNotFound(body.LoginID)
			}
		}
		if err != nil {
			return 0, stateError(err)
		}
		return s.loginWithCode(w, r, c)
	}
}

// loginWithCode starts a session for the user a used code belongs to,
// creating the user of a sign-up.
func (s *Server) loginWithCode(w http.ResponseWriter, r *http.Request, c state.PendingCode) (int, error) {
	is, u, err := s.sessionForCode(r, c)
	if err != nil {
		return 0, err
	}
	return s.writeSession(w, r, is, u, s.state.FirstLogin(u.ID), s.project.Sessions.TokenResponse)
}

// sessionForCode is loginWithCode's session, not yet written.
func (s *Server) sessionForCode(r *http.Request, c state.PendingCode) (issuedSession, User, error) {
	var u User
	ok := false
	if c.SignUp != nil {
		var err error
		if u, ok, err = s.createSignedUp(c); err != nil {
			return issuedSession{}, User{}, err
		}
	} else {
		u, ok = s.state.UserByID(c.UserID)
	}
	if !ok {
		return issuedSession{}, User{}, authUserNotFound(c.LoginID)
	}
	amr := c.AMR
	if amr == nil {
		amr = amrOf(c.Method)
	}
	tenant := c.Tenant
	if tenant != "" && !u.HasTenant(tenant) {
		tenant = "" // the user left the tenant since
	}
	is, err := s.startSession(sessionParams{user: u, tenant: tenant, amr: amr, custom: c.Custom, iss: s.issuer(s.project.IssuerForm, s.baseURL(r))})
	if err != nil {
		return issuedSession{}, User{}, err
	}
	return is, u, nil
}

// handleMagicLinkVerify serves POST /v1/auth/magiclink/verify {"token"}.
func (s *Server) handleMagicLinkVerify(w http.ResponseWriter, r *http.Request) (int, error) {
	token, err := s.linkToken(w, r)
	if err != nil {
		return 0, err
	}
	c, err := s.state.TakeLink(state.CodeMagicLink, token)
	if err != nil {
		return 0, stateError(err)
	}
	return s.loginWithCode(w, r, c)
}

// handleEnchantedLinkVerify serves POST /v1/auth/enchantedlink/verify
// {"token"}: the link is clicked; the session goes to whoever polls its
// pending reference. The body is empty, as Descope's.
func (s *Server) handleEnchantedLinkVerify(w http.ResponseWriter, r *http.Request) (int, error) {
	token, err := s.linkToken(w, r)
	if err != nil {
		return 0, err
	}
	if _, err := s.state.TakeLink(state.CodeEnchantedLink, token); err != nil {
		return 0, stateError(err)
	}
	w.Header()["Cache-Control"] = noStore
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}

// handlePendingSession serves POST /v1/auth/enchantedlink/pending-session
// {"pendingRef"}: 401 E062503 until the link is verified, then the session
// once.
func (s *Server) handlePendingSession(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		PendingRef string `json:"pendingRef"`
	}
	if err := s.decodeDescope(w, r, &body); err != nil {
		return 0, err
	}
	if _, err := s.bearerParts(r, ""); err != nil {
		return 0, err
	}
	if body.PendingRef == "" {
		return 0, missingArgument("pendingRef")
	}
	c, err := s.state.TakePending(body.PendingRef)
	if err != nil {
		return 0, stateError(err)
	}
	return s.loginWithCode(w, r, c)
}

func (s *Server) linkToken(w http.ResponseWriter, r *http.Request) (string, error) {
	var body struct {
		Token string `json:"token"`
	}
	if err := s.decodeDescope(w, r, &body); err != nil {
		return "", err
	}
	if _, err := s.bearerParts(r, ""); err != nil {
		return "", err
	}
	if body.Token == "" {
		return "", missingArgument("token")
	}
	return body.Token, nil
}
