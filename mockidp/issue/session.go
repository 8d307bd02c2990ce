package issue

import (
	"maps"
	"slices"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// SessionReservedClaims are the claims the mock sets on Descope's user
// session tokens; custom claims cannot replace them.
var SessionReservedClaims = append(project.ReservedClaims(), "amr", "rexp", "tu", "jti", "dsub")

// Session describes a Descope user session whose tokens are signed: the
// session JWT (drn DS) and the refresh JWT (drn DSR). go-sdk tells the two
// apart by drn (descope/internal/auth/auth.go, claimAttributeName in
// utils.go) and reads roles, permissions and tenants from them (node-sdk
// lib/helpers.ts likewise); the other claims (amr, rexp, dct, tu, jti)
// follow the Descope session tokens the mock's claims were checked against.
type Session struct {
	Issuer    string
	ProjectID string    // the aud
	Now       time.Time // iat
	// Authz is what every token of the user carries (sub, roles,
	// permissions, tenants, dct, tu), computed by the caller from the role
	// definitions; it is copied, never changed.
	Authz  Claims
	AMR    []string
	Custom map[string]any // custom claims; SessionReservedClaims are skipped
}

// common are the claims both token kinds share: the authorization claims,
// the custom claims, amr, aud, iat and iss.
func (p Session) common() Claims {
	c := make(Claims, len(p.Authz)+len(p.Custom)+8)
	maps.Copy(c, p.Authz)
	for k, v := range p.Custom {
		if !slices.Contains(SessionReservedClaims, k) {
			c[k] = v
		}
	}
	if len(p.AMR) > 0 {
		c["amr"] = p.AMR
	}
	c["aud"] = []string{p.ProjectID}
	c["iat"] = p.Now.Unix()
	c["iss"] = p.Issuer
	return c
}

// RefreshClaims are a refresh JWT's (drn DSR) expiring at exp (unix
// seconds) with jti, the ID the mock remembers it by. One already expired
// (a control-plane preset) was issued one refresh lifetime before.
func (p Session) RefreshClaims(exp int64, refreshTTL time.Duration, jti string) Claims {
	c := p.common()
	c["drn"] = "DSR"
	c["exp"] = exp
	if exp <= p.Now.Unix() {
		c["iat"] = exp - int64(refreshTTL/time.Second)
	}
	c["jti"] = jti
	return c
}

// SessionClaims are a session JWT's (drn DS) expiring at exp, with rexp,
// its refresh JWT's expiry (RFC 3339). One already expired (a preset) was
// issued one session lifetime before.
func (p Session) SessionClaims(exp, refreshExp int64, sessionTTL time.Duration) Claims {
	c := p.common()
	c["drn"] = "DS"
	c["exp"] = exp
	if exp <= p.Now.Unix() {
		c["iat"] = exp - int64(sessionTTL/time.Second)
	}
	c["rexp"] = time.Unix(refreshExp, 0).UTC().Format(time.RFC3339)
	return c
}
