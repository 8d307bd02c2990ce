package auth

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// compactJWS is a token split into its three parts, with the header fields
// the validator needs. Parsing it directly (rather than through go-jose's
// general JWS model) keeps a full verification close to the cost of the RSA
// operation itself: one header decode into a small struct, no re-encoding.
type compactJWS struct {
	signingInput string // "<header>.<payload>", the bytes the signature covers
	payload      []byte
	signature    []byte
	alg          string
	kid          string
}

// jwsHeader holds the protected-header fields the validator reads. Crit and
// B64 are only checked for presence: a token that marks any header critical,
// or asks for an unencoded payload, is refused.
type jwsHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// parseCompact splits and decodes a compact JWS. A header alg outside
// allowed is ErrAlgorithm; anything else wrong is ErrMalformed. The
// signature is not checked here.
//
// Header field names are matched as encoding/json does (exact match first,
// then case-insensitively). That cannot weaken verification: the alg must be
// allowed and equal to the alg the key is pinned to, and the signature must
// verify with the key the kid names.
func parseCompact(token string, allowed map[string]bool) (compactJWS, error) {
	var jws compactJWS
	header, rest, ok := strings.Cut(token, ".")
	if !ok {
		return jws, ErrMalformed
	}
	payload, signature, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(signature, '.') >= 0 {
		return jws, ErrMalformed
	}
	jws.signingInput = token[:len(header)+1+len(payload)]

	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return jws, ErrMalformed
	}
	var h jwsHeader
	if json.Unmarshal(raw, &h) != nil || h.Alg == "" {
		return jws, ErrMalformed
	}
	if !allowed[h.Alg] {
		return jws, fmt.Errorf("%w: %q", ErrAlgorithm, h.Alg)
	}
	if h.Crit != nil || h.B64 != nil {
		return jws, ErrMalformed
	}
	jws.alg, jws.kid = h.Alg, h.Kid

	if jws.payload, err = base64.RawURLEncoding.DecodeString(payload); err != nil {
		return jws, ErrMalformed
	}
	if jws.signature, err = base64.RawURLEncoding.DecodeString(signature); err != nil {
		return jws, ErrMalformed
	}
	return jws, nil
}

// verifySignature checks the signature over signingInput with key, using
// the algorithm the key is pinned to. Any failure is ErrInvalidSignature.
func verifySignature(key verificationKey, signingInput string, signature []byte) error {
	var (
		hash   crypto.Hash
		digest []byte
	)
	switch key.alg {
	case "RS256", "PS256":
		sum := sha256.Sum256([]byte(signingInput))
		hash, digest = crypto.SHA256, sum[:]
	case "RS384", "PS384":
		sum := sha512.Sum384([]byte(signingInput))
		hash, digest = crypto.SHA384, sum[:]
	case "RS512", "PS512":
		sum := sha512.Sum512([]byte(signingInput))
		hash, digest = crypto.SHA512, sum[:]
	default:
		return ErrInvalidSignature
	}
	var err error
	if strings.HasPrefix(key.alg, "PS") {
		err = rsa.VerifyPSS(key.key, hash, digest, signature, nil)
	} else {
		err = rsa.VerifyPKCS1v15(key.key, hash, digest, signature)
	}
	if err != nil {
		return ErrInvalidSignature
	}
	return nil
}
