package packaging

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
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
	for _, want := range []string{"help", "build", "test", "run", "images", "up", "down", "compose-test", "compose-live",
		"test-wiring", "test-images", "test-live-mock"} {
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

// TestCIRunCallsRealTargets checks .ci/run only runs make targets that exist,
// and runs the slow ones that make test leaves out: without them the
// containers, the compose stack and the live suite's code would run on no
// machine before a user's.
func TestCIRunCallsRealTargets(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatalf("reading .ci/run: %v", err)
	}
	targets, _ := makefileTargets(t)
	var called []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, m := range makeCall.FindAllStringSubmatch(line, -1) {
			called = append(called, m[1])
			if _, ok := targets[m[1]]; !ok {
				t.Errorf(".ci/run runs make %s, which the Makefile does not define", m[1])
			}
		}
	}
	for _, want := range []string{"lint", "test", "test-wiring", "test-images", "test-live-mock"} {
		if !slices.Contains(called, want) {
			t.Errorf(".ci/run does not run make %s (it runs %v)", want, called)
		}
	}
}

// TestContainerTargetsFollowTheEngine checks make images builds with the
// engine DOCKER names, and that podman keeps the images' HEALTHCHECK
// (podman's default OCI format drops it; --format docker keeps it).
func TestContainerTargetsFollowTheEngine(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"docker", "podman"} {
		out, code, err := runCommand(t.Context(), repoRoot, environWithout("MAKE", "DOCKER"),
			"make", "--no-print-directory", "-n", "images", "DOCKER="+engine, "VERSION=1.2.3")
		if err != nil || code != 0 {
			t.Fatalf("make -n images DOCKER=%s: exit %d (%v):\n%s", engine, code, err, out)
		}
		builds := 0
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 2 || fields[1] != "build" {
				continue
			}
			builds++
			if fields[0] != engine {
				t.Errorf("DOCKER=%s: make images runs %q, want %s build", engine, line, engine)
			}
			if format := strings.Contains(line, "--format docker"); format != (engine == "podman") {
				t.Errorf("DOCKER=%s: make images runs %q: --format docker %v, want %v", engine, line, format, engine == "podman")
			}
		}
		if builds != 2 {
			t.Errorf("DOCKER=%s: make images runs %d builds, want 2 (mockidp and api):\n%s", engine, builds, out)
		}
	}
}

// TestReadmeNamesRealTargets checks every make target the README names (in
// `make X` code spans and in its code blocks) exists.
func TestReadmeNamesRealTargets(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatalf("reading README.md: %v", err)
	}
	targets, _ := makefileTargets(t)
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`make ([a-z][a-z0-9-]*)").FindAllStringSubmatch(string(raw), -1) {
		named[m[1]] = true
	}
	inBlock := false
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "```") {
			inBlock = !inBlock
			continue
		}
		if inBlock {
			for _, m := range makeCall.FindAllStringSubmatch(line, -1) {
				named[m[1]] = true
			}
		}
	}
	for _, want := range []string{"test-images", "test-live-mock", "images", "up", "down", "compose-test"} {
		if !named[want] {
			t.Errorf("the README does not name make %s", want)
		}
	}
	for name := range named {
		if _, ok := targets[name]; !ok {
			t.Errorf("the README names make %s, which the Makefile does not define", name)
		}
	}
}
