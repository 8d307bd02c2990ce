package mockidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
)

// userResponse renders u as Descope does.
func (s *Server) userResponse(u User) *UserResponse {
	out := &UserResponse{
		UserID: u.ID, LoginIDs: nonNil(u.LoginIDs), Name: u.Name, GivenName: u.GivenName, MiddleName: u.MiddleName, FamilyName: u.FamilyName,
		Email: u.Email, Phone: u.Phone, VerifiedEmail: u.VerifiedEmail, VerifiedPhone: u.VerifiedPhone, RoleNames: nonNil(u.Roles),
		UserTenants: make([]UserTenantResponse, 0, len(u.Tenants)), Status: state.UserStatus(&u), Test: u.Test,
		CustomAttributes: u.CustomAttributes, CreatedTime: u.CreatedTime, ModifiedTime: u.ModifiedTime, Picture: u.Picture,
		Password: u.Password != "", OAuth: map[string]bool{}, SSOAppIDs: []string{},
	}
	if out.CustomAttributes == nil {
		out.CustomAttributes = map[string]any{}
	}
	var grants Authorization
	if len(u.Tenants) > 0 {
		grants = s.state.Authorization(u)
	}
	for _, t := range u.Tenants {
		tenant, _ := s.state.Tenant(t.TenantID)
		out.UserTenants = append(out.UserTenants, UserTenantResponse{TenantID: t.TenantID, TenantName: tenant.Name, RoleNames: nonNil(t.Roles),
			Permissions: nonNil(grants.Tenants[t.TenantID].Permissions)})
	}
	return out
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// writeSession writes a JWTResponse for issued tokens per a token response
// method (the project's, or "body" for management calls, whose SDK code
// reads both JWTs from the body): "body" puts both JWTs in the body;
// "cookies" is Descope's "manage in cookies" (auth_cookies.go): Set-Cookie
// DS and DSR, HttpOnly and Secure, and neither JWT in the body.
func (s *Server) writeSession(w http.ResponseWriter, r *http.Request, is issuedSession, u User, firstSeen bool, method string) (int, error) {
	resp, err := s.sessionBody(w.Header(), r, is, u, firstSeen, method)
	if err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, resp), nil
}

// sessionBody is writeSession's body; its headers (no-store, and in cookie
// mode the cookies) go to h. A completed flow carries it as authInfo.
func (s *Server) sessionBody(h http.Header, r *http.Request, is issuedSession, u User, firstSeen bool, method string) (*JWTResponse, error) {
	st := s.project.Sessions
	now := s.clock.Now()
	sessionExp, _ := is.SessionClaims["exp"].(int64)
	resp := &JWTResponse{
		SessionJwt: is.SessionJWT, RefreshJwt: is.RefreshJWT, SessionExpiration: sessionExp, Claims: is.SessionClaims,
		CookieDomain: st.CookieDomain, CookiePath: st.CookiePath,
		CookieMaxAge: max(is.RefreshExpires-now.Unix(), 0), CookieExpiration: is.RefreshExpires,
		User: s.userResponse(u), FirstSeen: firstSeen,
	}
	h["Cache-Control"] = noStore
	h["Pragma"] = noCache
	if method == TokenResponseCookies {
		refreshName, custom, err := refreshCookieName(r)
		if err != nil {
			return nil, err
		}
		if custom {
			resp.CookieName = refreshName
		}
		if len(is.SessionJWT) <= maxCookieValueBytes {
			h.Add("Set-Cookie", s.cookie(sessionCookieName, is.SessionJWT, sessionExp, now).String())
			resp.SessionJwt = ""
		}
		if is.RefreshJWT != "" {
			h.Add("Set-Cookie", s.cookie(refreshName, is.RefreshJWT, is.RefreshExpires, now).String())
			resp.RefreshJwt = ""
		}
	}
	return resp, nil
}

var noCache = []string{"no-cache"}

