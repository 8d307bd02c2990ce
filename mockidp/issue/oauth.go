package issue

import (
	"crypto/rand"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// Grant is what one login granted a client, as the OAuth tokens of the
// login carry it.
type Grant struct {
	ClientID string
	Scopes   []string
	AMR      []string
	AuthTime time.Time
	Nonce    string
}

// NewJTI returns a new token ID: 26 base32 characters of crypto/rand (130
// bits), so no two tokens the mock signs carry the same jti.
func NewJTI() string { return rand.Text() }

// JoinScopes is the scope claim and response field of granted scopes.
func JoinScopes(scopes []string) string { return strings.Join(scopes, " ") }

// UserTokens are the lifetimes and issuer of the tokens one exchange or
// refresh issues.
type UserTokens struct {
	Issuer     string
	ProjectID  string
	AccessTTL  time.Duration
	RefreshExp time.Time // the refresh token's exp (rexp on the others)
	Now        time.Time
}

// ProfileClaims adds the user's claims the granted scopes release (OIDC
// Core §5.4), as the ID token and userinfo carry them.
func ProfileClaims(c Claims, u project.User, scopes []string) {
	if slices.Contains(scopes, "profile") && u.Name != "" {
		c["name"] = u.Name
	}
	if slices.Contains(scopes, "email") && u.Email != "" {
		c["email"] = u.Email
		c["email_verified"] = u.VerifiedEmail
	}
	if slices.Contains(scopes, "phone") && u.Phone != "" {
		c["phone_number"] = u.Phone
		c["phone_number_verified"] = u.VerifiedPhone
	}
}

// accessAudience is the aud of a user access token: the project ID, as in
// Descope's tokens (where the client is the project), plus the client ID
// when that differs, as an inbound app's default audience ("" = both) does.
func accessAudience(projectID, clientID string) []string {
	if clientID == projectID {
		return []string{projectID}
	}
	return []string{projectID, clientID}
}

// common are the claims every OIDC token of a grant shares.
func (t UserTokens) common(g Grant, u project.User, tokenType string, exp time.Time) Claims {
	c := Claims{
		"azp":        g.ClientID,
		"exp":        exp.Unix(),
		"iat":        t.Now.Unix(),
		"iss":        t.Issuer,
		"sub":        u.ID,
		"token_type": tokenType,
	}
	if len(g.Scopes) > 0 {
		c["scope"] = JoinScopes(g.Scopes)
	}
	return c
}

// IDTokenClaims: iss, sub, aud = [client ID], azp, nonce, auth_time, amr,
// profile claims per scope, rexp, scope, token_type "id_token" and jti (the
// captured Descope id_token has all but amr, auth_time and jti; OIDC
// clients check the first two, and jti keeps the ID tokens of two logins
// in one second apart).
func (t UserTokens) IDTokenClaims(g Grant, u project.User, withNonce bool, jti string) Claims {
	c := t.common(g, u, "id_token", t.Now.Add(t.AccessTTL))
	c["jti"] = jti
	c["aud"] = []string{g.ClientID}
	c["auth_time"] = g.AuthTime.Unix()
	c["amr"] = g.AMR
	c["rexp"] = t.RefreshExp.UTC().Format(time.RFC3339)
	if withNonce && g.Nonce != "" {
		c["nonce"] = g.Nonce
	}
	ProfileClaims(c, u, g.Scopes)
	return c
}

// AccessTokenClaims: the captured Descope OIDC access token's claims (amr,
// aud, azp, email, exp, iat, iss, rexp, scope, sub, token_type) plus the
// user's roles, permissions, tenants, dct and tu (authz, as session tokens
// carry them) and a jti. Descope adds jti only with a JWT template's
// addJti; RFC 9068 §2.2 requires it of JWT access tokens, and without it
// two logins of one user at one client in one second would get the same
// bytes, so that revoking one (RFC 7009) would revoke both.
func (t UserTokens) AccessTokenClaims(g Grant, u project.User, authz Claims, jti string) Claims {
	c := t.common(g, u, "access_token", t.Now.Add(t.AccessTTL))
	c["jti"] = jti
	c["aud"] = accessAudience(t.ProjectID, g.ClientID)
	c["amr"] = g.AMR
	c["rexp"] = t.RefreshExp.UTC().Format(time.RFC3339)
	if slices.Contains(g.Scopes, "email") && u.Email != "" {
		c["email"] = u.Email
	}
	for _, k := range []string{"roles", "permissions", "tenants", "dct", "tu"} {
		if v, ok := authz[k]; ok {
			c[k] = v
		}
	}
	return c
}

// RefreshTokenClaims: the captured refresh token's claims (amr, aud, azp,
// email, exp, iat, iss, scope, sub, token_type) and a jti, which Descope adds
// only with a JWT template's addJti: without it two refreshes in one second
// would mint the same bytes and rotation could not tell them apart. The
// captured token's dcl and dv are left out: their meaning is unknown.
func (t UserTokens) RefreshTokenClaims(g Grant, u project.User, jti string) Claims {
	c := t.common(g, u, "refresh_token", t.RefreshExp)
	c["aud"] = accessAudience(t.ProjectID, g.ClientID)
	c["amr"] = g.AMR
	c["jti"] = jti
	if slices.Contains(g.Scopes, "email") && u.Email != "" {
		c["email"] = u.Email
	}
	return c
}
