package packaging

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"go.yaml.in/yaml/v3"
)

// readmeSection returns the lines of README.md's section under the heading
// line heading (e.g. "## Control plane"), up to the next heading of the
// same or a higher level.
func readmeSection(t *testing.T, heading string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatalf("reading README.md: %v", err)
	}
	level := strings.Index(heading, " ")
	var out []string
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		if in && strings.HasPrefix(line, "#") {
			if l := strings.Index(line, " "); l > 0 && l <= level && strings.Trim(line[:l], "#") == "" {
				break
			}
		}
		if line == heading {
			in = true
			continue
		}
		if in {
			out = append(out, line)
		}
	}
	if !in {
		t.Fatalf("README.md has no %q heading", heading)
	}
	return out
}

// codeBlocks returns the lines of each code block of language lang in lines.
func codeBlocks(lines []string, lang string) [][]string {
	var out [][]string
	in := false
	for _, line := range lines {
		switch {
		case !in && line == "```"+lang:
			in = true
			out = append(out, nil)
		case in && line == "```":
			in = false
		case in:
			out[len(out)-1] = append(out[len(out)-1], line)
		}
	}
	return out
}

// shellBlocks returns the lines of every ```sh code block in lines.
func shellBlocks(lines []string) []string {
	return slices.Concat(codeBlocks(lines, "sh")...)
}

// TestReadmeControlPlaneExamples runs every command of README.md's
// "Control plane" section, in order and verbatim except for the port,
// against a mock started as `make run` starts it, and checks each one
// succeeds: curl's --fail-with-body turns an answer of 400 or more into a
// failure. A renamed field, path or preset in the code fails here instead
// of in a reader's terminal.
func TestReadmeControlPlaneExamples(t *testing.T) {
	t.Parallel()
	if _, code, err := runCommand(t.Context(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "curl", "--fail-with-body", "--version"); err != nil || code != 0 {
		t.Skip("curl (7.76 or later, for --fail-with-body) is not installed")
	}
	lines := shellBlocks(readmeSection(t, "## Control plane"))
	port := freePort(t)
	mock := startProcess(t, "mockidp", binPath("mockidp"), []string{"serve"},
		[]string{"MOCKIDP_ADDR=127.0.0.1:" + itoa(port), "MOCKIDP_KEY_FILES=" + filepath.Join(repoRoot, "fixtures", "keys", "test-01.pem")})
	base := "http://127.0.0.1:" + itoa(port)
	waitUntil(t, mock, "mockidp health", func() error {
		_, code, err := runCommand(t.Context(), repoRoot, nil, binPath("mockidp"), "healthcheck", "--url", base, "--timeout", "1s")
		if err != nil || code != 0 {
			return fmt.Errorf("healthcheck: exit %d (%v)", code, err)
		}
		return nil
	})

	var script strings.Builder
	script.WriteString("curl() { command curl --fail-with-body \"$@\"; }\n")
	commands := 0
	setsM := false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			t.Fatalf("README control-plane line %q continues on the next line: keep each example on one line so this test runs it", line)
		}
		if strings.HasPrefix(trimmed, "M=") {
			setsM = true
		}
		line = strings.ReplaceAll(line, "127.0.0.1:8080", "127.0.0.1:"+itoa(port))
		commands++
		fmt.Fprintf(&script, "%s\necho \"@@ exit $? @@\"\n", line)
	}
	if !setsM {
		t.Fatal("the control-plane section does not set M= before its examples")
	}
	if commands < 10 {
		t.Fatalf("found %d commands in the control-plane section, want the examples (10 or more)", commands)
	}
	out, code, err := runCommand(t.Context(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "bash", "-c", script.String())
	if err != nil || code != 0 {
		t.Fatalf("running the examples: exit %d (%v):\n%s", code, err, out)
	}
	results := regexp.MustCompile(`(?s)(.*?)@@ exit (\d+) @@\n`).FindAllStringSubmatch(out, -1)
	if len(results) != commands {
		t.Fatalf("got %d results for %d commands:\n%s", len(results), commands, out)
	}
	i := 0
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if r := results[i]; r[2] != "0" {
			t.Errorf("README example %q: exit %s, answer %q", trimmed, r[2], strings.TrimSpace(r[1]))
		}
		i++
	}
}