// writeLogout answers a logout: the cookie fields, and in cookie mode
// expired DS and DSR cookies.
func (s *Server) writeLogout(w http.ResponseWriter, r *http.Request) (int, error) {
	st := s.project.Sessions
	h := w.Header()
	h["Cache-Control"] = noStore
	if st.TokenResponse == TokenResponseCookies {
		refreshName, _, err := refreshCookieName(r)
		if err != nil {
			return 0, err
		}
		now := s.clock.Now()
		h.Add("Set-Cookie", s.cookie(sessionCookieName, "", 0, now).String())
		h.Add("Set-Cookie", s.cookie(refreshName, "", 0, now).String())
	}
	return writeJSON(w, http.StatusOK, JWTResponse{CookieDomain: st.CookieDomain, CookiePath: st.CookiePath}), nil
}

// bearerParts splits "Bearer {projectId}[:{secret}][:{managementKey}]",
// checks the project ID and returns the secret (possibly empty). A third
// part (the SDKs' auth management key) is accepted and ignored.
func (s *Server) bearerParts(r *http.Request, what string) (string, error) {
	scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", badClient("Authorization must be Bearer {projectId}%s", what)
	}
	parts := strings.SplitN(strings.TrimSpace(rest), ":", 4)
	if len(parts) > 3 {
		return "", badClient("Authorization must be Bearer {projectId}%s with at most three parts", what)
	}
	if parts[0] != s.project.ID {
		// Not echoed: a caller that left out the project ID sent a secret here.
		return "", badClient("unknown project ID: Authorization must be Bearer {projectId}%s", what)
	}
	if len(parts) == 1 {
		return "", nil
	}
	return parts[1], nil
}

// decodeDescope reads a Descope API JSON body into dst. Unknown fields are
// ignored, as Descope ignores them (the SDKs send more than the mock reads);
// a wrong type, malformed JSON, trailing data or an over-large body is a 400
// (413) naming what was wrong. An empty body leaves dst as it is.
func (s *Server) decodeDescope(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return err
	}
	return decodeDescopeBody(body, dst)
}

// readDescopeBody reads a Descope API body (readBody).
func (s *Server) readDescopeBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return s.readBody(w, r, badRequest)
}

// decodeDescopeBody is decodeDescope after reading (the fuzzed parser).
func decodeDescopeBody(body []byte, dst any) error { return decodeJSONBody(body, dst, jsonLenient) }

// decodeStrict reads a body into dst refusing unknown fields, keys given
// twice and trailing data (400 E011001 naming them); numbers stay
// json.Number. Search bodies use it: a filter the mock does not know is
// refused, never ignored.
func decodeStrict(body []byte, dst any) error { return decodeJSONBody(body, dst, jsonStrict) }

// jsonMode is how decodeJSONBody reads a body.
type jsonMode int

const (
	jsonLenient      jsonMode = iota // unknown fields ignored; numbers in an any are float64
	jsonStrict                       // unknown fields, keys given twice refused; numbers in an any are json.Number
	jsonStrictFloats                 // as jsonStrict, with numbers in an any float64 (the management batches)
)

// decodeJSONBody is the one JSON body decoder of the Descope surface:
// lenient (decodeDescopeBody) or strict (decodeStrict, decodeBatch). An
// empty body leaves dst as it is.
func decodeJSONBody(body []byte, dst any, mode jsonMode) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if mode != jsonLenient {
		if err := checkDuplicateKeys(body); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return badRequest("malformed JSON body: %s", strings.TrimPrefix(e.Message, "invalid JSON body: "))
			}
			return err
		}
		if mode == jsonStrict {
			dec.UseNumber()
		}
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		if name, ok := nestedUnknownField(err, body); ok {
			return badRequest("malformed JSON body: unknown field %s in a nested object", name)
		}
		return badRequest("malformed JSON body: %s", describeJSONError(err, body, dst))
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return badRequest("malformed JSON body: trailing data after the object at byte %d", dec.InputOffset())
	}
	return nil
}
