//go:build browser

// The /docs page in a real browser: headless Chromium (Debian's chromium
// package). A browser costs more than the rest of this package's tests
// together, so it runs under `make test-browser`, not `make test`; .ci/run
// runs it with CI=true, where a missing chromium fails the test instead of
// skipping.

package api

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The /docs page renders in a real headless browser from the embedded
// assets alone (no network but loopback) and lists the API's operations.
func TestDocsRenderInBrowser(t *testing.T) {
	t.Parallel()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not on PATH: .ci/run installs it (apt-get install chromium); CI must run this test")
		}
		t.Skip("chromium is not on PATH; install it (apt-get install chromium) to run the docs browser check")
	}
	srv := httptest.NewServer(newTestServer(t, fakeAuth{}))
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=10000", "--dump-dom", srv.URL+"/docs")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	dom := string(out)
	if !regexp.MustCompile(`class="swagger-ui`).MatchString(dom) {
		t.Fatalf("rendered DOM has no Swagger UI (%d bytes)", len(dom))
	}
	// Swagger UI renders one op block per operation, with the operation's
	// ID in the block's id and its path in a data-path attribute.
	for key := range operations {
		method, path, _ := strings.Cut(key, " ")
		block := regexp.MustCompile(`class="opblock opblock-` + strings.ToLower(method) + `[^"]*" id="operations-[a-z]+-` +
			regexp.QuoteMeta(operationID(method, path)) + `">[\s\S]{0,600}?data-path="` + regexp.QuoteMeta(path) + `"`)
		if !block.MatchString(dom) {
			t.Errorf("rendered DOM: no operation block for %s", key)
		}
	}
}
