package mockidp

import (
	"errors"
	"net/http"
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
		c, err := s.codes.takeOTP(method, body.LoginID, body.Code, s.clock.Now().Unix())
		if errors.Is(err, errCodeUnknown) {
			if _, ok := s.dir.byLoginID(body.LoginID); !ok {
				return 0, authUserNotFound(body.LoginID)
			}
		}
		if err != nil {
			return 0, codeError(err)
		}
		return s.loginWithCode(w, r, c)
	}
}

// loginWithCode starts a session for the user a used code belongs to,
// creating the user of a sign-up.
func (s *Server) loginWithCode(w http.ResponseWriter, r *http.Request, c pendingCode) (int, error) {
	is, u, err := s.sessionForCode(r, c)
	if err != nil {
		return 0, err
	}
	return s.writeSession(w, r, is, u, s.dir.firstLogin(u.ID), s.project.Sessions.TokenResponse)
}

// sessionForCode is loginWithCode's session, not yet written.
func (s *Server) sessionForCode(r *http.Request, c pendingCode) (issuedSession, User, error) {
	var u User
	ok := false
	if c.signUp != nil {
		var err error
		if u, ok, err = s.createSignedUp(c); err != nil {
			return issuedSession{}, User{}, err
		}
	} else {
		u, ok = s.dir.byUserID(c.userID)
	}
	if !ok {
		return issuedSession{}, User{}, authUserNotFound(c.loginID)
	}
	amr := c.amr
	if amr == nil {
		amr = amrOf(c.method)
	}
	tenant := c.tenant
	if tenant != "" && !u.HasTenant(tenant) {
		tenant = "" // the user left the tenant since
	}
	is, err := s.startSession(sessionParams{user: u, tenant: tenant, amr: amr, custom: c.custom, iss: s.issuer(s.project.IssuerForm, s.baseURL(r))})
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
	c, err := s.codes.takeLink(codeMagicLink, token, s.clock.Now().Unix())
	if err != nil {
		return 0, codeError(err)
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
	if _, err := s.codes.takeLink(codeEnchantedLink, token, s.clock.Now().Unix()); err != nil {
		return 0, codeError(err)
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
	c, err := s.codes.takePending(body.PendingRef, s.clock.Now().Unix())
	if err != nil {
		return 0, codeError(err)
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
