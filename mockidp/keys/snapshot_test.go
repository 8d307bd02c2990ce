package keys_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"regexp"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/descope-harness/harness/mockidp/keys"
)

// jwkPattern is the exact shape of one JWK: members in alphabetical order,
// base64url without padding.
var jwkPattern = regexp.MustCompile(`^\{"alg":"RS256","e":"AQAB","kid":"SK[0-9A-Za-z]{27}","kty":"RSA","n":"[A-Za-z0-9_-]{342}","use":"sig"\}$`)

func TestSnapshotJWKSParsesToPublicKeys(t *testing.T) {
	t.Parallel()
	s := newSet(t, keys.Config{Keep: 3})
	if err := s.Rotate(2); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	published := s.Published()

	var set jose.JSONWebKeySet
	if err := json.Unmarshal(snap.JWKS, &set); err != nil {
		t.Fatalf("go-jose cannot parse the JWKS: %v", err)
	}
	if got, want := len(set.Keys), len(published); got != want {
		t.Fatalf("got %d JWKs, want %d", got, want)
	}
	for i, jwk := range set.Keys {
		want := published[i]
		if jwk.KeyID != want.ID || jwk.Algorithm != "RS256" || jwk.Use != "sig" {
			t.Errorf("JWK %d: got kid %q alg %q use %q, want %q RS256 sig", i, jwk.KeyID, jwk.Algorithm, jwk.Use, want.ID)
		}
		if !jwk.IsPublic() {
			t.Errorf("JWK %d: got a private key, want the public half only", i)
		}
		pub, ok := jwk.Key.(*rsa.PublicKey)
		if !ok {
			t.Fatalf("JWK %d: got %T, want *rsa.PublicKey", i, jwk.Key)
		}
		if !pub.Equal(&want.Private.PublicKey) {
			t.Errorf("JWK %d: public key differs from the private key's public half", i)
		}
	}
	if !bytes.Equal(snap.JWKS, append(append([]byte(`{"keys":`), snap.Array...), '}')) {
		t.Errorf("got JWKS %s, want {\"keys\":Array}", snap.JWKS)
	}

	var raw []json.RawMessage
	if err := json.Unmarshal(snap.Array, &raw); err != nil {
		t.Fatalf("Array is not a JSON array: %v", err)
	}
	for i, r := range raw {
		if !jwkPattern.Match(r) {
			t.Errorf("JWK %d: got %s, want exactly alg,e,kid,kty,n,use in that order", i, r)
		}
	}
	assertKids(t, snap.Kids, kids(published)...)
	if snap.Current != s.Current().ID {
		t.Errorf("got Current %s, want %s", snap.Current, s.Current().ID)
	}
	if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(snap.ETag) {
		t.Errorf("got ETag %s, want a quoted strong ETag", snap.ETag)
	}
}

func TestSnapshotNeverLeaksPrivateMembers(t *testing.T) {
	t.Parallel()
	snap := newSet(t, keys.Config{}).Snapshot()
	for _, member := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
		if bytes.Contains(snap.JWKS, []byte(member+":")) {
			t.Errorf("got private member %s in the JWKS %s, want public members only", member, snap.JWKS)
		}
	}
}

// Not parallel: testing.AllocsPerRun refuses to run in a parallel test.
func TestSnapshotIsBuiltOncePerChange(t *testing.T) {
	s := newSet(t, keys.Config{})
	a, b := s.Snapshot(), s.Snapshot()
	if &a.JWKS[0] != &b.JWKS[0] {
		t.Errorf("got two encodings of an unchanged set, want the same pre-encoded bytes")
	}
	if n := testing.AllocsPerRun(100, func() { _ = s.Snapshot() }); n != 0 {
		t.Errorf("got %v allocations per Snapshot, want 0", n)
	}
}
