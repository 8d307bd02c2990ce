// Package mockidptest starts a mockidp.Server on a loopback port for tests
// and stops it when the test ends. It works with *testing.T, *testing.B and
// Ginkgo's GinkgoT().
package mockidptest

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/tlsca"
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
	// URL is the base URL, "http://127.0.0.1:port" ("https://" from StartTLS).
	URL string
	// CA is the authority that signed the mock's certificate (StartTLS), or nil.
	CA *tlsca.Authority
	// Certificate is the mock's serving certificate (StartTLS), or nil; a
	// browser can trust it alone: Chromium's
	// --ignore-certificate-errors-spki-list=tlsca.SPKIHash(Certificate).
	Certificate *x509.Certificate

	tb      TB
	srv     *httptest.Server
	client  *http.Client
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
	return start(tb, cfg, false)
}

// StartTLS is Start over HTTPS, as `mockidp serve --tls` serves: a fresh CA
// (Mock.CA) signs a certificate for 127.0.0.1, ::1 and localhost, the URL
// is "https://127.0.0.1:port", the CA's certificate is served at
// /_mock/ca.pem, and Client trusts the CA (and nothing else). Give the CA's
// Pool or CertPEM to the clients under test.
func StartTLS(tb TB, cfg mockidp.Config) *Mock {
	tb.Helper()
	return start(tb, cfg, true)
}

func start(tb TB, cfg mockidp.Config, useTLS bool) *Mock {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mockidptest: listening on loopback: %v", err)
	}
	scheme := "http://"
	var ca *tlsca.Authority
	var cert tls.Certificate
	if useTLS {
		scheme = "https://"
		if ca, err = tlsca.New(tlsca.Config{}); err == nil {
			cert, err = ca.Issue("127.0.0.1", "::1", "localhost")
		}
		if err != nil {
			ln.Close()
			tb.Fatalf("mockidptest: %v", err)
		}
		cfg.CACertPEM = ca.CertPEM()
	}
	url := scheme + ln.Addr().String()
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
	m := &Mock{Server: s, URL: url, CA: ca, Certificate: cert.Leaf, tb: tb, srv: srv}
	if useTLS {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		// Tests of clients that refuse the certificate make handshake
		// errors on purpose: they are not news.
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
		m.client = &http.Client{Transport: tr}
	} else {
		srv.Start()
		m.client = srv.Client()
	}
	tb.Cleanup(func() {
		srv.Close()
		if tr, ok := m.client.Transport.(*http.Transport); ok {
			tr.CloseIdleConnections()
		}
		s.Close()
	})
	return m
}

// Client returns an HTTP client for the mock (for StartTLS's, one that
// trusts its CA).
func (m *Mock) Client() *http.Client { return m.client }

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
