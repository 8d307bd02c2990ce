package mockidp

import "net/http"

// The management API's password calls: /v1/mgmt/user/password/set/temporary,
// /set/active, the deprecated /set and /expire, with the bodies of GO
// descope/internal/mgmt/user.go (makeSetPasswordRequest {loginId, password,
// setActive}, ExpirePassword {loginId}), NODE lib/management/user.ts
// (setTemporaryPassword, setActivePassword, setPassword, expirePassword
// {loginId, password}) and PY descope/management/user.py. A temporary or
// expired password is still the user's, but password sign-in with it is
// refused with 401 E062909 (GO ErrPasswordExpired; NODE and PY: "The user
// will not be able to log-in with this password, and will be required to
// replace it on next login"). Each answers {} (the SDKs read nothing).

// Password modes of /v1/mgmt/user/password/set...
const (
	passwordTemporary  = iota // set/temporary: set, and expired
	passwordActive            // set/active: set, usable
	passwordDeprecated        // set: expired unless setActive (GO sends false; NODE, PY: "automatically set as expired")
)

// handleUserSetPassword serves the three set calls {loginId, password, setActive?}.
func (s *Server) handleUserSetPassword(mode int) handlerFunc {
	type request struct {
		LoginID   string `json:"loginId"`
		Password  string `json:"password"`
		SetActive *bool  `json:"setActive"`
	}
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		var req request
		if err := s.decodeDescope(w, r, &req); err != nil {
			return 0, err
		}
		if req.Password == "" {
			return 0, missingArgument("password")
		}
		if err := checkPasswordLength(req.Password); err != nil {
			return 0, err
		}
		active := mode == passwordActive || mode == passwordDeprecated && req.SetActive != nil && *req.SetActive
		if _, err := s.modifyUser(req.LoginID, func(u *User) error {
			u.Password, u.PasswordExpired = req.Password, !active
			return nil
		}); err != nil {
			return 0, err
		}
		return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
	}
}

// handleUserExpirePassword serves POST /v1/mgmt/user/password/expire
// {loginId}: the user's password, if any, is refused at sign-in until one
// is set again (a user without a password keeps none; the mock's choice:
// it is not an error).
func (s *Server) handleUserExpirePassword(w http.ResponseWriter, r *http.Request) (int, error) {
	u, err := s.namedUser(w, r)
	if err != nil {
		return 0, err
	}
	if _, err := s.modifyUser(u.ID, func(u *User) error {
		u.PasswordExpired = true
		return nil
	}); err != nil {
		return 0, err
	}
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}
