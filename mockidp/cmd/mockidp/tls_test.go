package main

// HTTPS: serve --tls and --tls-cert/--tls-key, their environment twins, and
// the client subcommands against a mock served over HTTPS.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp/tlsca"
)

const fixtureKey = "../../../fixtures/keys/test-01.pem"

// tlsClient trusts the CA in caPEM alone and expects serverName ("" for the URL's host).
func tlsClient(t *testing.T, caPEM []byte, serverName string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("not a PEM certificate: %q", caPEM)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: serverName}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func getBody(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// serve --tls: the CA written to --tls-ca-out is the one served at
// /_mock/ca.pem and the one that signed the certificate; a client trusting
// it is served at every loopback spelling and the public URL's host, and
// discovery says https; a client expecting another host refuses.
func TestServeTLSGeneratedCA(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	addr := startServing(t, "--tls", "--tls-ca-out", caFile, "--key-files", fixtureKey, "--tls-hosts", "mockidp.test,10.9.8.7",
		"--admin-token", "control-plane-token")
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("--tls-ca-out: %v", err)
	}
	if fi, _ := os.Stat(caFile); fi.Mode().Perm() != 0o644 {
		t.Errorf("CA file mode %v, want 0644 (a public certificate)", fi.Mode().Perm())
	}
	c := tlsClient(t, caPEM, "")
	base := "https://" + addr
	if status, body := getBody(t, c, base+"/_mock/ca.pem"); status != http.StatusOK || !bytes.Equal(body, caPEM) {
		t.Errorf("GET /_mock/ca.pem without the admin token: %d, equal to the file: %v; want 200 and the same PEM", status, bytes.Equal(body, caPEM))
	}
	status, body := getBody(t, c, base+"/P2MockDescopeHarness00000001/.well-known/openid-configuration")
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); status != http.StatusOK || err != nil || doc.Issuer != base+"/P2MockDescopeHarness00000001" || !strings.HasPrefix(doc.JWKSURI, base+"/") {
		t.Errorf("discovery: %d %s, want issuer %s/P2Mock… and jwks_uri under it", status, body, base)
	}
	_, port, _ := strings.Cut(addr, ":")
	for _, name := range []string{"localhost", "127.0.0.1", "mockidp.test", "10.9.8.7"} {
		if status, _ := getBody(t, tlsClient(t, caPEM, name), base+"/_mock/health"); status != http.StatusOK {
			t.Errorf("as %s: status %d", name, status)
		}
	}
	// A plain-HTTP request to the TLS port gets no mock answer.
	if resp, err := http.Get("http://" + addr + "/_mock/health"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain http to the TLS port %s: 200", port)
		}
	}
	for _, name := range []string{"api.descope.com", "mockidp"} {
		_, err := tlsClient(t, caPEM, name).Get(base + "/_mock/health")
		if !errors.As(err, new(x509.HostnameError)) {
			t.Errorf("client expecting %s: %v, want a host name error", name, err)
		}
	}
}

