package mockidp

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
	"github.com/descope-harness/harness/mockidp/project"
)

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
	claims := make(Claims, len(k.Claims)+len(custom)+12)
	for kk, v := range k.Claims {
		claims[kk] = v
	}
	for kk, v := range custom {
		if !project.IsReservedClaim(kk) {
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

// headerSegments caches the encoded RS256 header segment of each signing
// key: every token a key signs starts with the same bytes.
type headerSegments struct {
	mu   sync.Mutex // serialises writers
	segs atomic.Pointer[map[string]string]
}

// maxHeaderSegments bounds the cache (published keys are at most Keep+1).
const maxHeaderSegments = 64

// get returns base64url(`{"alg":"RS256","kid":kid,"typ":"JWT"}`), the
// bytes encoding/json writes for header{Alg: "RS256", Kid: kid, Typ: "JWT"}.
func (c *headerSegments) get(kid string) (string, error) {
	if m := c.segs.Load(); m != nil {
		if seg, ok := (*m)[kid]; ok {
			return seg, nil
		}
	}
	b, err := json.Marshal(header{Alg: "RS256", Kid: kid, Typ: "JWT"})
	if err != nil {
		return "", err
	}
	seg := base64.RawURLEncoding.EncodeToString(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	next := map[string]string{}
	if old := c.segs.Load(); old != nil && len(*old) < maxHeaderSegments {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[kid] = seg
	c.segs.Store(&next)
	return seg, nil
}

func encodeSegment(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// signatureSegmentLen is the length of a base64url RSA-2048 signature; a
// larger key only makes the token buffer grow once.
var signatureSegmentLen = base64.RawURLEncoding.EncodedLen(256)

// appendSigningInput appends "headerSegment.base64url(payload)" to dst,
// which it grows once to hold the signature segment too.
func appendSigningInput(dst []byte, headerSegment string, payload []byte) []byte {
	n := len(headerSegment) + 1 + base64.RawURLEncoding.EncodedLen(len(payload))
	dst = slices.Grow(dst, n+1+signatureSegmentLen)
	dst = append(dst, headerSegment...)
	dst = append(dst, '.')
	return base64.RawURLEncoding.AppendEncode(dst, payload)
}

// appendSignature signs input (the whole of buf) with priv and appends
// ".signature".
func appendSignature(buf []byte, priv *rsa.PrivateKey) ([]byte, error) {
	sum := sha256.Sum256(buf)
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	buf = append(buf, '.')
	return base64.RawURLEncoding.AppendEncode(buf, sig), nil
}

// tokenCache remembers recently signed tokens by their signing input (kid
// and payload): PKCS#1 v1.5 signatures are deterministic, so the same bytes
// are never signed twice. Identical claims only recur within one second (iat
// changes), so the cache is small and dropped wholesale when it fills.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]string
}

const tokenCacheSize = 1024

// get looks a signing input up; the conversion in the index allocates nothing.
func (c *tokenCache) get(input []byte) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.entries[string(input)]
	return t, ok
}

// put remembers token, whose first inputLen bytes are its signing input
// (the key shares the token's memory).
func (c *tokenCache) put(token string, inputLen int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= tokenCacheSize {
		c.entries = make(map[string]string, 64)
	}
	c.entries[token[:inputLen]] = token
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// encodeClaims writes claims exactly as json.Marshal does (keys in byte
// order, HTML-safe escaping) without the reflective map walk, which copies
// every key and value to the heap.
func encodeClaims(claims Claims) ([]byte, error) {
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	buf.Grow(64 * (len(claims) + 1))
	enc := json.NewEncoder(&buf) // escapes HTML, as json.Marshal does
	buf.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(k); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode ends each value with a newline
		buf.WriteByte(':')
		if err := enc.Encode(claims[k]); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// sign signs claims with key, reusing an identical earlier token.
func (s *Server) sign(key *keys.Key, claims Claims) (string, error) {
	payload, err := encodeClaims(claims)
	if err != nil {
		return "", fmt.Errorf("encoding claims: %w", err)
	}
	h, err := s.headers.get(key.ID)
	if err != nil {
		return "", err
	}
	if n := tokenLength(h, len(payload), key.Private.Size()); n > MaxTokenBytes {
		return "", badRequest("%s", tokenTooLarge(n))
	}
	buf := appendSigningInput(nil, h, payload)
	if t, ok := s.tokens.get(buf); ok {
		return t, nil
	}
	inputLen := len(buf)
	if buf, err = appendSignature(buf, key.Private); err != nil {
		return "", err
	}
	t := string(buf)
	s.tokens.put(t, inputLen)
	return t, nil
}
