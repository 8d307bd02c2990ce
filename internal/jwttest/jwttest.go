// Package jwttest is this module's one test signer: RS256 compact JWS
// built from real RSA keys (crypto/rsa, PKCS #1 v1.5 over SHA-256), with any
// header and payload, so tests can sign well-formed tokens and hostile ones
// alike. Test code only.
package jwttest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Segment encodes one token segment: []byte and string as they are, any
// other value as its JSON encoding, then base64url without padding. It
// panics if v does not encode (a test's own mistake).
func Segment(v any) string {
	switch v := v.(type) {
	case string:
		return base64.RawURLEncoding.EncodeToString([]byte(v))
	case []byte:
		return base64.RawURLEncoding.EncodeToString(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("jwttest: segment: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignSegments signs header.payload (segments already encoded) with key and
// returns the compact JWS.
func SignSegments(key *rsa.PrivateKey, header, payload string) string {
	input := header + "." + payload
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(fmt.Sprintf("jwttest: signing: %v", err))
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Sign is an RS256 JWT of payload (see Segment) whose header is
// {"alg":"RS256","kid":kid,"typ":"JWT"}, without kid when kid is "".
func Sign(key *rsa.PrivateKey, kid string, payload any) string {
	header := map[string]string{"alg": "RS256", "typ": "JWT"}
	if kid != "" {
		header["kid"] = kid
	}
	return SignSegments(key, Segment(header), Segment(payload))
}