// The environment twins serve HTTPS the same way, and the public URL's
// host is in the certificate (a container's service name).
func TestServeTLSFromEnvironment(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	env := map[string]string{"MOCKIDP_TLS": "true", "MOCKIDP_TLS_CA_OUT": caFile, "MOCKIDP_KEY_FILES": fixtureKey,
		"MOCKIDP_PUBLIC_URL": "https://mockidp:8443", "MOCKIDP_ADDR": "127.0.0.1:0", "MOCKIDP_LOG_FORMAT": "json",
		"MOCKIDP_TIMEOUT": "60s"} // the healthcheck's 3s default is short on a loaded machine
	getenv := func(k string) string { return env[k] }
	addr := serveWithEnv(t, getenv)
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	status, body := getBody(t, tlsClient(t, caPEM, "mockidp"), "https://"+addr+"/P2MockDescopeHarness00000001/.well-known/openid-configuration")
	if status != http.StatusOK || !strings.Contains(string(body), `"issuer":"https://mockidp:8443/P2MockDescopeHarness00000001"`) {
		t.Errorf("discovery as mockidp: %d %s, want the public URL's https issuer", status, body)
	}

	// The client subcommands run beside it (a container's healthcheck) with
	// the same environment: https, trusting the CA file serve wrote.
	env["MOCKIDP_ADDR"] = addr
	if err := run(t.Context(), []string{"healthcheck"}, getenv, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck with the serve environment: %v", err)
	}
	var stdout strings.Builder
	if err := run(t.Context(), []string{"token", "--client", "admin-client", "--secret", "admin-secret"}, getenv, &stdout, io.Discard); err != nil ||
		strings.Count(stdout.String(), ".") != 2 {
		t.Errorf("token over https: %v, printed %q", err, stdout.String())
	}
	// Without the CA the clients refuse the certificate and say what to do.
	delete(env, "MOCKIDP_TLS_CA_OUT")
	err = run(t.Context(), []string{"healthcheck"}, getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") || !strings.Contains(err.Error(), "--ca-file") {
		t.Errorf("healthcheck without the CA: %v, want unknown authority and the --ca-file hint", err)
	}
	env["MOCKIDP_CA_FILE"] = filepath.Join(t.TempDir(), "missing.pem")
	if err := run(t.Context(), []string{"healthcheck"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--ca-file (MOCKIDP_CA_FILE)") {
		t.Errorf("healthcheck with a missing CA file: %v, want an error naming --ca-file (MOCKIDP_CA_FILE)", err)
	}
}

// serveWithEnv runs serve configured by getenv alone (JSON logs expected)
// and returns its address.
func serveWithEnv(t *testing.T, getenv func(string) string) string {
	t.Helper()
	return servertest.ServeInBackground(t, "mockidp listening", func(ctx context.Context, logs io.Writer) error {
		return run(ctx, []string{"serve"}, getenv, io.Discard, logs)
	})
}

// writePair writes a certificate (and its chain) and key issued by a fresh
// CA for hosts, and returns the files and the CA's PEM.
func writePair(t *testing.T, hosts ...string) (certFile, keyFile string, caPEM []byte) {
	t.Helper()
	ca, err := tlsca.New(tlsca.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(hosts...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, ca.CertPEM()
}

// --tls-cert and --tls-key serve a certificate of the user's own; the mock
// then has no CA of its own to serve.
func TestServeTLSOwnCertificate(t *testing.T) {
	t.Parallel()
	certFile, keyFile, caPEM := writePair(t, "127.0.0.1")
	addr := startServing(t, "--tls-cert", certFile, "--tls-key", keyFile, "--key-files", fixtureKey)
	c := tlsClient(t, caPEM, "")
	if status, body := getBody(t, c, "https://"+addr+"/_mock/ca.pem"); status != http.StatusNotFound || !strings.Contains(string(body), "--tls-cert") {
		t.Errorf("GET /_mock/ca.pem: %d %s, want 404 saying the certificate is the user's", status, body)
	}
	if status, body := getBody(t, c, "https://"+addr+"/P2MockDescopeHarness00000001/.well-known/openid-configuration"); status != http.StatusOK ||
		!strings.Contains(string(body), `"issuer":"https://`+addr+`/`) {
		t.Errorf("discovery: %d %s, want an https issuer", status, body)
	}
}

// Bad TLS flags and files stop start-up, naming the flag (and its
// variable), the file and the reason; nothing listens.
func TestServeTLSRefusesBadSettings(t *testing.T) {
	t.Parallel()
	certFile, keyFile, _ := writePair(t, "127.0.0.1")
	_, otherKey, _ := writePair(t, "127.0.0.1")
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"certificate without key", []string{"--tls-cert", certFile}, nil, "--tls-cert (MOCKIDP_TLS_CERT) needs --tls-key (MOCKIDP_TLS_KEY)"},
		{"key without certificate", nil, map[string]string{"MOCKIDP_TLS_KEY": keyFile}, "--tls-key (MOCKIDP_TLS_KEY) needs --tls-cert (MOCKIDP_TLS_CERT)"},
		{"CA out with own certificate", []string{"--tls-cert", certFile, "--tls-key", keyFile, "--tls-ca-out", missing}, nil, "--tls-ca-out (MOCKIDP_TLS_CA_OUT) writes the CA the mock generates"},
		{"hosts with own certificate", []string{"--tls-cert", certFile, "--tls-key", keyFile, "--tls-hosts", "x"}, nil, "--tls-hosts (MOCKIDP_TLS_HOSTS) names hosts"},
		{"CA out without TLS", []string{"--tls-ca-out", missing}, nil, "--tls-ca-out (MOCKIDP_TLS_CA_OUT) has no effect without --tls"},
		{"hosts without TLS", nil, map[string]string{"MOCKIDP_TLS_HOSTS": "x"}, "--tls-hosts (MOCKIDP_TLS_HOSTS) has no effect without --tls"},
		{"http public URL with TLS", []string{"--tls", "--public-url", "http://mockidp:8080"}, nil, `--public-url (MOCKIDP_PUBLIC_URL): "http://mockidp:8080" says http, but the mock serves https`},
		{"MOCKIDP_TLS not a boolean", nil, map[string]string{"MOCKIDP_TLS": "yes please"}, `MOCKIDP_TLS: "yes please" is not true or false`},
		{"missing certificate file", []string{"--tls-cert", missing, "--tls-key", keyFile}, nil, "--tls-cert (MOCKIDP_TLS_CERT): open " + missing + ": no such file"},
		{"missing key file", []string{"--tls-cert", certFile, "--tls-key", missing}, nil, "--tls-key (MOCKIDP_TLS_KEY): open " + missing + ": no such file"},
		{"files swapped", []string{"--tls-cert", keyFile, "--tls-key", certFile}, nil, "--tls-cert (MOCKIDP_TLS_CERT): " + keyFile + ": no CERTIFICATE block, only PRIVATE KEY (is this the key file?)"},
		{"key of another certificate", []string{"--tls-cert", certFile, "--tls-key", otherKey}, nil, "--tls-cert (MOCKIDP_TLS_CERT) " + certFile + " with --tls-key (MOCKIDP_TLS_KEY) " + otherKey + ": the private key does not belong to the certificate"},
		{"bad extra host", []string{"--tls", "--tls-hosts", "not a host"}, nil, `--tls (MOCKIDP_TLS): certificate for localhost, 127.0.0.1, ::1, not a host: tlsca: "not a host" is not a host name`},
		{"CA out in a missing folder", []string{"--tls", "--tls-ca-out", filepath.Join(missing, "ca.pem")}, nil, "--tls-ca-out (MOCKIDP_TLS_CA_OUT): writing the CA certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--key-files", fixtureKey}, tc.args...)
			var stderr strings.Builder
			err := run(t.Context(), args, func(k string) string { return tc.env[k] }, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(stderr.String(), "mockidp listening") {
				t.Errorf("it listened before refusing: %s", stderr.String())
			}
		})
	}
}
