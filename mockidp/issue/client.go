package issue

import (
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// ClientClaims builds the claims Descope puts in a client-credentials token.
func ClientClaims(p *project.Project, c project.Client, iss string, scopes, audience []string, now time.Time) Claims {
	ttl := time.Duration(c.TTL)
	if ttl <= 0 {
		ttl = time.Duration(p.TokenTTL)
	}
	if len(audience) == 0 {
		audience = c.Audience
	}
	if len(audience) == 0 {
		audience = []string{p.ID}
	}
	claims := make(Claims, len(c.Claims)+12)
	for k, v := range c.Claims {
		claims[k] = v
	}
	claims["aud"] = audience
	claims["azp"] = c.ID
	claims["exp"] = now.Add(ttl).Unix()
	claims["iat"] = now.Unix()
	claims["iss"] = iss
	claims["sub"] = c.ID
	claims["token_type"] = "access_token"
	if len(scopes) > 0 {
		claims["scope"] = JoinScopes(scopes)
	}
	if len(c.Roles) > 0 {
		claims["roles"] = c.Roles
	}
	if len(c.Permissions) > 0 {
		claims["permissions"] = c.Permissions
	}
	if len(c.Tenants) > 0 {
		claims["tenants"] = c.Tenants
	}
	if c.CurrentTenant != "" {
		claims["dct"] = c.CurrentTenant
	}
	return claims
}

// AccessKeyClaims builds the claims of an access-key session token.
func AccessKeyClaims(p *project.Project, k project.AccessKey, iss string, now time.Time, custom map[string]any, tenant string) Claims {
	ttl := time.Duration(k.TTL)
	if ttl <= 0 {
		ttl = time.Duration(p.AccessKeyTTL)
	}
	claims := make(Claims, len(k.Claims)+len(custom)+12)
	for kk, v := range k.Claims {
		claims[kk] = v
	}
	for kk, v := range custom {
		if !project.IsReservedClaim(kk) {
			claims[kk] = v
		}
	}
	claims["aud"] = []string{p.ID}
	claims["drn"] = "DS"
	claims["exp"] = now.Add(ttl).Unix()
	claims["iat"] = now.Unix()
	claims["iss"] = iss
	claims["sub"] = k.ID
	if len(k.Roles) > 0 {
		claims["roles"] = k.Roles
	}
	if len(k.Permissions) > 0 {
		claims["permissions"] = k.Permissions
	}
	if len(k.Tenants) > 0 {
		claims["tenants"] = k.Tenants
	}
	if tenant != "" {
		claims["dct"] = tenant
	}
	return claims
}
