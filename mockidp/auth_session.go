package mockidp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/state"
)

// liveRefresh is a verified refresh JWT with its remembered session and user.
type liveRefresh struct {
	jti     string
	session state.Session
	user    User
}

// refreshFrom returns the refresh JWT of a request: the second part of
// Authorization: Bearer {projectId}:{refreshJwt}[:{managementKey}], else the
// DSR cookie (what a browser sends when the project manages tokens in cookies).
func (s *Server) refreshFrom(r *http.Request) (string, error) {
	token, err := s.bearerParts(r, ":{refreshJwt}")
	if err != nil {
		return "", err
	}
	if token == "" {
		name, _, err := refreshCookieName(r)
		if err != nil {
			return "", err
		}
		for _, n := range []string{name, refreshCookieDSR} {
			if c, err := r.Cookie(n); err == nil && c.Value != "" {
				token = c.Value
				break
			}
		}
	}
	if token == "" {
		return "", invalidToken("a refresh JWT is required: Authorization: Bearer {projectId}:{refreshJwt} or the DSR cookie")
	}
	return token, nil
}

// refreshCall decodes the JSON body of a call made with a refresh JWT into
// body (nil: the call has none) and returns the live session of that
// refresh JWT (refreshFrom, then checkRefresh).
func (s *Server) refreshCall(w http.ResponseWriter, r *http.Request, body any) (liveRefresh, error) {
	return s.callWith(w, r, body, s.checkRefresh)
}

// meCall is refreshCall for the calls that only read with the refresh token
// (me, me/tenants): they also take an OAuth refresh token of the project
// client (checkReadRefresh).
func (s *Server) meCall(w http.ResponseWriter, r *http.Request, body any) (liveRefresh, error) {
	return s.callWith(w, r, body, s.checkReadRefresh)
}

// callWith decodes body (nil: none), then checks the request's refresh token
// with check.
func (s *Server) callWith(w http.ResponseWriter, r *http.Request, body any, check func(string) (liveRefresh, error)) (liveRefresh, error) {
	if body != nil {
		if err := s.decodeDescope(w, r, body); err != nil {
			return liveRefresh{}, err
		}
	}
	token, err := s.refreshFrom(r)
	if err != nil {
		return liveRefresh{}, err
	}
	return check(token)
}

// checkReadRefresh is checkRefresh that also takes the refresh token the
// token endpoint issued to the project client (client_id = project ID).
// web-js-sdk's OIDC mode stores that refresh_token as its refresh JWT
// (web-js-sdk src/enhancers/helpers: normalizeWebJWTResponseToJWTResponse)
// and react-sdk's useUser then calls GET /v1/auth/me with it. Reading with
// it spends nothing: the token stays current in its family. Whether
// Descope's OIDC refresh tokens are its DSR JWTs is not in the SDKs'
// source; the mock keeps them OAuth refresh tokens (README, OIDC mode).
func (s *Server) checkReadRefresh(token string) (liveRefresh, error) {
	claims, err := s.VerifyToken(token)
	if err != nil || claims["token_type"] != "refresh_token" || s.projectClient.ID == "" {
		return s.checkRefreshClaims(token, claims, err) // and its precise refusals
	}
	_, u, err := s.state.PeekRefresh(token, s.project.ID)
	switch {
	case errors.Is(err, state.ErrRefreshDisabled):
		return liveRefresh{}, userDisabled()
	case errors.Is(err, state.ErrRefreshClient):
		return liveRefresh{}, invalidToken("an OAuth refresh token is taken here only from the project client (client_id %s)", s.project.ID)
	case err != nil:
		return liveRefresh{}, invalidToken("OAuth refresh token refused: %v", err)
	}
	return liveRefresh{user: u}, nil
}

// checkRefresh verifies a refresh JWT (signature by a published key, exp on
// the mock's clock, this project's issuer, drn DSR) and finds its live
// session. Each refusal names its reason.
func (s *Server) checkRefresh(token string) (liveRefresh, error) {
	claims, err := s.VerifyToken(token)
	return s.checkRefreshClaims(token, claims, err)
}

