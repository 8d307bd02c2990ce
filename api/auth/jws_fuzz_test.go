package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// FuzzScreenHeader compares the {alg, kid} pre-screen with go-jose's parse
// of the same token (any header bytes, a fixed payload and signature).
// Invariants: no panic; every refusal is a sentinel; when go-jose reads an
// allowed alg and a kid from a header whose only members named alg or kid
// (in any letter case) are exactly "alg" and "kid", the pre-screen lets the
// token through with the same alg and kid, so it never refuses a token
// go-jose would go on to verify.
func FuzzScreenHeader(f *testing.F) {
	v, err := New(Config{DiscoveryURL: "https://idp.test/.well-known/openid-configuration", Audience: testAudience,
		Algorithms: []string{"RS256", "PS256"}})
	if err != nil {
		f.Fatal(err)
	}
	for _, h := range []string{
		`{"alg":"RS256","kid":"k0","typ":"JWT"}`, `{"alg":"RS256"}`, `{"kid":"k0"}`, `{"alg":"none","kid":"k0"}`,
		`{"alg":"HS256","kid":"k0"}`, `{"alg":"RS256","kid":""}`, `{"alg":"RS256","KID":"k0"}`, `{"ALG":"RS256","kid":"k0"}`,
		`{"alg":"RS256","kid":"a","kid":"b"}`, `{"alg":"RS256","kid":7}`, `{"alg":"PS256","kid":"k0","crit":["b64"]}`,
		`[]`, `null`, `{`, ``, "{\"alg\":\"RS256\",\"kid\":\"\xff\"}", `{"alg":"RS256","kid":"k0"} x`,
	} {
		f.Add([]byte(h))
	}
	rest := "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x"}`)) + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 256))
	f.Fuzz(func(t *testing.T, header []byte) {
		token := base64.RawURLEncoding.EncodeToString(header) + rest
		got, err := v.screenHeader(token)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAlgorithm) && !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("screenHeader: %v is not a sentinel", err)
		}
		jws, jerr := jose.ParseSignedCompact(token, v.cfg.algorithms)
		if jerr != nil || len(jws.Signatures) != 1 {
			return
		}
		h := jws.Signatures[0].Header
		if !v.cfg.allowed[h.Algorithm] || h.KeyID == "" || !plainMembers(header) {
			return
		}
		if err != nil || got.Alg != h.Algorithm || got.Kid != h.KeyID {
			t.Fatalf("header %q: pre-screen %+v %v, go-jose alg %q kid %q", header, got, err, h.Algorithm, h.KeyID)
		}
	})
}

// plainMembers reports whether header is a JSON object whose members that
// fold to "alg" or "kid" are exactly those names, each once.
func plainMembers(header []byte) bool {
	dec := json.NewDecoder(strings.NewReader(string(header)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		name, _ := tok.(string)
		if folded := strings.ToLower(name); folded == "alg" || folded == "kid" {
			if name != folded || seen[name] {
				return false
			}
			seen[name] = true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return true
}
