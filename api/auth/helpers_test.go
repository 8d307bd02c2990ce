package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/jwttest"
)

const (
	testAudience = "P2test"
	testIssuer   = "https://idp.test/P2test"
)

// testKeys are the fixture RSA-2048 keys; weakKey is a 1024-bit key the
// validator must ignore.
var (
	testKeys []*rsa.PrivateKey
	weakKey  *rsa.PrivateKey
)

func TestMain(m *testing.M) {
	testKeys = fixtures.PrivateKeys()
	if len(testKeys) < 4 {
		fmt.Fprintf(os.Stderr, "got %d fixture keys, want at least 4\n", len(testKeys))
		os.Exit(2)
	}
	var err error
	if weakKey, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		fmt.Fprintf(os.Stderr, "generating weak key: %v\n", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// jwk describes one key served by the fake provider.
type jwk struct {
	key *rsa.PrivateKey
	kid string
	alg string // "" omits alg
	use string // "" omits use
}

func jwksBody(t testing.TB, keys ...jwk) string {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.key.PublicKey, KeyID: k.kid, Algorithm: k.alg, Use: k.use})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatalf("marshal jwks: %v", err)
	}
	return string(b)
}

// sign makes a compact JWS of claims with key, kid and alg in the header:
// the module's shared test signer for RS256, go-jose for other algorithms.
func sign(t testing.TB, key *rsa.PrivateKey, kid string, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	if alg == jose.RS256 {
		return jwttest.Sign(key, kid, claims)
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return tok
}

// unsignedToken builds a token with an arbitrary header and a bogus signature.
func unsignedToken(header, claims map[string]any, signature string) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString(c) + "." + signature
}

// claimsAt returns valid claims for a token issued at now.
func claimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer,
		"aud": []string{testAudience},
		"sub": "U2user",
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

// with returns a copy of m with overrides applied; a nil value deletes the claim.
func with(m map[string]any, overrides map[string]any) map[string]any {
	out := make(map[string]any, len(m)+len(overrides))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range overrides {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// fakeIdP serves a discovery document and a key set. Handlers can be
// replaced while it runs; hits are counted.
type fakeIdP struct {
	mu        sync.Mutex
	base      string
	issuer    string
	discovery http.HandlerFunc // nil: serve the default document
	jwks      http.HandlerFunc // nil: serve jwksBody with no Cache-Control

	keys          string
	discoveryHits atomic.Int32
	jwksHits      atomic.Int32
}

func newFakeIdP(t testing.TB, base string, keys ...jwk) *fakeIdP {
	return &fakeIdP{base: base, issuer: testIssuer, keys: jwksBody(t, keys...)}
}

func (f *fakeIdP) setJWKS(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwks = h
}

func (f *fakeIdP) setDiscovery(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.discovery = h
}

func (f *fakeIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	disc, jwks, keys, base, issuer := f.discovery, f.jwks, f.keys, f.base, f.issuer
	f.mu.Unlock()
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		f.discoveryHits.Add(1)
		if disc != nil {
			disc(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, issuer, base+"/keys")
	case "/keys":
		f.jwksHits.Add(1)
		if jwks != nil {
			jwks(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, keys)
	default:
		http.NotFound(w, r)
	}
}

// serveKeys returns a key-set handler with the given Cache-Control and body.
func serveKeys(cacheControl, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		fmt.Fprint(w, body)
	}
}

// startServer runs a fake provider on a loopback httptest server.
func startServer(t testing.TB, keys ...jwk) (*fakeIdP, string) {
	t.Helper()
	idp := newFakeIdP(t, "", keys...)
	srv := httptest.NewServer(idp)
	t.Cleanup(srv.Close)
	idp.base = srv.URL
	return idp, srv.URL + "/.well-known/openid-configuration"
}

// handlerTransport serves requests from an http.Handler in-process, so
// tests inside a synctest bubble need no sockets.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// newBubbleValidator builds a validator on an in-process fake provider at
// https://idp.test; use it inside synctest.Test.
func newBubbleValidator(t *testing.T, cfg Config, keys ...jwk) (*Validator, *fakeIdP) {
	t.Helper()
	idp := newFakeIdP(t, "https://idp.test", keys...)
	cfg.DiscoveryURL = "https://idp.test/.well-known/openid-configuration"
	if cfg.Audience == "" {
		cfg.Audience = testAudience
	}
	cfg.HTTPClient = &http.Client{Transport: handlerTransport{idp}, Timeout: 10 * time.Second}
	v, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v, idp
}

// newServerValidator builds a validator on a loopback httptest provider.
func newServerValidator(t testing.TB, cfg Config, keys ...jwk) (*Validator, *fakeIdP) {
	t.Helper()
	idp, discoveryURL := startServer(t, keys...)
	cfg.DiscoveryURL = discoveryURL
	if cfg.Audience == "" {
		cfg.Audience = testAudience
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v, idp
}

// load fetches discovery and keys synchronously (no background refresher).
func load(t testing.TB, v *Validator) {
	t.Helper()
	if err := v.load(context.Background(), 0); err != nil {
		t.Fatalf("loading keys: %v", err)
	}
}

// signRaw signs arbitrary payload bytes.
func signRaw(t testing.TB, key *rsa.PrivateKey, kid string, alg jose.SignatureAlgorithm, payload []byte) string {
	t.Helper()
	if alg == jose.RS256 {
		return jwttest.SignSegments(key, jwttest.Segment(map[string]string{"alg": "RS256", "kid": kid}), jwttest.Segment(payload))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return tok
}

// len is the number of entries held (tests and benchmarks).
func (c *verifiedCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.current) + len(c.previous)
}
