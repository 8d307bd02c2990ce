package mockidp

import (
	"errors"
	"slices"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/state"
)

// sessionReservedClaims are set by the mock on user session tokens; custom
// claims cannot override them.
var sessionReservedClaims = append(project.ReservedClaims(), "amr", "rexp", "tu", "jti", "dsub")

// Login methods as they appear in amr.
var (
	amrEmail    = []string{"email"}
	amrSMS      = []string{"sms"}
	amrVoice    = []string{"voice"}
	amrWhatsApp = []string{"whatsapp"}
)

// amrOf is the amr of a delivery method ("email", "sms", "voice", "whatsapp").
func amrOf(method string) []string {
	switch method {
	case "sms":
		return amrSMS
	case "voice":
		return amrVoice
	case "whatsapp":
		return amrWhatsApp
	}
	return amrEmail
}

// sessionParams describes the user session whose tokens are issued.
type sessionParams struct {
	user   User
	tenant string
	amr    []string
	custom map[string]any
	iss    string
	// refreshExpires (optional) - exp of the refresh JWT; default now + refresh TTL.
	refreshExpires int64
	// sessionExpires (optional) - exp of the session JWT; default now +
	// session TTL, never after the refresh JWT's.
	sessionExpires int64
}

// issuedSession is a session JWT and, for a new login or a rotation, a
// refresh JWT with the ID it is remembered by.
type issuedSession struct {
	SessionJWT     string
	RefreshJWT     string
	SessionClaims  Claims
	RefreshClaims  Claims
	JTI            string
	RefreshExpires int64
}

// reservedCustomClaim returns a custom claim the mock sets itself, or "".
func reservedCustomClaim(custom map[string]any) string {
	for k := range custom {
		if slices.Contains(sessionReservedClaims, k) {
			return k
		}
	}
	return ""
}

// userTokenClaims are the claims both token types share: Descope's
// authorization claims from the role definitions, amr, aud, iss, iat and the
// custom claims.
func (s *Server) userTokenClaims(p sessionParams, now time.Time) Claims {
	c := s.UserClaims(p.user, p.tenant)
	for k, v := range p.custom {
		if !slices.Contains(sessionReservedClaims, k) {
			c[k] = v
		}
	}
	if len(p.amr) > 0 {
		c["amr"] = p.amr
	}
	c["aud"] = []string{s.project.ID}
	c["iat"] = now.Unix()
	c["iss"] = p.iss
	return c
}

// signSession signs a refresh JWT (when jti is given) and a session JWT for
// p. It does not record the session.
func (s *Server) signSession(p sessionParams, jti string) (issuedSession, error) {
	now := s.clock.Now()
	st := s.project.Sessions
	out := issuedSession{RefreshExpires: p.refreshExpires}
	if out.RefreshExpires == 0 {
		out.RefreshExpires = now.Add(time.Duration(st.RefreshTTL)).Unix()
	}
	key := s.keys.Current()
	if jti != "" {
		rc := s.userTokenClaims(p, now)
		rc["drn"] = "DSR"
		rc["exp"] = out.RefreshExpires
		if out.RefreshExpires <= now.Unix() {
			rc["iat"] = out.RefreshExpires - int64(time.Duration(st.RefreshTTL)/time.Second)
		}
		rc["jti"] = jti
		t, err := s.sign(key, rc)
		if err != nil {
			return issuedSession{}, err
		}
		out.RefreshJWT, out.RefreshClaims, out.JTI = t, rc, jti
	}
	sc := s.userTokenClaims(p, now)
	exp := p.sessionExpires
	if exp == 0 {
		exp = min(now.Add(time.Duration(st.SessionTTL)).Unix(), out.RefreshExpires)
	}
	sc["drn"] = "DS"
	sc["exp"] = exp
	if exp <= now.Unix() {
		// A preset's expired session JWT was issued one lifetime before it expired.
		sc["iat"] = exp - int64(time.Duration(st.SessionTTL)/time.Second)
	}
	sc["rexp"] = time.Unix(out.RefreshExpires, 0).UTC().Format(time.RFC3339)
	t, err := s.sign(key, sc)
	if err != nil {
		return issuedSession{}, err
	}
	out.SessionJWT, out.SessionClaims = t, sc
	return out, nil
}

// startSession issues a session JWT and a refresh JWT for a new login and
// remembers the refresh token.
func (s *Server) startSession(p sessionParams) (issuedSession, error) {
	if p.user.Disabled {
		return issuedSession{}, userDisabled()
	}
	custom, err := customClaimsBytes(p.custom)
	if err != nil {
		return issuedSession{}, invalidArgument("%v", err)
	}
	jti := state.NewSessionID()
	out, err := s.signSession(p, jti)
	if err != nil {
		return issuedSession{}, err
	}
	sess := state.Session{UserID: p.user.ID, Tenant: p.tenant, AMR: p.amr, Custom: p.custom, Expires: out.RefreshExpires}
	sess.Size = state.SessionSize(&sess, custom)
	if err := s.state.AddSession(jti, sess); errors.Is(err, state.ErrUserNotFound) {
		return issuedSession{}, invalidToken("the user %q was removed during the login", truncate(p.user.ID, 64))
	} else if err != nil {
		return issuedSession{}, stateError(err)
	}
	return out, nil
}
