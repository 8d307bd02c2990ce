package auth_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/fixtures"
)

// This file holds the fake provider the fuzz targets of this folder share:
// a real loopback HTTP server whose discovery document and key set a test
// can replace, and RS256 signing with a fixture key.

const (
	fuzzKid      = "SK2FuzzKey000000000000000001"
	fuzzAudience = "P2FuzzProject"
	fuzzLeeway   = 5 * time.Second
)

// fuzzNow is the fixed clock of every fuzz validator.
var fuzzNow = time.Unix(1_750_000_000, 0)

// fuzzProvider is an OIDC provider serving whatever discovery document and
// key set it is given; "$BASE" in either is replaced by its URL. It listens
// on loopback, and validators reach its handler in memory (see client).
type fuzzProvider struct {
	srv       *httptest.Server
	key       *rsa.PrivateKey
	http      *http.Client
	discovery atomic.Pointer[servedDoc]
	jwks      atomic.Pointer[servedDoc]
}

type servedDoc struct {
	contentType string
	body        []byte
}

func newFuzzProvider(tb testing.TB) *fuzzProvider {
	tb.Helper()
	key := fuzzKey(tb)
	p := &fuzzProvider{key: key}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d *servedDoc
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			d = p.discovery.Load()
		case "/jwks":
			d = p.jwks.Load()
		}
		if d == nil {
			http.NotFound(w, r)
			return
		}
		if d.contentType != "" {
			w.Header().Set("Content-Type", d.contentType)
		}
		_, _ = w.Write([]byte(strings.ReplaceAll(string(d.body), "$BASE", p.srv.URL)))
	}))
	tb.Cleanup(p.srv.Close)
	p.http = p.client()
	p.setDiscovery("application/json", []byte(`{"issuer":"$BASE","jwks_uri":"$BASE/jwks"}`))
	p.setJWKS(p.goodJWKS(tb))
	return p
}

func (p *fuzzProvider) setDiscovery(contentType string, body []byte) {
	p.discovery.Store(&servedDoc{contentType: contentType, body: body})
}

func (p *fuzzProvider) setJWKS(body []byte) {
	p.jwks.Store(&servedDoc{contentType: "application/json", body: body})
}

// goodJWKS is a key set publishing the provider's key under fuzzKid.
func (p *fuzzProvider) goodJWKS(tb testing.TB) []byte {
	tb.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: fuzzKid, Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		tb.Fatalf("encoding key set: %v", err)
	}
	return b
}

// issuer is the issuer of the default discovery document.
func (p *fuzzProvider) issuer() string { return p.srv.URL }

// client answers from the provider's handler in memory. A fuzzed jwks_uri
// can name any host: it gets a 404 instead of a network request. Staying
// off sockets also keeps coverage deterministic (no server or transport
// goroutines), which the fuzzer's minimisation needs.
func (p *fuzzProvider) client() *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		if r.URL.Host == p.srv.Listener.Addr().String() {
			p.srv.Config.Handler.ServeHTTP(rec, r)
		} else {
			http.NotFound(rec, r)
		}
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// validator is a fresh Validator for the provider with a fixed clock; all
// share one HTTP client, so fresh validators reuse connections.
func (p *fuzzProvider) validator(tb testing.TB) *auth.Validator {
	tb.Helper()
	v, err := auth.New(auth.Config{
		DiscoveryURL:     p.srv.URL + "/.well-known/openid-configuration",
		Audience:         fuzzAudience,
		Leeway:           fuzzLeeway,
		DiscoveryRetries: -1,
		HTTPClient:       p.http,
		Now:              func() time.Time { return fuzzNow },
	})
	if err != nil {
		tb.Fatalf("auth.New: %v", err)
	}
	return v
}

// validClaims are claims the default validator accepts.
func (p *fuzzProvider) validClaims() map[string]any {
	return map[string]any{
		"iss": p.issuer(), "aud": []string{fuzzAudience}, "sub": "U2fuzz",
		"iat": fuzzNow.Unix(), "exp": fuzzNow.Add(10 * time.Minute).Unix(),
		"roles": []string{"admin"}, "scope": "openid profile",
	}
}

// signJSON signs header and payload bytes as they are (RS256 with the
// provider's key), so the fuzzer controls every byte the validator parses.
func (p *fuzzProvider) signJSON(tb testing.TB, header, payload []byte) string {
	tb.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		tb.Fatalf("signing: %v", err)
	}
	return input + "." + enc.EncodeToString(sig)
}

// validToken is a token the default validator accepts.
func (p *fuzzProvider) validToken(tb testing.TB) string {
	tb.Helper()
	payload, err := json.Marshal(p.validClaims())
	if err != nil {
		tb.Fatalf("encoding claims: %v", err)
	}
	return p.signJSON(tb, []byte(`{"alg":"RS256","kid":"`+fuzzKid+`","typ":"JWT"}`), payload)
}

func fuzzKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	return fixtures.PrivateKeys()[0]
}

// checkAuthError fails unless err is one of the package's sentinel errors.
func checkAuthError(t *testing.T, err error) {
	t.Helper()
	if r := auth.Reason(err); r == "internal" || r == "" {
		t.Fatalf("got error %v (reason %q), want one of the auth sentinel errors", err, r)
	}
	if errors.Is(err, auth.ErrForbidden) || errors.Is(err, auth.ErrMissingHeader) || errors.Is(err, auth.ErrInvalidHeader) {
		t.Fatalf("Validate returned %v, which only middleware and Require* may return", err)
	}
}
