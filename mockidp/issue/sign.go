// Package issue issues the mock's tokens: it builds the claims of each kind
// of token (client-credentials and access-key tokens, OAuth access, ID and
// refresh tokens), signs them with RS256 and verifies the tokens it signed.
// It holds no run-time state beyond a cache of recently signed tokens and
// serves nothing: package mockidp calls it from its handlers.
package issue

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
	"sync"
	"sync/atomic"

	"github.com/descope-harness/harness/mockidp/keys"
	"github.com/descope-harness/harness/mockidp/wire"
)

// Claims is a token's payload.
type Claims = wire.Claims

// MaxTokenBytes is the longest token the mock issues or mints, the largest
// the API accepts (its token_too_large limit).
const MaxTokenBytes = 32 << 10

// TooLargeError refuses a token that would be longer than MaxTokenBytes.
type TooLargeError struct {
	// Bytes is the length the token would have had.
	Bytes int
}

// Error implements error.
func (e *TooLargeError) Error() string { return tooLarge(e.Bytes) }

// Signer signs tokens with RS256, reusing an identical earlier token. The
// zero value is ready to use; a Signer is safe for concurrent use.
type Signer struct {
	headers headerSegments
	cache   tokenCache
}

// HeaderSegment returns base64url(`{"alg":"RS256","kid":kid,"typ":"JWT"}`),
// the first segment of every token a key signs.
func (s *Signer) HeaderSegment(kid string) (string, error) { return s.headers.get(kid) }

// Sign signs claims with key. A token over MaxTokenBytes is a *TooLargeError.
func (s *Signer) Sign(key *keys.Key, claims Claims) (string, error) {
	payload, err := EncodeClaims(claims)
	if err != nil {
		return "", fmt.Errorf("encoding claims: %w", err)
	}
	h, err := s.headers.get(key.ID)
	if err != nil {
		return "", err
	}
	if n := TokenLength(h, len(payload), key.Private.Size()); n > MaxTokenBytes {
		return "", &TooLargeError{Bytes: n}
	}
	buf := AppendSigningInput(nil, h, payload)
	if t, ok := s.cache.get(buf); ok {
		return t, nil
	}
	inputLen := len(buf)
	if buf, err = AppendSignature(buf, key.Private); err != nil {
		return "", err
	}
	t := string(buf)
	s.cache.put(t, inputLen)
	return t, nil
}

// Reset forgets the recently signed tokens (after a reset of the mock, whose
// keys may be new).
func (s *Signer) Reset() { s.cache.clear() }

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

func EncodeSegment(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// signatureSegmentLen is the length of a base64url RSA-2048 signature; a
// larger key only makes the token buffer grow once.
var signatureSegmentLen = base64.RawURLEncoding.EncodedLen(256)

// AppendSigningInput appends "headerSegment.base64url(payload)" to dst,
// which it grows once to hold the signature segment too.
func AppendSigningInput(dst []byte, headerSegment string, payload []byte) []byte {
	n := len(headerSegment) + 1 + base64.RawURLEncoding.EncodedLen(len(payload))
	dst = slices.Grow(dst, n+1+signatureSegmentLen)
	dst = append(dst, headerSegment...)
	dst = append(dst, '.')
	return base64.RawURLEncoding.AppendEncode(dst, payload)
}

// AppendSignature signs input (the whole of buf) with priv and appends
// ".signature".
func AppendSignature(buf []byte, priv *rsa.PrivateKey) ([]byte, error) {
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

// EncodeClaims writes claims exactly as json.Marshal does (keys in byte
// order, HTML-safe escaping) without the reflective map walk, which copies
// every key and value to the heap.
func EncodeClaims(claims Claims) ([]byte, error) {
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

// TokenLength is the length of a compact JWS of a header segment, a payload
// and a signature of sigBytes.
func TokenLength(headerSegment string, payloadBytes, sigBytes int) int {
	return len(headerSegment) + 1 + base64.RawURLEncoding.EncodedLen(payloadBytes) + 1 + base64.RawURLEncoding.EncodedLen(sigBytes)
}

// tooLarge says which limit a token would pass.
func tooLarge(n int) string {
	return fmt.Sprintf("the token would be %d bytes, over the %d-byte limit of tokens the mock issues (MaxTokenBytes): shorten its claims", n, MaxTokenBytes)
}