// TestReadmeListsPresetsAndFaultEndpoints keeps the control-plane section's
// lists of token presets and fault endpoints equal to the mock's own.
func TestReadmeListsPresetsAndFaultEndpoints(t *testing.T) {
	t.Parallel()
	section := strings.Join(readmeSection(t, "## Control plane"), "\n")
	tests := []struct {
		name  string
		start string // the paragraph opening the list
		want  []string
	}{
		{name: "presets", start: "Presets: ", want: mockidp.Presets},
		{name: "fault endpoints", start: "**Faults** on ", want: mockidp.Endpoints},
	}
	code := regexp.MustCompile("`([a-z0-9_]+)`")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := strings.Index(section, tc.start)
			if i < 0 {
				t.Fatalf("the control-plane section has no paragraph starting %q", tc.start)
			}
			paragraph, _, _ := strings.Cut(section[i+len(tc.start):], ":")
			var listed []string
			for _, m := range code.FindAllStringSubmatch(paragraph, -1) {
				listed = append(listed, m[1])
			}
			for _, w := range tc.want {
				if !slices.Contains(listed, w) {
					t.Errorf("README lists %s %v, without %q", tc.name, listed, w)
				}
			}
			for _, l := range listed {
				if !slices.Contains(tc.want, l) && !(tc.name == "fault endpoints" && l == "keys") {
					t.Errorf("README lists %s %q, which the mock does not have (it has %v)", tc.name, l, tc.want)
				}
			}
		})
	}
}

// TestReadmeServiceContainerSnippet checks the GitHub Actions snippet of
// "In your CI" as the compose file is checked: valid YAML, every variable
// it gives mockidp is one mockidp reads, the container port is the one the
// image listens on and the public URL names the published port, and no
// --health-cmd (the image has no shell; its own HEALTHCHECK is used).
func TestReadmeServiceContainerSnippet(t *testing.T) {
	t.Parallel()
	blocks := codeBlocks(readmeSection(t, "## In your CI"), "yaml")
	if len(blocks) != 1 {
		t.Fatalf("\"In your CI\" has %d yaml blocks, want 1", len(blocks))
	}
	var wf struct {
		Jobs map[string]struct {
			Services map[string]struct {
				Image   string            `yaml:"image"`
				Ports   []string          `yaml:"ports"`
				Env     map[string]string `yaml:"env"`
				Options string            `yaml:"options"`
			} `yaml:"services"`
			Steps []struct {
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(strings.Join(blocks[0], "\n")), &wf); err != nil {
		t.Fatalf("the snippet is not valid YAML: %v", err)
	}
	job, ok := wf.Jobs["test"]
	if !ok {
		t.Fatal("the snippet has no test job")
	}
	svc, ok := job.Services["mockidp"]
	if !ok || svc.Image == "" {
		t.Fatal("the snippet's job has no mockidp service with an image")
	}
	reads := mockidpEnv(t)
	for k := range svc.Env {
		if !reads[k] {
			t.Errorf("the snippet sets %s, which mockidp does not read", k)
		}
	}
	if svc.Env["MOCKIDP_ADMIN_TOKEN"] == "" && svc.Env["MOCKIDP_INSECURE_LISTEN"] != "true" {
		t.Error("the snippet's mockidp has neither an admin token nor MOCKIDP_INSECURE_LISTEN: the image refuses to start")
	}
	if tok := svc.Env["MOCKIDP_ADMIN_TOKEN"]; tok != "" && len(tok) < 16 {
		t.Errorf("the snippet's admin token %q is shorter than 16 characters: the image (on 0.0.0.0) refuses to start", tok)
	}
	if strings.Contains(svc.Options, "--health-cmd") {
		t.Errorf("options %q: the image has no shell for --health-cmd; its HEALTHCHECK runs the binary", svc.Options)
	}
	df := loadDockerfile(t, "Dockerfile.mockidp")
	exposed := strings.Fields(strings.Join(df.final().all("EXPOSE"), " "))
	mapped, err := hostPorts(svc.Ports)
	if err != nil || len(mapped) != 1 {
		t.Fatalf("ports %v: want one host:container mapping (%v)", svc.Ports, err)
	}
	for container, host := range mapped {
		if !slices.Contains(exposed, container) {
			t.Errorf("the snippet publishes container port %s, but the image listens on %v", container, exposed)
		}
		if u := mustURL(t, svc.Env["MOCKIDP_PUBLIC_URL"]); u.Port() != host {
			t.Errorf("MOCKIDP_PUBLIC_URL %s does not name the published port %s", u, host)
		}
	}
	projectID := fixtureProjectID(t)
	for _, step := range job.Steps {
		if v, ok := step.Env["DESCOPE_PROJECT_ID"]; ok && v != projectID {
			t.Errorf("a step sets DESCOPE_PROJECT_ID=%s, want the embedded project %s", v, projectID)
		}
	}
}
