package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// parseToken parses a compact JWS with go-jose, accepting only the allowed
// algorithms, and returns it with its one signature's header. The signature
// is not checked here: the key the kid names does that.
func (v *Validator) parseToken(token string) (*jose.JSONWebSignature, jose.Header, error) {
	jws, err := jose.ParseSignedCompact(token, v.cfg.algorithms)
	if err != nil {
		return nil, jose.Header{}, v.classifyParseError(token)
	}
	if len(jws.Signatures) != 1 {
		return nil, jose.Header{}, ErrMalformed
	}
	return jws, jws.Signatures[0].Header, nil
}

// classifyParseError explains why go-jose refused token: a header alg that
// is not allowed (none, HS256, …) is ErrAlgorithm; anything else is
// ErrMalformed.
func (v *Validator) classifyParseError(token string) error {
	encoded, _, ok := strings.Cut(token, ".")
	if !ok {
		return ErrMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return ErrMalformed
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(raw, &header) != nil || header.Alg == "" {
		return ErrMalformed
	}
	if !v.cfg.allowed[header.Alg] {
		return fmt.Errorf("%w: %q", ErrAlgorithm, header.Alg)
	}
	return ErrMalformed
}