// checkRefreshClaims is checkRefresh after the verification (its claims
// and error), so that a caller that verified the token already does not
// verify it again.
func (s *Server) checkRefreshClaims(token string, claims issue.Claims, err error) (liveRefresh, error) {
	if errors.Is(err, issue.ErrUnknownKeyID) {
		// Also a refresh JWT that outlived its signing key: refused as on
		// Descope (README, "Refresh JWTs and key rotation").
		k := s.project.Keys
		return liveRefresh{}, invalidToken("refresh JWT refused: unknown key id %q: not in the key set; a signing key leaves it "+
			"after keys.keep (%d) rotations of keys.rotate_every (%s), so a refresh JWT whose sessions.refresh_ttl (%s) outlives that is refused then, "+
			"as Descope's users log in again after 12 rotations", truncate(tokenKid(token), 64), k.Keep, durationText(k.RotateEvery), durationText(s.project.Sessions.RefreshTTL))
	}
	if err != nil {
		return liveRefresh{}, invalidToken("refresh JWT refused: %v", err)
	}
	if pid := issuerProject(claims["iss"]); pid != s.project.ID {
		return liveRefresh{}, invalidToken("the refresh JWT was issued for project %q, not %s", truncate(pid, 64), s.project.ID)
	}
	switch drn, _ := claims["drn"].(string); drn {
	case "DSR":
	case "DS":
		return liveRefresh{}, invalidToken("a session JWT (drn DS) was sent where a refresh JWT (drn DSR) belongs")
	default:
		return liveRefresh{}, invalidToken("the token is not a refresh JWT (drn %q, want DSR)", truncate(drn, 16))
	}
	jti, _ := claims["jti"].(string)
	sess, ok := s.state.Session(jti)
	if !ok {
		return liveRefresh{}, invalidToken("unknown refresh JWT: not issued by this mock since its last reset")
	}
	if sub, _ := claims["sub"].(string); sub != sess.UserID {
		return liveRefresh{}, invalidToken("the refresh JWT's sub does not match its session")
	}
	u, ok := s.state.UserByID(sess.UserID)
	if ok && u.Disabled {
		// Before the session's state: disabling also ended the session.
		return liveRefresh{}, userDisabled()
	}
	switch sess.State {
	case state.RefreshRotated:
		return liveRefresh{}, invalidToken("the refresh JWT was replaced by rotation and cannot be used again")
	case state.RefreshLoggedOut:
		return liveRefresh{}, loggedOut()
	}
	if !ok {
		return liveRefresh{}, invalidToken("the refresh JWT's user no longer exists")
	}
	return liveRefresh{jti: jti, session: sess, user: u}, nil
}

// issuerProject is the project ID an iss names: its last path segment, as
// the Go SDK reads it (a bare project ID is its own last segment).
func issuerProject(iss any) string {
	s, _ := iss.(string)
	s = strings.TrimSuffix(s, "/")
	return s[strings.LastIndexByte(s, '/')+1:]
}

// sessionFor builds the parameters of the next tokens of a live session.
func (s *Server) sessionFor(r *http.Request, lr liveRefresh, tenant string) sessionParams {
	if tenant != "" && !lr.user.HasTenant(tenant) {
		tenant = "" // the user left the tenant since
	}
	return sessionParams{user: lr.user, tenant: tenant, amr: lr.session.AMR, custom: lr.session.Custom,
		iss: s.issuer(s.project.IssuerForm, s.baseURL(r)), refreshExpires: lr.session.Expires}
}

// handleRefresh serves POST /v1/auth/refresh: a new session JWT, and with
// refresh rotation a new refresh JWT (the one sent is refused afterwards).
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		ExternalToken string `json:"externalToken"`
	}
	lr, err := s.refreshCall(w, r, &body)
	if err != nil {
		return 0, err
	}
	return s.refresh(w, r, lr)
}

// handleTryRefresh serves POST /v1/auth/try-refresh, what React's
// AuthProvider calls on mount: refresh's answer when the request carries a
// valid refresh JWT, else 200 with an empty JSON object (core-js-sdk's
// transformResponse parses every body as JSON, so "no session" is {}, not
// zero bytes), never the 4xx that makes web-js-sdk clear its tokens.
func (s *Server) handleTryRefresh(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		ExternalToken string `json:"externalToken"`
	}
	if err := s.decodeDescope(w, r, &body); err != nil {
		return 0, err
	}
	if _, err := s.bearerParts(r, "[:{refreshJwt}]"); err != nil {
		return 0, err
	}
	token, err := s.refreshFrom(r)
	var lr liveRefresh
	if err == nil {
		lr, err = s.checkRefresh(token)
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
			w.Header()["Cache-Control"] = noStore
			return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
		}
		return 0, err
	}
	return s.refresh(w, r, lr)
}

// refresh issues the next tokens of a live session.
func (s *Server) refresh(w http.ResponseWriter, r *http.Request, lr liveRefresh) (int, error) {
	var err error
	p := s.sessionFor(r, lr, lr.session.Tenant)
	var is issuedSession
	if s.project.Sessions.RefreshRotation {
		if !s.state.EndSession(lr.jti, state.RefreshRotated) {
			return 0, invalidToken("the refresh JWT was replaced by rotation and cannot be used again")
		}
		p.refreshExpires = 0
		is, err = s.startSession(p)
	} else {
		is, err = s.signSession(p, "")
	}
	if err != nil {
		return 0, err
	}
	return s.writeSession(w, r, is, lr.user, false, s.project.Sessions.TokenResponse)
}

// handleLogout serves POST /v1/auth/logout (this refresh JWT) and
// /v1/auth/logoutall (every session of its user): afterwards refresh
// refuses the ended tokens with E064001.
func (s *Server) handleLogout(all bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		var body struct {
			LogoutType []string `json:"logoutType"`
		}
		lr, err := s.refreshCall(w, r, &body)
		if err != nil {
			return 0, err
		}
		if all {
			s.state.EndSessions(lr.user.ID)
		} else if !s.state.EndSession(lr.jti, state.RefreshLoggedOut) {
			return 0, loggedOut()
		}
		return s.writeLogout(w, r)
	}
}

