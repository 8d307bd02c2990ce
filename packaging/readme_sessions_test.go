package packaging

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestReadmeSessionExamples runs every command of README.md's "Test your
// own service's sessions" section, in order and verbatim except for the two
// ports, against mockidp and the API started by make run's script, and
// checks each succeeds (curl's --fail-with-body makes an answer of 400 or
// more a failure) and that the flow did what the section says: the API
// accepted the test user's session JWT, the refresh answered a new session
// JWT, and after the logout the same refresh is refused with E064001.
func TestReadmeSessionExamples(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	if _, code, err := runCommand(t.Context(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "curl", "--fail-with-body", "--version"); err != nil || code != 0 {
		t.Skip("curl (7.76 or later, for --fail-with-body) is not installed")
	}
	lines := shellBlocks(readmeSection(t, "## Test your own service's sessions"))
	mockPort, apiPort := freePort(t), freePort(t)
	cmd, out, stderr := runScript(t, "MOCKIDP_PORT="+itoa(mockPort), "API_PORT="+itoa(apiPort))
	ready := false
	var banner []string
	for !ready && out.Scan() {
		banner = append(banner, out.Text())
		ready = strings.TrimSpace(out.Text()) == readyBanner
	}
	if !ready {
		t.Fatalf("run.sh ended before its banner:\n%s\nstderr:\n%s", strings.Join(banner, "\n"), stderr.String())
	}
	go func() { // drain the rest of run.sh's output
		for out.Scan() {
		}
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		_ = cmd.Wait()
	})

	var script strings.Builder
	script.WriteString("curl() { command curl --fail-with-body \"$@\"; }\n")
	var commands []string
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			t.Fatalf("README sessions line %q continues on the next line: keep each example on one line so this test runs it", line)
		}
		line = strings.ReplaceAll(line, "127.0.0.1:8080", "127.0.0.1:"+itoa(mockPort))
		line = strings.ReplaceAll(line, "127.0.0.1:8000", "127.0.0.1:"+itoa(apiPort))
		commands = append(commands, trimmed)
		fmt.Fprintf(&script, "%s\necho \"@@ exit $? @@\"\n", line)
	}
	if len(commands) < 10 {
		t.Fatalf("found %d commands in the sessions section, want the whole flow (10 or more)", len(commands))
	}
	// After the section: the refresh JWT it logged out is refused.
	script.WriteString("command curl -s -X POST $M/v1/auth/refresh -H \"Authorization: Bearer $P:$DSR\" -d '{}'\necho \"@@ exit $? @@\"\n")

	got, code, err := runCommand(t.Context(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "bash", "-c", script.String())
	if err != nil || code != 0 {
		t.Fatalf("running the examples: exit %d (%v):\n%s", code, err, got)
	}
	results := regexp.MustCompile(`(?s)(.*?)@@ exit (\d+) @@\n`).FindAllStringSubmatch(got, -1)
	if len(results) != len(commands)+1 {
		t.Fatalf("got %d results for %d commands:\n%s", len(results), len(commands)+1, got)
	}
	for i, command := range commands {
		r := results[i]
		if r[2] != "0" {
			t.Errorf("README example %q: exit %s, answer %q", command, r[2], strings.TrimSpace(r[1]))
		}
		switch {
		case strings.Contains(command, "/api/me"):
			if !strings.Contains(r[1], `"authenticated":true`) {
				t.Errorf("README example %q answered %q, want the API to accept the session JWT", command, r[1])
			}
		case strings.Contains(command, "/v1/auth/refresh"):
			if !strings.Contains(r[1], `"sessionJwt":"ey`) {
				t.Errorf("README example %q answered %q, want a new session JWT", command, r[1])
			}
		}
	}
	if last := results[len(commands)][1]; !strings.Contains(last, `"errorCode":"E064001"`) {
		t.Errorf("refresh after the README's logout answered %q, want Descope's E064001", last)
	}
}
