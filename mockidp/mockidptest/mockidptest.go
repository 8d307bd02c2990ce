// Package mockidptest starts a mockidp.Server on a loopback port for tests
// and stops it when the test ends. It works with *testing.T, *testing.B and
// Ginkgo's GinkgoT().
package mockidptest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// TB is the part of testing.TB the helper needs; GinkgoT() satisfies it.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Mock is a running mock issuer.
type Mock struct {
	*mockidp.Server
	// URL is the base URL, "http://127.0.0.1:port".
	URL string

	tb      TB
	srv     *httptest.Server
	cursors outboxCursors
}

// fixtureKeys are the repository's test keys: using them spares every test
// the cost of generating RSA keys.
var fixtureKeys = sync.OnceValue(fixtures.KeyPEMs)

// Start serves a mock on a loopback port until the test ends. A zero Config
// is the default project with the fixture test keys; the public URL is set
// to the listener's URL so tokens minted from Go and over HTTP agree.
func Start(tb TB, cfg mockidp.Config) *Mock {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mockidptest: listening on loopback: %v", err)
	}
	url := "http://" + ln.Addr().String()
	if cfg.PublicURL == "" {
		cfg.PublicURL = url
	}
	if cfg.KeyPEM == nil && (cfg.Project == nil || len(cfg.Project.Keys.PEMFiles) == 0) {
		cfg.KeyPEM = fixtureKeys()
	}
	s, err := mockidp.New(cfg)
	if err != nil {
		ln.Close()
		tb.Fatalf("mockidptest: %v", err)
	}
	srv := httptest.NewUnstartedServer(s)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ErrorLog = nil
	srv.Start()
	m := &Mock{Server: s, URL: url, tb: tb, srv: srv}
	tb.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return m
}

// Client returns an HTTP client for the mock.
func (m *Mock) Client() *http.Client { return m.srv.Client() }

// Issuer is the iss of the project's tokens, URL + "/" + project ID (with the
// default "url" issuer form).
func (m *Mock) Issuer() string { return m.URL + "/" + m.ProjectID() }

// DiscoveryURL is the project's OpenID configuration URL.
func (m *Mock) DiscoveryURL() string {
	return m.URL + "/" + m.ProjectID() + "/.well-known/openid-configuration"
}

// JWKSURL is the project's key-set URL.
func (m *Mock) JWKSURL() string { return m.URL + "/" + m.ProjectID() + "/.well-known/jwks.json" }

// TokenURL is the client-credentials token endpoint.
func (m *Mock) TokenURL() string { return m.URL + "/oauth2/v1/token" }

// Token returns a client-credentials token for a configured client, as the
// token endpoint issues it; the test fails if the client is unknown.
func (m *Mock) Token(clientID string) string {
	m.tb.Helper()
	t, err := m.ClientToken(clientID, m.URL)
	if err != nil {
		m.tb.Fatalf("mockidptest: token for %q: %v", clientID, err)
	}
	return t
}

// MustMint mints a token (see mockidp.MintRequest); the test fails on error.
func (m *Mock) MustMint(req mockidp.MintRequest) string {
	m.tb.Helper()
	resp, err := m.Mint(req)
	if err != nil {
		m.tb.Fatalf("mockidptest: mint: %v", err)
	}
	return resp.Token
}
