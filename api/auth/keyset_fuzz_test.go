package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// FuzzKeySet serves any key-set body to a fresh Validator and validates a
// token signed by the provider's key. Invariants: no panic; failures are
// sentinel errors (ErrUnavailable when no usable key was loaded); the token
// is accepted only when the body publishes the signing key's modulus under
// the token's kid.
func FuzzKeySet(f *testing.F) {
	p := newFuzzProvider(f)
	good := p.goodJWKS(f)
	token := p.validToken(f)
	n := base64.RawURLEncoding.EncodeToString(p.key.N.Bytes())
	f.Add(good)
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AQAB","alg":"RS512"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AQAB","use":"enc"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","kid":"` + fuzzKid + `","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"` + fuzzKid + `","k":"c2VjcmV0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AQAB","x5c":["MIIB"]}]}`))
	f.Add([]byte(`{"keys":[null,1,"x",{"kid":1}]}`))
	f.Add([]byte(`{"keys":{"kid":"x"}}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AQAB"},{"kty":"RSA","kid":"` + fuzzKid + `","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AAAAAAAAAAAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"` + fuzzKid + `","n":"` + n + `","e":"AQAB","d":"AQAB"}]}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		p.setJWKS(body)
		v := p.validator(t)
		c, err := v.Validate(t.Context(), token)
		if err != nil {
			checkAuthError(t, err)
			// A set may publish another key under the token's kid: then the
			// signature does not verify.
			if !errors.Is(err, auth.ErrUnavailable) && !errors.Is(err, auth.ErrUnknownKey) && !errors.Is(err, auth.ErrAlgorithm) && !errors.Is(err, auth.ErrInvalidSignature) {
				t.Fatalf("a valid token against key set %q: got %v, want ErrUnavailable, ErrUnknownKey, ErrAlgorithm or ErrInvalidSignature", body, err)
			}
			return
		}
		if c.Subject != "U2fuzz" {
			t.Errorf("got sub %q, want U2fuzz", c.Subject)
		}
		if !publishes(body, fuzzKid, p.key.N) {
			t.Fatalf("token accepted by key set %q, which does not publish its key under kid %s", body, fuzzKid)
		}
	})
}

// publishes reports whether a JWKS body lists an RSA key with kid and
// modulus n (decoded here with encoding/json, independently of go-jose).
func publishes(body []byte, kid string, n *big.Int) bool {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(body, &set) != nil {
		return false
	}
	for _, raw := range set.Keys {
		var k struct {
			Kid string `json:"kid"`
			N   string `json:"n"`
		}
		if json.Unmarshal(raw, &k) != nil || k.Kid != kid {
			continue
		}
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		if err == nil && new(big.Int).SetBytes(b).Cmp(n) == 0 {
			return true
		}
	}
	return false
}
