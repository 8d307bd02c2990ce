// Package nodesdk runs Descope's own Node SDK (@descope/node-sdk, pinned in
// package-lock.json) against bin/mockidp: `make test-node-sdk` installs the
// SDK with npm ci and runs TestNodeSDK, which starts the mock on an
// ephemeral loopback port with the default project and runs the node:test
// files sessions.test.mjs and management.test.mjs (the management API
// and its effect on sessions) against it, over plain HTTP with both token
// response methods and over HTTPS (serve --tls, the CA given to Node as
// NODE_EXTRA_CA_CERTS). It is not part of `make test` (npm and
// Node start-up would cost its time budget); .ci/run runs it after.
package nodesdk

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// EnableEnv must be set (make test-node-sdk sets it) for TestNodeSDK to run.
const EnableEnv = "HARNESS_NODE_SDK"

// TestNodeSDK: every test of sessions.test.mjs passes against a real
// bin/mockidp process, once per token response method of Descope's: JWTs in
// the JSON body (the default project), and Set-Cookie DS and DSR (the same
// project with token_response: cookies), both of which the SDK reads.
func TestNodeSDK(t *testing.T) {
	if os.Getenv(EnableEnv) == "" {
		t.Skip("runs Descope's Node SDK from npm: make test-node-sdk")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed (Node.js 20 or later)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@descope", "node-sdk", "package.json")); err != nil {
		t.Fatal("@descope/node-sdk is not installed: run npm ci in nodesdk/ (make test-node-sdk does)")
	}
	bin := servertest.BuildCommand(t, "../mockidp/cmd/mockidp", "mockidp")
	for _, tc := range []struct {
		name, method string
		https        bool
	}{
		{mockidp.TokenResponseBody, mockidp.TokenResponseBody, false},
		{mockidp.TokenResponseCookies, mockidp.TokenResponseCookies, false},
		// Over HTTPS: the mock generates its CA at start (serve --tls) and
		// Node trusts it through NODE_EXTRA_CA_CERTS, read once at start-up
		// into every TLS connection's trust, fetch() included.
		{"https", mockidp.TokenResponseBody, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}
			if tc.method != mockidp.TokenResponseBody {
				args = append(args, "--project", projectFile(t, tc.method))
			}
			scheme, caFile := "http://", filepath.Join(t.TempDir(), "mockidp-ca.pem")
			if tc.https {
				scheme, args = "https://", append(args, "--tls", "--tls-ca-out", caFile)
			}
			addr := serve(t, bin, args)
			project := mockidp.DefaultProject()
			test := exec.CommandContext(t.Context(), node, "--test", "--test-concurrency=1", "--test-reporter=spec", "sessions.test.mjs", "management.test.mjs")
			test.Env = append(os.Environ(),
				"MOCKIDP_URL="+scheme+addr,
				"MOCKIDP_PROJECT_ID="+project.ID,
				"MOCKIDP_MANAGEMENT_KEY="+managementKey(t, project),
				"MOCKIDP_TOKEN_RESPONSE="+tc.method,
			)
			if tc.https {
				test.Env = append(test.Env, "NODE_EXTRA_CA_CERTS="+caFile)
			}
			// One file at a time: each resets the mock before every test.
			// node's own report goes straight to the output (go test -v
			// shows it, and CI reads its closing counts).
			test.Stdout, test.Stderr = os.Stdout, os.Stderr
			if err := test.Run(); err != nil {
				t.Fatalf("node --test sessions.test.mjs management.test.mjs (%s): %v (its report is above)", tc.name, err)
			}
		})
	}
	t.Run("https without the CA", func(t *testing.T) {
		// Node's fetch, which the SDK calls, refuses the mock's certificate
		// when Node is not told to trust its CA: the https run above passes
		// because of NODE_EXTRA_CA_CERTS.
		addr := serve(t, bin, []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--tls"})
		script := `try { await fetch(process.env.URL + '/_mock/health'); console.log('TRUSTED'); }
catch (e) { console.log('REFUSED', e.cause?.code ?? e.message); }`
		cmd := exec.CommandContext(t.Context(), node, "--input-type=module", "-e", script)
		cmd.Env = append(os.Environ(), "URL=https://"+addr)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "REFUSED") {
			t.Errorf("node without NODE_EXTRA_CA_CERTS: %v: %s, want the certificate refused", err, out)
		}
		t.Logf("node without the CA: %s", strings.TrimSpace(string(out)))
	})
}

// serve runs bin with args until the test ends and returns the address of
// its "mockidp listening" line.
func serve(t *testing.T, bin string, args []string) string {
	t.Helper()
	return servertest.ServeInBackground(t, "mockidp listening", func(ctx context.Context, logs io.Writer) error {
		cmd := exec.CommandContext(ctx, bin, args...)
		// Only PATH: no MOCKIDP_* setting of the caller's shell reaches the mock.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		cmd.Stdout, cmd.Stderr = logs, logs
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Run(); err != nil && ctx.Err() == nil {
			return err
		}
		return nil
	})
}

// projectFile writes the default project with another token response
// method into the test's temporary folder.
func projectFile(t *testing.T, method string) string {
	t.Helper()
	const line = "token_response: " + mockidp.TokenResponseBody
	if !bytes.Contains(fixtures.ProjectYAML, []byte(line)) {
		t.Fatalf("the default project has no %q line to change", line)
	}
	path := filepath.Join(t.TempDir(), "project.yaml")
	changed := bytes.Replace(fixtures.ProjectYAML, []byte(line), []byte("token_response: "+method), 1)
	if err := os.WriteFile(path, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// managementKey is the secret of the project's first management key.
func managementKey(t *testing.T, p *mockidp.Project) string {
	t.Helper()
	if len(p.ManagementKeys) == 0 {
		t.Fatal("the default project has no management key")
	}
	return p.ManagementKeys[0].Secret
}
