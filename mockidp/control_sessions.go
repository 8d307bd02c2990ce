package mockidp

import (
	"net/http"
	"slices"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// MintSession issues a session and refresh JWT for a user as a login would,
// or a preset's broken pair. The issuer base is the configured public URL
// (or http://localhost); the control plane uses the request's base.
func (s *Server) MintSession(req SessionMintRequest) (SessionMintResponse, error) {
	base := s.cfg.PublicURL
	if base == "" {
		base = "http://localhost"
	}
	return s.mintSession(req, base)
}

func (s *Server) mintSession(req SessionMintRequest, base string) (SessionMintResponse, error) {
	if req.User == "" {
		return SessionMintResponse{}, mockBadRequest("user (a login ID or user ID) is required")
	}
	u, ok := s.LookupUser(req.User)
	if !ok {
		return SessionMintResponse{}, mockNotFound("user %q not found", truncate(req.User, 64))
	}
	if req.Tenant != "" && !u.HasTenant(req.Tenant) {
		return SessionMintResponse{}, mockBadRequest("user %q is not a member of tenant %q", u.ID, truncate(req.Tenant, 64))
	}
	if k := reservedCustomClaim(req.CustomClaims); k != "" {
		return SessionMintResponse{}, mockBadRequest("custom_claims.%s is a claim the mock sets; mint a raw token at /_mock/tokens to change it", truncate(k, 64))
	}
	if _, err := customClaimsBytes(req.CustomClaims); err != nil {
		return SessionMintResponse{}, mockBadRequest("custom_claims: %v", err)
	}
	method := req.Method
	if method == "" {
		method = "email"
	}
	if !slices.Contains(deliveryMethods, method) {
		return SessionMintResponse{}, mockBadRequest("method %q is not one of %v", truncate(method, 32), deliveryMethods)
	}
	if req.Impersonator != "" && req.Preset != SessionPresetImpersonated {
		return SessionMintResponse{}, mockBadRequest("impersonator is read by the impersonated preset only")
	}
	if _, ok := req.CustomClaims[actClaim]; ok {
		return SessionMintResponse{}, mockBadRequest("custom_claims.act: use the impersonated preset with impersonator")
	}
	now := s.clock.Now()
	p := sessionParams{user: u, tenant: req.Tenant, amr: amrOf(method), custom: req.CustomClaims, iss: s.issuer(s.project.IssuerForm, base)}
	switch req.Preset {
	case "", SessionPresetLoggedOut:
	case SessionPresetExpiredSession:
		p.sessionExpires = now.Add(-time.Minute).Unix()
	case SessionPresetExpiredRefresh:
		p.refreshExpires = now.Add(-time.Minute).Unix()
	case SessionPresetWrongProject:
		p.iss = s.issuerFor(OtherProjectID, base)
	case SessionPresetStepUp:
		p.custom = withClaim(p.custom, "su", true)
	case SessionPresetMFA:
		p.amr = append(slices.Clone(p.amr), "totp")
	case SessionPresetImpersonated:
		imp, ok := s.LookupUser(req.Impersonator)
		if req.Impersonator == "" || !ok || imp.ID == u.ID {
			return SessionMintResponse{}, mockBadRequest("the impersonated preset needs impersonator: the login ID or user ID of another user")
		}
		p.custom = withClaim(p.custom, actClaim, map[string]any{"sub": imp.ID})
	default:
		return SessionMintResponse{}, mockBadRequest("preset %q is not one of %v", truncate(req.Preset, 64), SessionPresets)
	}
	is, err := s.startSession(p)
	if err != nil {
		return SessionMintResponse{}, err
	}
	if req.Preset == SessionPresetLoggedOut {
		s.state.EndSession(is.JTI, state.RefreshLoggedOut)
	}
	return SessionMintResponse{SessionJWT: is.SessionJWT, RefreshJWT: is.RefreshJWT, UserID: u.ID,
		SessionClaims: is.SessionClaims, RefreshClaims: is.RefreshClaims}, nil
}

// issuerFor is the project's issuer form for another project ID.
func (s *Server) issuerFor(projectID, base string) string {
	switch s.project.IssuerForm {
	case IssuerApps:
		return base + "/v1/apps/" + projectID
	case IssuerProject:
		return projectID
	default:
		return base + "/" + projectID
	}
}

// RevokeSessions ends every live session of a user (by login ID or user ID),
// as Descope's management logout does: its Descope refresh JWTs and its
// OAuth refresh-token families at every client (state.EndSessions). It
// returns how many were live.
func (s *Server) RevokeSessions(user string) (int, error) {
	u, ok := s.LookupUser(user)
	if !ok {
		return 0, mockNotFound("user %q not found", truncate(user, 64))
	}
	return s.state.EndSessions(u.ID), nil
}

// ctlSessions serves GET /_mock/sessions (counts) and POST /_mock/sessions (mint).
func (s *Server) ctlSessions(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodGet {
		live, total := s.state.SessionCounts()
		return writeJSON(w, http.StatusOK, SessionCounts{Live: live, Total: total}), nil
	}
	var req SessionMintRequest
	if err := s.decodeBody(w, r, &req, false); err != nil {
		return 0, err
	}
	resp, err := s.mintSession(req, s.baseURL(r))
	if err != nil {
		return 0, err
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, resp), nil
}

// ctlRevokeSessions serves POST /_mock/sessions/revoke {"user"}: {"revoked":n}.
func (s *Server) ctlRevokeSessions(w http.ResponseWriter, r *http.Request) (int, error) {
	var req struct {
		User string `json:"user"`
	}
	if err := s.decodeBody(w, r, &req, false); err != nil {
		return 0, err
	}
	if req.User == "" {
		return 0, mockBadRequest("user (a login ID or user ID) is required")
	}
	n, err := s.RevokeSessions(req.User)
	if err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"revoked": n}), nil
}

// withClaim is a copy of custom with one claim set.
func withClaim(custom map[string]any, name string, v any) map[string]any {
	out := make(map[string]any, len(custom)+1)
	for k, x := range custom {
		out[k] = x
	}
	out[name] = v
	return out
}
