package jwttest_test

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/jwttest"
)

// TestSignVerifiesWithGoJose: what Sign makes is an RS256 JWS go-jose
// verifies with the key's public half, with the header and payload given,
// and not with another key.
func TestSignVerifiesWithGoJose(t *testing.T) {
	t.Parallel()
	keys := fixtures.PrivateKeys()
	tok := jwttest.Sign(keys[0], "k0", map[string]any{"sub": "U1"})
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if h := jws.Signatures[0].Header; h.KeyID != "k0" || h.Algorithm != "RS256" {
		t.Errorf("header: got kid %q alg %q, want k0 RS256", h.KeyID, h.Algorithm)
	}
	payload, err := jws.Verify(&keys[0].PublicKey)
	if err != nil || string(payload) != `{"sub":"U1"}` {
		t.Errorf("Verify: got %q %v, want the payload", payload, err)
	}
	if _, err := jws.Verify(&keys[1].PublicKey); err == nil {
		t.Error("Verify with another key: got no error")
	}
}
