package mockidp

import (
	"slices"
	"time"
)

// DefaultAMR is the amr of a mock login when the control plane queued none:
// the captured Descope OIDC tokens (research/descope.md §6.2) carry ["email"].
var DefaultAMR = []string{"email"}

// userTokens are the lifetimes and issuer of the tokens one exchange or
// refresh issues.
type userTokens struct {
	Issuer     string
	ProjectID  string
	AccessTTL  time.Duration
	RefreshExp time.Time // the refresh token's exp (rexp on the others)
	Now        time.Time
}

// profileClaims adds the user's claims the granted scopes release (OIDC
// Core §5.4), as the ID token and userinfo carry them.
func profileClaims(c Claims, u User, scopes []string) {
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
func (t userTokens) common(g authGrant, u User, tokenType string, exp time.Time) Claims {
	c := Claims{
		"azp":        g.ClientID,
		"exp":        exp.Unix(),
		"iat":        t.Now.Unix(),
		"iss":        t.Issuer,
		"sub":        u.ID,
		"token_type": tokenType,
	}
	if len(g.Scopes) > 0 {
		c["scope"] = joinScopes(g.Scopes)
	}
	return c
}

// idTokenClaims: iss, sub, aud = [client ID], azp, nonce, auth_time, amr,
// profile claims per scope, rexp, scope and token_type "id_token" (the
// captured Descope id_token has all but amr and auth_time, which OIDC
// clients check and the mock therefore adds).
func (t userTokens) idTokenClaims(g authGrant, u User, withNonce bool) Claims {
	c := t.common(g, u, "id_token", t.Now.Add(t.AccessTTL))
	c["aud"] = []string{g.ClientID}
	c["auth_time"] = g.AuthTime.Unix()
	c["amr"] = g.AMR
	c["rexp"] = t.RefreshExp.UTC().Format(time.RFC3339)
	if withNonce && g.Nonce != "" {
		c["nonce"] = g.Nonce
	}
	profileClaims(c, u, g.Scopes)
	return c
}

// accessTokenClaims: the captured Descope OIDC access token's claims (amr,
// aud, azp, email, exp, iat, iss, rexp, scope, sub, token_type) plus the
// user's roles, permissions, tenants, dct and tu (authz, Server.UserClaims),
// as session tokens carry them.
func (t userTokens) accessTokenClaims(g authGrant, u User, authz Claims) Claims {
	c := t.common(g, u, "access_token", t.Now.Add(t.AccessTTL))
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

// refreshTokenClaims: the captured refresh token's claims (amr, aud, azp,
// email, exp, iat, iss, scope, sub, token_type) and a jti, which Descope adds
// only with a JWT template's addJti: without it two refreshes in one second
// would mint the same bytes and rotation could not tell them apart. The
// captured token's dcl and dv are left out: their meaning is unknown.
func (t userTokens) refreshTokenClaims(g authGrant, u User, jti string) Claims {
	c := t.common(g, u, "refresh_token", t.RefreshExp)
	c["aud"] = accessAudience(t.ProjectID, g.ClientID)
	c["amr"] = g.AMR
	c["jti"] = jti
	if slices.Contains(g.Scopes, "email") && u.Email != "" {
		c["email"] = u.Email
	}
	return c
}
