package mockidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

// Claims is a token's payload. encoding/json writes map keys in sorted order,
// which is how real Descope tokens serialise their claims.
type Claims map[string]any

// clientClaims builds the claims Descope puts in a client-credentials token.
func (s *Server) clientClaims(c Client, iss string, scopes, audience []string, now time.Time) Claims {
	ttl := time.Duration(c.TTL)
	if ttl <= 0 {
		ttl = time.Duration(s.project.TokenTTL)
	}
	if len(audience) == 0 {
		audience = c.Audience
	}
	if len(audience) == 0 {
		audience = []string{s.project.ID}
	}
	claims := Claims{}
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
		claims["scope"] = joinScopes(scopes)
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

// accessKeyClaims builds the claims of an access-key session token.
func (s *Server) accessKeyClaims(k AccessKey, iss string, now time.Time, custom map[string]any, tenant string) Claims {
	ttl := time.Duration(k.TTL)
	if ttl <= 0 {
		ttl = time.Duration(s.project.AccessKeyTTL)
	}
	claims := Claims{}
	for kk, v := range k.Claims {
		claims[kk] = v
	}
	for kk, v := range custom {
		if !contains(reservedClaims, kk) {
			claims[kk] = v
		}
	}
	claims["aud"] = []string{s.project.ID}
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

func joinScopes(scopes []string) string { return strings.Join(scopes, " ") }

// header is a JOSE header; fields in the order real Descope tokens use.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ"`
}

func encodeSegment(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func signInput(priv *rsa.PrivateKey, input string) (string, error) {
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("signing: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// tokenCache remembers recently signed tokens by kid and payload: PKCS#1 v1.5
// signatures are deterministic, so the same bytes are never signed twice.
// Identical claims only recur within one second (iat changes), so the cache
// is small and dropped wholesale when it fills.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]string
}

const tokenCacheSize = 1024

func (c *tokenCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.entries[key]
	return t, ok
}

func (c *tokenCache) put(key, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= tokenCacheSize {
		c.entries = make(map[string]string, 64)
	}
	c.entries[key] = token
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// sign signs claims with the current key, reusing an identical earlier token.
func (s *Server) sign(key *keys.Key, claims Claims) (string, error) {
	p, err := encodeSegment(claims)
	if err != nil {
		return "", fmt.Errorf("encoding claims: %w", err)
	}
	h, err := encodeSegment(header{Alg: "RS256", Kid: key.ID, Typ: "JWT"})
	if err != nil {
		return "", err
	}
	input := h + "." + p
	if t, ok := s.tokens.get(input); ok {
		return t, nil
	}
	t, err := signInput(key.Private, input)
	if err != nil {
		return "", err
	}
	s.tokens.put(input, t)
	return t, nil
}
