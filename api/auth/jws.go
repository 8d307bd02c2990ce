package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// joseHeader is the part of a token's JOSE header the pre-screen reads.
type joseHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// errNoKid is the failure of a token whose header has no kid.
var errNoKid = fmt.Errorf("%w: token has no kid", ErrUnknownKey)

// screenHeader decodes the header segment of a compact JWS as {alg, kid},
// so that what the key set cannot verify (an algorithm that is not allowed,
// no kid) is refused before go-jose parses the whole token. It decides
// refusals only: a token it lets through is parsed and verified by go-jose
// (verifyJWS), which must agree with it on alg and kid.
func (v *Validator) screenHeader(token string) (joseHeader, error) {
	if strings.Count(token, ".") != 2 {
		return joseHeader{}, ErrMalformed // not three segments
	}
	encoded, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return joseHeader{}, ErrMalformed
	}
	var h joseHeader
	if err := json.Unmarshal(raw, &h); err != nil || h.Alg == "" {
		return joseHeader{}, ErrMalformed
	}
	if !v.cfg.allowed[h.Alg] {
		return joseHeader{}, fmt.Errorf("%w: %q", ErrAlgorithm, h.Alg)
	}
	if h.Kid == "" {
		return joseHeader{}, errNoKid
	}
	return h, nil
}

// verifyJWS parses token with go-jose (allowed algorithms only), checks that
// go-jose reads the same alg and kid as the pre-screen did, and verifies the
// signature with key. It returns the verified payload.
func (v *Validator) verifyJWS(token string, screened joseHeader, key verificationKey) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(token, v.cfg.algorithms)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, ErrMalformed
	}
	// encoding/json matches field names case-insensitively and go-jose
	// does not: a header the two read differently is not one to trust.
	if h := jws.Signatures[0].Header; h.KeyID != screened.Kid || h.Algorithm != screened.Alg {
		return nil, ErrMalformed
	}
	payload, err := jws.Verify(key.key)
	if err != nil {
		return nil, ErrInvalidSignature
	}
	return payload, nil
}
