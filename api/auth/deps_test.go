package auth_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoMetricsOrExampleDependency: a service importing api/auth pulls in
// neither Prometheus nor the example API (package api): metrics go through
// Config.Observer and bodies through Config.ErrorRenderer.
func TestNoMetricsOrExampleDependency(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/descope-harness/harness/api/auth").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for dep := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(dep, "prometheus") || dep == "github.com/descope-harness/harness/api" {
			t.Errorf("api/auth depends on %s", dep)
		}
	}
}
