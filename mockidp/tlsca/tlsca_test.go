package tlsca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/tlsca"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newCA(t *testing.T) *tlsca.Authority {
	t.Helper()
	ca, err := tlsca.New(tlsca.Config{Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// The CA is a CA that may sign no other CA, with a P-256 key, valid from an
// hour before now for DefaultValidity.
func TestAuthorityCertificate(t *testing.T) {
	t.Parallel()
	c := newCA(t).Certificate()
	if !c.IsCA || !c.BasicConstraintsValid || !c.MaxPathLenZero || c.MaxPathLen != 0 {
		t.Errorf("IsCA %v, basic constraints %v, MaxPathLen %d (zero %v): want a CA that signs no CA", c.IsCA, c.BasicConstraintsValid, c.MaxPathLen, c.MaxPathLenZero)
	}
	if c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("key usage %b lacks cert sign", c.KeyUsage)
	}
	if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", c.PublicKey)
	}
	if want := start.Add(-time.Hour); !c.NotBefore.Equal(want) || !c.NotAfter.Equal(want.Add(tlsca.DefaultValidity)) {
		t.Errorf("valid %s to %s, want %s to %s", c.NotBefore, c.NotAfter, want, want.Add(tlsca.DefaultValidity))
	}
	if c2 := newCA(t).Certificate(); c2.Subject.CommonName == c.Subject.CommonName {
		t.Errorf("two CAs share the common name %q: they cannot be told apart in a trust store", c.Subject.CommonName)
	}
}

// The serving certificate verifies against the CA for every host it was
// issued for, DNS names and IPs alike, and for no other.
func TestIssueVerifiesForItsHostsOnly(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	cert, err := ca.Issue("localhost", "127.0.0.1", "[::1]", "mockidp", "Host.Docker.Internal")
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("leaf key %T, want ECDSA P-256", leaf.PublicKey)
	}
	if leaf.IsCA || len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Errorf("leaf IsCA %v, ext key usage %v: want a server-auth certificate", leaf.IsCA, leaf.ExtKeyUsage)
	}
	if len(cert.Certificate) != 1 {
		t.Errorf("chain has %d certificates, want the leaf alone", len(cert.Certificate))
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true}, {"127.0.0.1", true}, {"::1", true}, {"mockidp", true}, {"host.docker.internal", true},
		{"other.example", false}, {"127.0.0.2", false}, {"mockidp.evil", false},
	} {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: tc.host, Roots: ca.Pool(), CurrentTime: start})
		if tc.ok && err != nil {
			t.Errorf("verify for %s: %v, want success", tc.host, err)
		}
		if !tc.ok && !errors.As(err, new(x509.HostnameError)) {
			t.Errorf("verify for %s: %v, want a host name error", tc.host, err)
		}
	}
	// Another run's CA does not vouch for it.
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: newCA(t).Pool(), CurrentTime: start}); !errors.As(err, new(x509.UnknownAuthorityError)) {
		t.Errorf("verify against another CA: %v, want unknown authority", err)
	}
	// Outside its validity it is refused.
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: ca.Pool(), CurrentTime: start.Add(tlsca.DefaultValidity)}); err == nil {
		t.Error("verify a year later: success, want expired")
	}
}

func TestIssueRefusesBadHosts(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	if _, err := ca.Issue(); !errors.Is(err, tlsca.ErrNoHosts) {
		t.Errorf("Issue(): %v, want ErrNoHosts", err)
	}
	for _, h := range []string{"", "a b", "http://x", "x..y", strings.Repeat("a", 64) + ".example", "host:8080"} {
		if _, err := ca.Issue(h); err == nil || !strings.Contains(err.Error(), "not a host name") {
			t.Errorf("Issue(%q): %v, want not a host name", h, err)
		}
	}
}

// Over a real TLS connection on loopback: a client trusting the CA is
// served; one without it, or expecting another host name, refuses the
// handshake.
func TestHandshake(t *testing.T) {
	t.Parallel()
	ca, err := tlsca.New(tlsca.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := func(roots *x509.CertPool, serverName string) *http.Client {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: serverName}}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr, Timeout: 10 * time.Second}
	}
	resp, err := client(ca.Pool(), "").Get(srv.URL)
	if err != nil {
		t.Fatalf("client trusting the CA: %v", err)
	}
	resp.Body.Close()
	if _, err := client(x509.NewCertPool(), "").Get(srv.URL); !errors.As(err, new(x509.UnknownAuthorityError)) {
		t.Errorf("client without the CA: %v, want unknown authority", err)
	}
	if _, err := client(ca.Pool(), "api.descope.com").Get(srv.URL); !errors.As(err, new(x509.HostnameError)) {
		t.Errorf("client expecting api.descope.com: %v, want a host name error", err)
	}
}

func TestSPKIHash(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	cert, err := ca.Issue("localhost")
	if err != nil {
		t.Fatal(err)
	}
	h := tlsca.SPKIHash(cert.Leaf)
	if len(h) != 44 || h == tlsca.SPKIHash(ca.Certificate()) {
		t.Errorf("SPKIHash = %q: want 44 base64 characters, distinct from the CA's", h)
	}
}
