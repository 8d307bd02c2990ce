package mockidptest_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// Over HTTPS, go-oidc discovers the mock and x/oauth2 gets a token from
// it, both trusting the mock's CA and nothing else, and every URL the mock
// publishes says https.
func TestGoOIDCAndOAuth2OverTLS(t *testing.T) {
	t.Parallel()
	mock := mockidptest.StartTLS(t, mockidp.Config{})
	if !strings.HasPrefix(mock.URL, "https://127.0.0.1:") {
		t.Fatalf("URL = %q, want https://127.0.0.1:port", mock.URL)
	}
	ctx := oidc.ClientContext(t.Context(), mock.Client())
	provider, err := oidc.NewProvider(ctx, mock.Issuer())
	if err != nil {
		t.Fatalf("go-oidc discovery over TLS: %v", err)
	}
	var doc map[string]any
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"issuer", "jwks_uri", "token_endpoint", "authorization_endpoint", "userinfo_endpoint"} {
		if v, _ := doc[k].(string); !strings.HasPrefix(v, "https://") {
			t.Errorf("discovery %s = %q, want https", k, v)
		}
	}
	cc := clientcredentials.Config{ClientID: "admin-client", ClientSecret: "admin-secret", TokenURL: provider.Endpoint().TokenURL,
		AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("x/oauth2 client credentials over TLS: %v", err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: mock.ProjectID(), Now: mock.Now}).Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("go-oidc verifies the token (key set fetched over TLS): %v", err)
	}
	if idt.Issuer != mock.Issuer() || !strings.HasPrefix(idt.Issuer, "https://") {
		t.Errorf("iss = %q, want %q", idt.Issuer, mock.Issuer())
	}
}

// A client that does not trust the CA, or that expects another host name
// (a client configured for api.descope.com), refuses the mock's certificate.
func TestTLSClientsThatDoNotTrustTheMockRefuseIt(t *testing.T) {
	t.Parallel()
	mock := mockidptest.StartTLS(t, mockidp.Config{})
	for _, tc := range []struct {
		name   string
		config *tls.Config
		want   any
	}{
		{"system roots only", &tls.Config{}, new(x509.UnknownAuthorityError)},
		{"the CA, expecting api.descope.com", &tls.Config{RootCAs: mock.CA.Pool(), ServerName: "api.descope.com"}, new(x509.HostnameError)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: tc.config}
			defer tr.CloseIdleConnections()
			_, err := oidc.NewProvider(oidc.ClientContext(t.Context(), &http.Client{Transport: tr}), mock.Issuer())
			if !errors.As(err, tc.want) {
				t.Errorf("discovery: %v, want %T", err, tc.want)
			}
		})
	}
}

// GET /_mock/ca.pem serves the CA that signed the mock's certificate; a
// mock without one answers a Descope-shaped 404 saying why.
func TestCACertificateEndpoint(t *testing.T) {
	t.Parallel()
	mock := mockidptest.StartTLS(t, mockidp.Config{AdminToken: "needed-for-everything-else"})
	resp, err := mock.Client().Get(mock.URL + "/_mock/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-pem-file" || !bytes.Equal(body, mock.CA.CertPEM()) {
		t.Errorf("GET /_mock/ca.pem without the admin token: %d %q, body equal to the CA's PEM: %v; want 200 application/x-pem-file with it",
			resp.StatusCode, resp.Header.Get("Content-Type"), bytes.Equal(body, mock.CA.CertPEM()))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(body) {
		t.Error("the body is not a PEM certificate")
	}

	plain := mockidptest.Start(t, mockidp.Config{})
	resp, err = plain.Client().Get(plain.URL + "/_mock/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"errorCode"`) || !strings.Contains(string(body), "started without --tls") {
		t.Errorf("GET /_mock/ca.pem on a plain mock: %d %s, want a Descope-shaped 404 saying it was started without --tls", resp.StatusCode, body)
	}
}
