package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// A provider served over HTTPS with a private CA (mockidp serve --tls):
// with PROVIDER_CA_FILE the API trusts it, loads its keys and accepts its
// tokens; without it, the API refuses the provider's certificate and says
// why in its log.
func TestProviderCAFile(t *testing.T) {
	t.Parallel()
	m := mockidptest.StartTLS(t, mockidp.Config{})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, m.CA.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := func(extra map[string]string) map[string]string {
		v := map[string]string{"DISCOVERY_URL": m.DiscoveryURL(), "AUDIENCE": m.ProjectID(), "DESCOPE_PROJECT_ID": m.ProjectID(), "DISCOVERY_RETRIES": "0"}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	if !strings.HasPrefix(m.DiscoveryURL(), "https://") {
		t.Fatalf("discovery URL %s is not https", m.DiscoveryURL())
	}

	trusting := startRun(t, vars(map[string]string{"PROVIDER_CA_FILE": caFile}))
	waitReady(t, trusting.base)
	if status, body := get(t, trusting.base+"/api/me", m.Token("admin-client")); status != 200 {
		t.Errorf("GET /api/me with a token of the HTTPS mock: %d %s, want 200", status, body)
	}

	refusing := startRun(t, vars(nil))
	for !refusing.logs.find("auth: loading keys failed, retrying", func(l map[string]any) bool {
		e, _ := l["error"].(string)
		return strings.Contains(e, "certificate signed by unknown authority")
	}) {
		select {
		case <-t.Context().Done():
			t.Fatal("no log line saying the provider's certificate is signed by an unknown authority")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if status, _ := get(t, refusing.base+"/ready", ""); status != 503 {
		t.Errorf("GET /ready of the API without the CA: %d, want 503", status)
	}
}

// waitReady polls /ready until it answers 200 (the test's deadline bounds it).
func waitReady(t *testing.T, base string) {
	t.Helper()
	for {
		if status, _ := get(t, base+"/ready", ""); status == 200 {
			return
		}
		select {
		case <-t.Context().Done():
			t.Fatal("API never became ready")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A bad PROVIDER_CA_FILE stops start-up naming the variable, the file and
// the reason.
func TestProviderCAFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.pem")
	keyOnly := write("key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	garbage := write("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	for file, want := range map[string]string{
		missing: "PROVIDER_CA_FILE: open " + missing + ": no such file",
		keyOnly: "PROVIDER_CA_FILE: " + keyOnly + ": no PEM certificate in it",
		garbage: "PROVIDER_CA_FILE: " + garbage + ": PEM block 1 is not a valid certificate",
	} {
		_, err := loadConfig(env(map[string]string{"DESCOPE_PROJECT_ID": baseProject, "PROVIDER_CA_FILE": file}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("PROVIDER_CA_FILE=%s: %v, want an error containing %q", file, err, want)
		}
	}
}
