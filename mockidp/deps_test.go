package mockidp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPackageDependencies keeps the direction of mockidp's packages (issue
// 16): the configuration, wire, state and token-issuing packages never
// serve HTTP, so they never import net/http; the state, which the server
// owns, and mockclient, a plain HTTP client of the mock, never link the
// server (package mockidp); mockclient links none of its dependencies
// (Prometheus, go-jose) either. Every rule applies to each package
// of mockidp/... that exists, so a package added later is checked from its
// first commit.
func TestPackageDependencies(t *testing.T) {
	t.Parallel()
	const module = "github.com/descope-harness/harness/"
	forbidden := map[string][]string{
		"mockidp/project":    {"net/http"},
		"mockidp/wire":       {"net/http"},
		"mockidp/state":      {"net/http", module + "mockidp"},
		"mockidp/issue":      {"net/http"},
		"mockidp/mockclient": {module + "mockidp", "github.com/prometheus/client_golang", "github.com/go-jose/go-jose/v4"},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "../mockidp/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		rules, ok := forbidden[strings.TrimPrefix(pkg, module)]
		if !ok {
			continue
		}
		checked++
		for _, f := range rules {
			for dep := range strings.FieldsSeq(deps) {
				// A module path forbids its packages too (client_golang/prometheus);
				// mockidp forbids itself only, not mockidp/wire.
				if dep == f || strings.HasPrefix(dep, f+"/") && f != module+"mockidp" {
					t.Errorf("%s depends on %s (%s)", pkg, f, dep)
					break
				}
			}
		}
	}
	if checked < 5 {
		t.Errorf("checked %d packages, want mockidp/project, wire, state, issue and mockclient: go list output:\n%s", checked, out)
	}
}
