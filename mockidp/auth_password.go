package mockidp

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/descope-harness/harness/mockidp/state"
)

// CodeWrongPassword: password sign-in with a wrong password, or for a user
// without one (mock's choice: the code Descope answers is not in the SDKs).
const CodeWrongPassword = "E062901"

// minPasswordLen is the shortest password sign-up and the management API
// set (mock's choice; Descope's policy is a project setting, GET
// /v1/auth/password/policy). maxPasswordBytes bounds the longest (a user's
// password counts against the directory's bytes beside its JSON).
const minPasswordLen = 8

// checkPasswordLength refuses a password shorter or longer than the bounds.
func checkPasswordLength(p string) error {
	if len(p) < minPasswordLen || len(p) > maxPasswordBytes {
		return invalidArgument("password must be %d to %d bytes", minPasswordLen, maxPasswordBytes)
	}
	return nil
}

// handlePasswordSignUp serves POST /v1/auth/password/signup {"loginId",
// "password", "user", "loginOptions"} (core-js-sdk sdk/password): a new user
// with that password, signed in at once.
func (s *Server) handlePasswordSignUp(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := s.passwordRequest(w, r)
	if err != nil {
		return 0, err
	}
	if err := checkPasswordLength(req.Password); err != nil {
		return 0, err
	}
	if _, ok := s.state.UserByLoginID(req.LoginID); ok {
		return 0, userExists(req.LoginID)
	}
	nu := newSignUpUser(req)
	nu.Password = req.Password
	c := state.PendingCode{LoginID: req.LoginID, SignUp: nu, AMR: amrPassword}
	if req.LoginOptions != nil {
		c.Custom = req.LoginOptions.CustomClaims
	}
	return s.loginWithCode(w, r, c)
}

// handlePasswordSignIn serves POST /v1/auth/password/signin {"loginId",
// "password", "loginOptions"}: a session for a user whose password is the
// one sent (given in the project file, or at password sign-up).
func (s *Server) handlePasswordSignIn(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := s.passwordRequest(w, r)
	if err != nil {
		return 0, err
	}
	u, ok := s.state.UserByLoginID(req.LoginID)
	if !ok {
		return 0, authUserNotFound(req.LoginID)
	}
	if !samePassword(u.Password, req.Password) {
		return 0, descopeError(http.StatusUnauthorized, CodeWrongPassword, "Invalid password", "the password is wrong, or the user has none")
	}
	if u.PasswordExpired {
		// Checked after the password, so that the answer tells nothing to
		// a caller who does not know it.
		return 0, descopeError(http.StatusUnauthorized, CodePasswordExpired, "Password expired",
			"the password has expired or is temporary: the user must replace it (the mock serves no password replace or reset; set one with /v1/mgmt/user/password/set/active)")
	}
	c := state.PendingCode{LoginID: req.LoginID, UserID: u.ID, AMR: amrPassword}
	if req.LoginOptions != nil {
		c.Custom = req.LoginOptions.CustomClaims
	}
	return s.loginWithCode(w, r, c)
}

var amrPassword = []string{"pwd"}

func (s *Server) passwordRequest(w http.ResponseWriter, r *http.Request) (signInRequest, error) {
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return signInRequest{}, err
	}
	req, err := parseSignIn(body)
	if err != nil {
		return signInRequest{}, err
	}
	if _, err := s.bearerParts(r, ""); err != nil {
		return signInRequest{}, err
	}
	if req.Password == "" {
		return signInRequest{}, missingArgument("password")
	}
	return req, nil
}

// samePassword compares in constant time; a user without a password has none to match.
func samePassword(stored, given string) bool {
	if stored == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(stored)), sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
