// Package https holds no code, only the test that runs the harness over
// HTTPS end to end, as a user would: bin/mockidp serve --tls writes its CA
// to a file, two bin/api processes trust it through PROVIDER_CA_FILE and
// reach the mock's https discovery URL, and the offline suites run in
// external mode against them, trusting the CA through
// HARNESS_MOCKIDP_CA_FILE. curl checks the README's commands. `make
// test-tls` runs it (HARNESS_TLS_STACK=1); it is kept out of `make test`'s
// time like make test-wiring.
package https

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// EnableEnv must be set (make test-tls sets it) for the stack test to run.
const EnableEnv = "HARNESS_TLS_STACK"

const adminToken = "harness-admin-token"

// stack is bin/mockidp over HTTPS and two bin/api processes trusting it.
type stack struct {
	mockURL   string // https://127.0.0.1:port
	caFile    string
	apiURL    string
	detailURL string
}

func startStack(t *testing.T) *stack {
	t.Helper()
	mockBin := servertest.BuildCommand(t, "../mockidp/cmd/mockidp", "mockidp")
	apiBin := servertest.BuildCommand(t, "../api/cmd/api", "api")
	s := &stack{caFile: filepath.Join(t.TempDir(), "mockidp-ca.pem")}
	addr := serve(t, mockBin, "mockidp listening", nil, "serve", "--tls", "--tls-ca-out", s.caFile, "--addr", "127.0.0.1:0",
		"--admin-token", adminToken, "--log-format", "json")
	s.mockURL = "https://" + addr
	project := mockidp.DefaultProject()
	apiEnv := func(extra ...string) []string {
		return append([]string{"DESCOPE_PROJECT_ID=" + project.ID,
			"DISCOVERY_URL=" + s.mockURL + "/" + project.ID + "/.well-known/openid-configuration",
			"PROVIDER_CA_FILE=" + s.caFile, "JWKS_REFETCH_COOLDOWN=1s", "PROVIDER_TIMEOUT=1s", "PORT=0", "LOG_FORMAT=json"}, extra...)
	}
	s.apiURL = "http://" + serve(t, apiBin, "api listening", apiEnv())
	s.detailURL = "http://" + serve(t, apiBin, "api listening", apiEnv("AUTH_ERROR_DETAIL=true"))
	for _, base := range []string{s.apiURL, s.detailURL} {
		waitReady(t, base)
	}
	return s
}

// serve runs bin with args and env (and PATH) until the test ends, and
// returns the address of its listening line.
func serve(t *testing.T, bin, listening string, env []string, args ...string) string {
	t.Helper()
	return servertest.ServeInBackground(t, listening, func(ctx context.Context, logs io.Writer) error {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
		cmd.Stdout, cmd.Stderr = logs, logs
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Run(); err != nil && ctx.Err() == nil {
			return err
		}
		return nil
	})
}

// waitReady polls an API's /ready until it answers 200: it has fetched the
// mock's keys over HTTPS (the test's deadline bounds the wait).
func waitReady(t *testing.T, base string) {
	t.Helper()
	for {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("%s/ready never answered 200 (last error %v)", base, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestStackOverHTTPS(t *testing.T) {
	if os.Getenv(EnableEnv) == "" {
		t.Skip("runs the suites against bin/mockidp --tls: make test-tls")
	}
	s := startStack(t)
	caPEM, err := os.ReadFile(s.caFile)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the CA file is the CA the mock serves", func(t *testing.T) {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(caPEM)
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
		resp, err := c.Get(s.mockURL + "/_mock/ca.pem")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, caPEM) {
			t.Errorf("GET /_mock/ca.pem: %d, equal to --tls-ca-out's file: %v", resp.StatusCode, bytes.Equal(body, caPEM))
		}
	})

	t.Run("curl trusts the mock with --cacert and refuses it without", func(t *testing.T) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			t.Skip("curl is not installed")
		}
		out, err := exec.CommandContext(t.Context(), curl, "-sS", "--fail", "--cacert", s.caFile, s.mockURL+"/_mock/health").CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"ok"`) {
			t.Errorf("curl --cacert: %v: %s", err, out)
		}
		out, err = exec.CommandContext(t.Context(), curl, "-sS", "--fail", s.mockURL+"/_mock/health").CombinedOutput()
		var exit *exec.ExitError
		// 60: the peer's certificate cannot be verified with the known CAs.
		if !errors.As(err, &exit) || exit.ExitCode() != 60 {
			t.Errorf("curl without --cacert: %v (%s), want exit 60", err, out)
		}
	})

	t.Run("the external-mode suites pass over HTTPS", func(t *testing.T) {
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		env := []string{
			"HARNESS_MOCKIDP_URL=" + s.mockURL, "HARNESS_MOCKIDP_CA_FILE=" + s.caFile, "HARNESS_MOCKIDP_ADMIN_TOKEN=" + adminToken,
			"HARNESS_API_URL=" + s.apiURL, "HARNESS_API_DETAIL_URL=" + s.detailURL,
			"HARNESS_API_REFETCH_COOLDOWN=1s", "HARNESS_API_PROVIDER_TIMEOUT=1s",
		}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "HARNESS_") && !strings.HasPrefix(kv, "DESCOPE_") {
				env = append(env, kv)
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "tool", "ginkgo", "-r", "--no-color", "--label-filter=offline", "./suites")
		cmd.Dir, cmd.Env = root, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go tool ginkgo -r --label-filter=offline ./suites over HTTPS: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Logf("suites over HTTPS passed:\n%s", strings.Join(lines[max(0, len(lines)-8):], "\n"))
	})
}
