package packaging

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"
)

var (
	makeTarget = regexp.MustCompile(`(?m)^([a-zA-Z0-9_-]+):([^=]|$)(.*)$`)
	makePhony  = regexp.MustCompile(`(?m)^\.PHONY: *(.+)$`)
	makeCall   = regexp.MustCompile(`(?:^|[;&|\s])make ([a-z][a-z0-9-]*)`)
)

// makefileTargets reads the Makefile's targets: name → documented (## comment).
func makefileTargets(t *testing.T) (targets map[string]bool, phony map[string]bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatalf("reading Makefile: %v", err)
	}
	targets, phony = map[string]bool{}, map[string]bool{}
	for _, m := range makeTarget.FindAllStringSubmatch(string(raw), -1) {
		targets[m[1]] = regexp.MustCompile(`## \S`).MatchString(m[3])
	}
	for _, m := range makePhony.FindAllStringSubmatch(string(raw), -1) {
		for _, name := range regexp.MustCompile(`\S+`).FindAllString(m[1], -1) {
			phony[name] = true
		}
	}
	return targets, phony
}

// TestMakefileDocumentsItself checks every target is .PHONY and has a `## `
// description, so `make help` lists it.
func TestMakefileDocumentsItself(t *testing.T) {
	t.Parallel()
	targets, phony := makefileTargets(t)
	for _, want := range []string{"help", "build", "test", "run", "up", "down", "compose-test", "test-wiring"} {
		if _, ok := targets[want]; !ok {
			t.Errorf("Makefile has no %s target", want)
		}
	}
	for name, documented := range targets {
		if !phony[name] {
			t.Errorf("target %s is not .PHONY", name)
		}
		if !documented {
			t.Errorf("target %s has no ## description", name)
		}
	}
}

// TestWorkflowCallsRealTargets checks the example GitHub workflow only runs
// make targets that exist.
func TestWorkflowCallsRealTargets(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatalf("reading the workflow: %v", err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("parsing the workflow: %v", err)
	}
	targets, _ := makefileTargets(t)
	calls := 0
	for job, j := range wf.Jobs {
		for _, s := range j.Steps {
			for _, m := range makeCall.FindAllStringSubmatch(s.Run, -1) {
				calls++
				if _, ok := targets[m[1]]; !ok {
					t.Errorf("job %s runs make %s, which the Makefile does not define", job, m[1])
				}
			}
		}
	}
	if calls == 0 {
		t.Error("the workflow runs no make target")
	}
}
