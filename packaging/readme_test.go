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

// shellBlocks returns the lines of the ```sh code blocks in lines.
func shellBlocks(lines []string) []string {
	var out []string
	in := false
	for _, line := range lines {
		switch {
		case !in && line == "```sh":
			in = true
		case in && line == "```":
			in = false
		case in:
			out = append(out, line)
		}
	}
	return out
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