// handleTenantSelect serves POST /v1/auth/tenant/select {"tenant"}: a new
// session and refresh JWT whose dct is the tenant, which must be one of the
// user's. With rotation the refresh JWT sent is refused afterwards.
func (s *Server) handleTenantSelect(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		Tenant string `json:"tenant"`
	}
	lr, err := s.refreshCall(w, r, &body)
	if err != nil {
		return 0, err
	}
	if body.Tenant == "" {
		return 0, missingArgument("tenant")
	}
	if _, ok := s.state.Tenant(body.Tenant); !ok {
		return 0, invalidArgument("tenant %q is not a tenant of the project", truncate(body.Tenant, 64))
	}
	if !lr.user.HasTenant(body.Tenant) {
		return 0, invalidArgument("the user is not a member of tenant %q", truncate(body.Tenant, 64))
	}
	if s.project.Sessions.RefreshRotation && !s.state.EndSession(lr.jti, state.RefreshRotated) {
		return 0, invalidToken("the refresh JWT was replaced by rotation and cannot be used again")
	}
	p := s.sessionFor(r, lr, body.Tenant)
	p.refreshExpires = 0
	is, err := s.startSession(p)
	if err != nil {
		return 0, err
	}
	return s.writeSession(w, r, is, lr.user, false, s.project.Sessions.TokenResponse)
}

// handleMe serves GET /v1/auth/me: the refresh JWT's user, flat (not wrapped in "user").
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) (int, error) {
	lr, err := s.meCall(w, r, nil)
	if err != nil {
		return 0, err
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, s.userResponse(lr.user)), nil
}

// handleMeTenants serves POST /v1/auth/me/tenants {"dct":bool} or {"ids":[…]}:
// the user's tenants, only the current one (dct) or only those listed.
func (s *Server) handleMeTenants(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		DCT bool     `json:"dct"`
		IDs []string `json:"ids"`
	}
	lr, err := s.meCall(w, r, &body)
	if err != nil {
		return 0, err
	}
	if body.DCT && len(body.IDs) > 0 {
		return 0, invalidArgument("give dct or ids, not both")
	}
	current := lr.session.Tenant
	if current == "" && len(lr.user.Tenants) == 1 {
		current = lr.user.Tenants[0].TenantID // dct of a one-tenant user, as UserClaims sets it
	}
	out := make([]MeTenant, 0, len(lr.user.Tenants))
	for _, t := range lr.user.Tenants {
		if body.DCT && t.TenantID != current || len(body.IDs) > 0 && !slices.Contains(body.IDs, t.TenantID) {
			continue
		}
		tenant, _ := s.state.Tenant(t.TenantID)
		out = append(out, MeTenant{ID: t.TenantID, Name: tenant.Name, CustomAttributes: tenant.CustomAttributes})
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, map[string]any{"tenants": out}), nil
}

// tokenKid is the kid of a compact JWT's header, or "".
func tokenKid(token string) string {
	seg, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return ""
	}
	var h struct {
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(b, &h)
	return h.Kid
}

// durationText is a project duration as a message shows it ("never" for -1).
func durationText(d Duration) string {
	if d < 0 {
		return "never"
	}
	return time.Duration(d).String()
}

// UserHistoryEntry is one login of GET /v1/auth/me/history (wire type;
// core-js-sdk UserHistoryResponse, GO descope.UserHistoryResponse: the body
// is an array of these).
type UserHistoryEntry struct {
	UserID    string `json:"userId"`
	LoginTime int64  `json:"loginTime"`
	City      string `json:"city"`
	Country   string `json:"country"`
	IP        string `json:"ip"`
}

// handleMeHistory serves GET /v1/auth/me/history. The mock keeps no login
// history: the answer is the one login it knows of, the session of the
// refresh JWT sent (its login time is when that refresh JWT was issued; a
// rotation issues a new one), from the caller's address; city and country
// are empty.
func (s *Server) handleMeHistory(w http.ResponseWriter, r *http.Request) (int, error) {
	token, err := s.refreshFrom(r)
	if err != nil {
		return 0, err
	}
	lr, err := s.checkReadRefresh(token)
	if err != nil {
		return 0, err
	}
	claims, err := s.VerifyToken(token) // checked just above: its iat is the login time
	if err != nil {
		return 0, invalidToken("refresh JWT refused: %v", err)
	}
	var iat int64
	switch v := claims["iat"].(type) {
	case float64:
		iat = int64(v)
	case json.Number:
		iat, _ = v.Int64()
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	w.Header()["Cache-Control"] = noStore
	return writeJSON(w, http.StatusOK, []UserHistoryEntry{{UserID: lr.user.ID, LoginTime: iat, IP: ip}}), nil
}
