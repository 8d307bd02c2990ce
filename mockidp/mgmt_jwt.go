package mockidp

import (
	"maps"
	"net/http"
	"slices"

	"github.com/descope-harness/harness/mockidp/state"
)

// maxRefreshDuration bounds refreshDuration (seconds) of management calls.
const maxRefreshDuration = 10 * 365 * 24 * 3600

// mgmtAuthRequest is the body of /v1/mgmt/auth/signin, /signup and
// /signup-in (wire type; GO authenticationRequestBody and
// authenticationSignUpRequestBody, NODE jwt.signIn/signUp/signUpOrIn).
type mgmtAuthRequest struct {
	LoginID string `json:"loginId"`
	User    *struct {
		Name       string `json:"name"`
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
		Phone      string `json:"phone"`
		Email      string `json:"email"`
	} `json:"user"`
	EmailVerified   bool           `json:"emailVerified"`
	PhoneVerified   bool           `json:"phoneVerified"`
	CustomClaims    map[string]any `json:"customClaims"`
	RefreshDuration int64          `json:"refreshDuration"`
	SelectedTenant  string         `json:"selectedTenant"`
	// Sign-in's loginOptions (GO authenticationRequestBody): stepup and mfa
	// extend the session of jwt (the user's refresh JWT, which the Go SDK
	// requires for them); revokeOtherSessions ends the user's other sessions.
	Stepup                   bool     `json:"stepup"`
	MFA                      bool     `json:"mfa"`
	JWT                      string   `json:"jwt"`
	RevokeOtherSessions      bool     `json:"revokeOtherSessions"`
	RevokeOtherSessionsTypes []string `json:"revokeOtherSessionsTypes"`
}

// Kinds of management sign-in.
const (
	mgmtSignIn = iota
	mgmtSignUp
	mgmtSignUpOrIn
)

// handleMgmtAuth serves POST /v1/mgmt/auth/signin (an existing user),
// /signup (a new user, created) and /signup-in (either): a JWTResponse with
// both JWTs in the body, which the Go SDK validates.
func (s *Server) handleMgmtAuth(kind int) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		var req mgmtAuthRequest
		if err := s.decodeDescope(w, r, &req); err != nil {
			return 0, err
		}
		if req.LoginID == "" {
			return 0, missingArgument("loginId")
		}
		if k := reservedCustomClaim(req.CustomClaims); k != "" {
			return 0, invalidArgument("customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
		}
		if _, err := customClaimsBytes(req.CustomClaims); err != nil {
			return 0, invalidArgument("customClaims: %v", err)
		}
		if req.RefreshDuration < 0 || req.RefreshDuration > maxRefreshDuration {
			return 0, invalidArgument("refreshDuration must be between 0 and %d seconds", maxRefreshDuration)
		}
		u, exists := s.state.UserByLoginID(req.LoginID)
		switch {
		case kind == mgmtSignIn && !exists:
			return 0, mgmtUserNotFound(req.LoginID)
		case kind == mgmtSignUp && exists:
			return 0, stateError(state.ErrUserExists)
		case !exists:
			nu := User{LoginIDs: []string{req.LoginID}, VerifiedEmail: req.EmailVerified, VerifiedPhone: req.PhoneVerified}
			if req.User != nil {
				nu.Name, nu.Email, nu.Phone = req.User.Name, req.User.Email, req.User.Phone
				if nu.Name == "" && (req.User.GivenName != "" || req.User.FamilyName != "") {
					nu.Name = req.User.GivenName + " " + req.User.FamilyName
				}
			}
			var err error
			if u, _, err = s.state.PutUser(nu, false); err != nil {
				return 0, stateError(err)
			}
		}
		if req.SelectedTenant != "" && !u.HasTenant(req.SelectedTenant) {
			return 0, invalidArgument("the user is not a member of tenant %q", truncate(req.SelectedTenant, 64))
		}
		p := s.mgmtSessionParams(r, u, req.SelectedTenant, nil, req.CustomClaims, req.RefreshDuration)
		if req.Stepup || req.MFA {
			if err := s.extendMgmtSession(&p, req); err != nil {
				return 0, err
			}
		}
		if req.RevokeOtherSessions {
			s.state.EndSessions(u.ID)
		}
		is, err := s.startSession(p)
		if err != nil {
			return 0, err
		}
		return s.writeSession(w, r, is, u, s.state.FirstLogin(u.ID), TokenResponseBody)
	}
}

// handleJWTUpdate serves POST /v1/mgmt/jwt/update {"jwt","customClaims"}:
// {"jwt"}, the token re-signed with the custom claims added. Its exp stays;
// refreshDuration is read but does not change a session JWT.
func (s *Server) handleJWTUpdate(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req struct {
		JWT             string         `json:"jwt"`
		CustomClaims    map[string]any `json:"customClaims"`
		RefreshDuration int64          `json:"refreshDuration"`
	}
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	if req.JWT == "" {
		return 0, missingArgument("jwt")
	}
	claims, err := s.VerifyToken(req.JWT)
	if err != nil {
		return 0, invalidToken("jwt refused: %v", err)
	}
	if pid := issuerProject(claims["iss"]); pid != s.project.ID {
		return 0, invalidToken("the jwt was issued for project %q, not %s", truncate(pid, 64), s.project.ID)
	}
	for k, v := range req.CustomClaims {
		if slices.Contains(sessionReservedClaims, k) {
			return 0, invalidArgument("customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
		}
		claims[k] = v
	}
	token, err := s.sign(s.keys.Current(), claims)
	if err != nil {
		return 0, err
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]string{"jwt": token}), nil
}

// extendMgmtSession makes a management sign-in a step-up or MFA of the
// session of req.JWT, as user sign-in's loginOptions do (auth_signin.go
// extendSession): the new session keeps that session's amr, tenant and
// custom claims; step-up adds su:true; MFA adds "mfa" to amr (the mock's
// choice: a management sign-in has no method of its own), so that amr
// holds two factors (GO Token.IsMFA).
func (s *Server) extendMgmtSession(p *sessionParams, req mgmtAuthRequest) error {
	if req.JWT == "" {
		return missingArgument("jwt (the refresh JWT of the session that stepup or mfa extends)")
	}
	lr, err := s.checkRefresh(req.JWT)
	if err != nil {
		return err
	}
	if lr.user.ID != p.user.ID {
		return invalidToken("the jwt belongs to another user than login ID %q", truncate(req.LoginID, 64))
	}
	p.amr = slices.Clone(lr.session.AMR)
	if req.MFA && !slices.Contains(p.amr, "mfa") {
		p.amr = append(p.amr, "mfa")
	}
	if p.tenant == "" {
		p.tenant = lr.session.Tenant
	}
	custom := maps.Clone(lr.session.Custom)
	if custom == nil {
		custom = map[string]any{}
	}
	maps.Copy(custom, p.custom)
	if req.Stepup {
		custom["su"] = true
	}
	p.custom = custom
	return nil
}
