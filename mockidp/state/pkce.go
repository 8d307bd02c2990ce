package state

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE (RFC 7636), which binds an authorization code to its client's
// verifier. The mock supports S256 only, as Descope's discovery documents
// advertise; "plain" is refused.

// ValidPKCEValue reports whether s is 43 to 128 characters of the
// unreserved set RFC 7636 §4.1 allows for a code verifier (a S256 challenge
// is a 43-character base64url string, a subset of the same).
func ValidPKCEValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// ValidS256Challenge reports whether s can be a S256 challenge:
// base64url (no padding) of a SHA-256 digest, 43 characters.
func ValidS256Challenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

// S256Challenge is BASE64URL(SHA256(verifier)), RFC 7636 §4.2.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// VerifyS256 checks a code verifier against the challenge the
// authorization request carried, in constant time.
func VerifyS256(verifier, challenge string) bool {
	if !ValidPKCEValue(verifier) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(S256Challenge(verifier)), []byte(challenge)) == 1
}
