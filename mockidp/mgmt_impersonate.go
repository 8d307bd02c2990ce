package mockidp

import (
	"maps"
	"net/http"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// Impersonation (GO descope/internal/mgmt/jwt.go Impersonate,
// ImpersonateStepup, StopImpersonation; NODE lib/management/jwt.ts
// impersonate, impersonateStepup, stopImpersonation; PY
// descope/management/jwt.py impersonate, stop_impersonation): a session of
// the impersonated user whose tokens carry act. The shape of act is not
// recorded in any source: the mock writes RFC 8693's {"sub": impersonator's
// user ID} (README choices; the live drift report compares it).

// actClaim is the claim marking an impersonated session.
const actClaim = "act"

// impersonateRequest is the body of /v1/mgmt/impersonate and /stepup (wire type).
type impersonateRequest struct {
	LoginID         string         `json:"loginId"`
	ImpersonatorID  string         `json:"impersonatorId"`
	ValidateConsent bool           `json:"validateConsent"`
	CustomClaims    map[string]any `json:"customClaims"`
	SelectedTenant  string         `json:"selectedTenant"`
	RefreshDuration int64          `json:"refreshDuration"`
}

// checkSessionOptions validates the custom claims and refresh duration a
// management session call sends.
func checkSessionOptions(custom map[string]any, refreshDuration int64) error {
	if k := reservedCustomClaim(custom); k != "" {
		return invalidArgument("customClaims.%s is a claim the mock sets and cannot be replaced", truncate(k, 64))
	}
	if _, ok := custom[actClaim]; ok {
		return invalidArgument("customClaims.act is set by impersonation and cannot be sent")
	}
	if _, err := customClaimsBytes(custom); err != nil {
		return invalidArgument("customClaims: %v", err)
	}
	if refreshDuration < 0 || refreshDuration > maxRefreshDuration {
		return invalidArgument("refreshDuration must be between 0 and %d seconds", maxRefreshDuration)
	}
	return nil
}

// handleImpersonate serves POST /v1/mgmt/impersonate and (stepup)
// /v1/mgmt/impersonate/stepup: {"jwt"}, a refresh JWT of the impersonated
// user (Descope's documentation: "a refresh JWT of the impersonated user")
// whose session and refreshed session JWTs carry act {"sub": the
// impersonator's user ID}; stepup adds su:true. The impersonator must be
// another existing user; validateConsent is accepted as consent given (the
// mock does not model consent).
func (s *Server) handleImpersonate(stepup bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		var req impersonateRequest
		if err := s.decodeDescope(w, r, &req); err != nil {
			return 0, err
		}
		switch {
		case req.LoginID == "":
			return 0, missingArgument("loginId")
		case req.ImpersonatorID == "":
			return 0, missingArgument("impersonatorId")
		}
		if err := checkSessionOptions(req.CustomClaims, req.RefreshDuration); err != nil {
			return 0, err
		}
		u, ok := s.state.LookupUser(req.LoginID)
		if !ok {
			return 0, mgmtUserNotFound(req.LoginID)
		}
		imp, ok := s.state.LookupUser(req.ImpersonatorID)
		if !ok {
			return 0, mgmtUserNotFound(req.ImpersonatorID)
		}
		if imp.ID == u.ID {
			return 0, invalidArgument("impersonatorId names the impersonated user: a user cannot impersonate itself")
		}
		if imp.Disabled {
			return 0, userDisabled()
		}
		if req.SelectedTenant != "" && !u.HasTenant(req.SelectedTenant) {
			return 0, invalidArgument("the user is not a member of tenant %q", truncate(req.SelectedTenant, 64))
		}
		custom := maps.Clone(req.CustomClaims)
		if custom == nil {
			custom = map[string]any{}
		}
		custom[actClaim] = map[string]any{"sub": imp.ID}
		if stepup {
			custom["su"] = true
		}
		is, err := s.startSession(s.mgmtSessionParams(r, u, req.SelectedTenant, nil, custom, req.RefreshDuration))
		if err != nil {
			return 0, err
		}
		w.Header()["Cache-Control"] = noStore
		return writeJSON(w, http.StatusOK, map[string]string{"jwt": is.RefreshJWT}), nil
	}
}

// mgmtSessionParams are the parameters of a session a management call starts.
func (s *Server) mgmtSessionParams(r *http.Request, u User, tenant string, amr []string, custom map[string]any, refreshDuration int64) sessionParams {
	p := sessionParams{user: u, tenant: tenant, amr: amr, custom: custom, iss: s.issuer(s.project.IssuerForm, s.baseURL(r))}
	if refreshDuration > 0 {
		p.refreshExpires = s.clock.Now().Add(time.Duration(refreshDuration) * time.Second).Unix()
	}
	return p
}

// handleStopImpersonation serves POST /v1/mgmt/stop/impersonation {jwt,
// customClaims, selectedTenant, refreshDuration}: the impersonated session
// of jwt (its refresh JWT) ends, and the answer {"jwt"} is a refresh JWT of
// a new session of the impersonator.
func (s *Server) handleStopImpersonation(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	var req struct {
		JWT             string         `json:"jwt"`
		CustomClaims    map[string]any `json:"customClaims"`
		SelectedTenant  string         `json:"selectedTenant"`
		RefreshDuration int64          `json:"refreshDuration"`
	}
	if err := s.decodeDescope(w, r, &req); err != nil {
		return 0, err
	}
	if req.JWT == "" {
		return 0, missingArgument("jwt")
	}
	if err := checkSessionOptions(req.CustomClaims, req.RefreshDuration); err != nil {
		return 0, err
	}
	lr, err := s.checkRefresh(req.JWT)
	if err != nil {
		return 0, err
	}
	act, _ := lr.session.Custom[actClaim].(map[string]any)
	impID, _ := act["sub"].(string)
	if impID == "" {
		return 0, invalidArgument("jwt is not the refresh JWT of an impersonation")
	}
	imp, ok := s.state.UserByID(impID)
	if !ok {
		return 0, mgmtUserNotFound(impID)
	}
	if req.SelectedTenant != "" && !imp.HasTenant(req.SelectedTenant) {
		return 0, invalidArgument("the impersonator is not a member of tenant %q", truncate(req.SelectedTenant, 64))
	}
	is, err := s.startSession(s.mgmtSessionParams(r, imp, req.SelectedTenant, nil, req.CustomClaims, req.RefreshDuration))
	if err != nil {
		return 0, err
	}
	s.state.EndSession(lr.jti, state.RefreshLoggedOut)
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]string{"jwt": is.RefreshJWT}), nil
}
