package packaging

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
)

var (
	startedPID  = regexp.MustCompile(`^(mockidp|api) \(pid (\d+)\) starting`)
	printedCmd  = regexp.MustCompile(`^\s+\$ (.+)$`)
	readyBanner = "Press Ctrl-C to stop both."
)

// runScript starts scripts/run.sh in its own process group, as a terminal
// would, with the built binaries and the given settings.
func runScript(t *testing.T, settings ...string) (*exec.Cmd, *bufio.Scanner, *servertest.Buffer) {
	t.Helper()
	return startScript(t, exec.Command(filepath.Join(repoRoot, "scripts", "run.sh")), settings...)
}

// runScriptIgnoringINT starts scripts/run.sh with SIGINT ignored, as a shell
// script's `make run &` does: bash cannot trap a signal ignored at entry, so
// only the servers (Go re-enables SIGINT) react to a Ctrl-C.
func runScriptIgnoringINT(t *testing.T, settings ...string) (*exec.Cmd, *bufio.Scanner, *servertest.Buffer) {
	t.Helper()
	return startScript(t, exec.Command("bash", "-c", `trap "" INT; exec "$0"`, filepath.Join(repoRoot, "scripts", "run.sh")), settings...)
}

func startScript(t *testing.T, cmd *exec.Cmd, settings ...string) (*exec.Cmd, *bufio.Scanner, *servertest.Buffer) {
	t.Helper()
	cmd.Dir = repoRoot
	// Settings come last: for a repeated name the last value wins.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "BIN_DIR=" + binDir, "LOG_DIR=" + t.TempDir()}, settings...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &servertest.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting scripts/run.sh: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // only if a test failed midway
	})
	return cmd, bufio.NewScanner(stdout), stderr
}

// TestRunScript runs make run's script on free ports, waits for its banner,
// runs the commands it prints and checks their answers, then stops it and
// checks both servers are gone: once with Ctrl-C (SIGINT to the whole
// process group, as a terminal sends it) and once with SIGTERM to the script
// alone, which only its trap can pass on.
func TestRunScript(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the printed commands use it")
	}
	ctrlC := func(pid int) error { return syscall.Kill(-pid, syscall.SIGINT) }
	tests := []struct {
		name    string
		project func(t *testing.T) string // MOCKIDP_PROJECT, "" for the embedded one
		stop    func(scriptPID int) error
	}{
		{name: "Ctrl-C", stop: ctrlC},
		{name: "SIGTERM to the script only", stop: func(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }},
		// Tokens of an "apps" project carry {base}/v1/apps/{pid}: the API
		// must discover that document, not the project one.
		{name: "project with issuer_form apps", project: issuerFormProject("apps"), stop: ctrlC},
		// Tokens carry the bare project ID, which no discovery document names.
		{name: "project with issuer_form project", project: issuerFormProject("project"), stop: ctrlC},
		// Another project's clients: the printed commands must be its own
		// (they printed the fixture's admin-client before, which failed).
		{name: "project with other clients", project: otherClientsProject, stop: ctrlC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var project string
			if tc.project != nil {
				project = tc.project(t)
			}
			testRunScript(t, project, tc.stop)
		})
	}
}

// otherClientsProject writes a project whose clients are not the fixture's;
// the first has the roles /api/admin/users wants and a secret that needs
// shell quoting.
func otherClientsProject(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "project.yaml")
	project := "project_id: P2OtherProject00000000000000\nclients:\n" +
		"  - {id: ci-bot, secret: \"bot secret's\", roles: [admin], permissions: [users.create], claims: {name: CI Bot}}\n" +
		"  - {id: second-client, secret: s2}\n"
	if err := os.WriteFile(path, []byte(project), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// issuerFormProject writes the fixture project with another issuer_form.
func issuerFormProject(form string) func(t *testing.T) string {
	return func(t *testing.T) string {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(repoRoot, "fixtures", "project.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?m)^issuer_form: *url$`)
		if !re.Match(raw) {
			t.Fatal("fixtures/project.yaml has no 'issuer_form: url' line to replace")
		}
		path := filepath.Join(t.TempDir(), "project.yaml")
		if err := os.WriteFile(path, re.ReplaceAll(raw, []byte("issuer_form: "+form)), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
}

func testRunScript(t *testing.T, project string, stop func(scriptPID int) error) {
	mockPort, apiPort := freePort(t), freePort(t)
	settings := []string{"MOCKIDP_PORT=" + itoa(mockPort), "API_PORT=" + itoa(apiPort)}
	if project != "" {
		settings = append(settings, "MOCKIDP_PROJECT="+project)
	}
	cmd, lines, stderr := runScript(t, settings...)

	pids := map[string]int{}
	var commands, output []string
	ready := false
	for !ready && lines.Scan() {
		line := lines.Text()
		output = append(output, line)
		if m := startedPID.FindStringSubmatch(line); m != nil {
			pids[m[1]], _ = strconv.Atoi(m[2])
		}
		if m := printedCmd.FindStringSubmatch(line); m != nil {
			commands = append(commands, m[1])
		}
		ready = strings.TrimSpace(line) == readyBanner
	}
	if !ready {
		t.Fatalf("run.sh ended before its banner:\n%s\nstderr:\n%s", strings.Join(output, "\n"), stderr.String())
	}
	if pids["mockidp"] == 0 || pids["api"] == 0 {
		t.Fatalf("run.sh printed no pids for both servers: %v\n%s", pids, strings.Join(output, "\n"))
	}
	for _, want := range []string{fmt.Sprintf("http://127.0.0.1:%d/docs", apiPort), fmt.Sprintf("http://127.0.0.1:%d/oauth2/v1/token", mockPort)} {
		if !strings.Contains(strings.Join(output, "\n"), want) {
			t.Errorf("run.sh output does not mention %s", want)
		}
	}

	results := runPrinted(t, commands)
	client, name := "admin-client", "Admin Client"
	if project != "" && strings.Contains(readFile(t, project), "ci-bot") {
		client, name = "ci-bot", "CI Bot"
	}
	checks := []struct {
		contains string
		want     []string
	}{
		{contains: "/api/me", want: []string{`"authenticated":true`, `"name":"` + name + `"`}},
		{contains: "/api/admin/users", want: []string{`"message":"Admin access granted"`, `"users":[`}},
		{contains: "/oauth2/v1/token", want: []string{`"access_token":"`}},
	}
	for _, c := range checks {
		found := false
		for i, command := range commands {
			if !strings.Contains(command, c.contains) {
				continue
			}
			found = true
			for _, w := range c.want {
				if !strings.Contains(results[i], w) {
					t.Errorf("printed command %q answered %q, want it to contain %s", command, results[i], w)
				}
			}
		}
		if !found {
			t.Errorf("run.sh printed no command calling %s; printed: %q", c.contains, commands)
		}
	}
	for _, command := range commands {
		if !strings.Contains(command, "--client "+client) && !strings.Contains(command, "-u "+client+":") {
			t.Errorf("printed command %q is not for the project's first client %s", command, client)
		}
	}
	checkPrintedCommandsFailLoudly(t, commands)
	if client == "admin-client" { // the README's access key is the fixture's
		checkAccessKeyAccepted(t, mockPort, apiPort)
	}
	if project == "" {
		checkReadmeQuickStart(t, commands, mockPort, apiPort)
	}

	if err := stop(cmd.Process.Pid); err != nil {
		t.Fatalf("stopping run.sh: %v", err)
	}
	// Hang guard, not a speed limit: a script that fails to stop its
	// children would otherwise keep this test waiting forever.
	hung := time.AfterFunc(time.Minute, func() {
		t.Errorf("run.sh still running a minute after the signal: killing its process group")
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})
	defer hung.Stop()
	for lines.Scan() {
		output = append(output, lines.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("run.sh after the signal: %v, want exit 0\nstderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(strings.Join(output, "\n"), "Stopped.") {
		t.Errorf("run.sh did not report stopping:\n%s", strings.Join(output, "\n"))
	}
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still exists after run.sh stopped (kill -0: %v)", name, pid, err)
		}
	}
	for _, port := range []int{mockPort, apiPort} {
		if conn, err := net.Dial("tcp", "127.0.0.1:"+itoa(port)); err == nil {
			conn.Close()
			t.Errorf("port %d still accepts connections after run.sh stopped", port)
		}
	}
}

// checkPrintedCommandsFailLoudly runs each printed command with a wrong
// secret: it must fail (exit status not 0) and show the mock's refusal,
// never call the API with an error body as the token.
func checkPrintedCommandsFailLoudly(t *testing.T, commands []string) {
	t.Helper()
	secret := regexp.MustCompile(`--secret |-u [^: ]+:`)
	for _, command := range commands {
		m := secret.FindString(command)
		if m == "" {
			t.Errorf("printed command %q names no client secret", command)
			continue
		}
		wrong := strings.Replace(command, m, m+"wrong-", 1)
		out, code, err := runCommand(t.Context(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "bash", "-c", wrong)
		if err != nil || code == 0 {
			t.Errorf("printed command with a wrong secret %q: exit %d (%v), want a failure:\n%s", wrong, code, err, out)
		}
		if !strings.Contains(out, "401") || !strings.Contains(out, "invalid client credentials") {
			t.Errorf("printed command with a wrong secret %q: output %q does not show the mock's 401", wrong, out)
		}
		if strings.Contains(out, "Authorization header") || strings.Contains(out, `"authenticated"`) {
			t.Errorf("printed command with a wrong secret %q called the API anyway: %q", wrong, out)
		}
	}
}

// readFile is a file's text.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkReadmeQuickStart checks README.md's quick start shows the commands
// make run prints (on its default ports): those are the ones this test runs.
func checkReadmeQuickStart(t *testing.T, printed []string, mockPort, apiPort int) {
	t.Helper()
	var want []string
	for _, c := range printed {
		c = strings.ReplaceAll(c, " --url http://127.0.0.1:"+itoa(mockPort), "")
		c = strings.ReplaceAll(c, "127.0.0.1:"+itoa(mockPort), "127.0.0.1:8080")
		c = strings.ReplaceAll(c, "127.0.0.1:"+itoa(apiPort), "127.0.0.1:8000")
		c = strings.ReplaceAll(c, binDir+"/", "bin/")
		want = append(want, c)
	}
	blocks := codeBlocks(readmeSection(t, "## Quick start"), "sh")
	if len(blocks) < 2 {
		t.Fatalf("README's quick start has %d shell blocks, want make run's commands in the second", len(blocks))
	}
	var shown []string
	for _, line := range blocks[1] {
		line, _, _ = strings.Cut(line, "   #") // a trailing comment
		shown = append(shown, strings.TrimSpace(line))
	}
	if !slices.Equal(shown, want) {
		t.Errorf("README's quick start shows\n  %s\nbut make run prints (on ports 8080 and 8000)\n  %s", strings.Join(shown, "\n  "), strings.Join(want, "\n  "))
	}
}

// checkAccessKeyAccepted exchanges the fixture access key with the README
// quick start's command (its port changed) and calls /api/me with the
// session token: make run's API must accept it although its issuer is the
// inbound-app form.
func checkAccessKeyAccepted(t *testing.T, mockPort, apiPort int) {
	t.Helper()
	var exchange string
	for _, line := range shellBlocks(readmeSection(t, "## Quick start")) {
		if strings.Contains(line, "/v1/auth/accesskey/exchange") {
			exchange = strings.ReplaceAll(line, "127.0.0.1:8080", "127.0.0.1:"+itoa(mockPort))
		}
	}
	if exchange == "" {
		t.Fatal("README's quick start shows no access-key exchange command")
	}
	body, code, err := runCommand(t.Context(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "bash", "-c", exchange)
	if err != nil || code != 0 {
		t.Fatalf("README's access-key exchange %q: exit %d (%v): %s", exchange, code, err, body)
	}
	apiURL := "http://127.0.0.1:" + itoa(apiPort)
	var exchanged struct {
		SessionJWT string `json:"sessionJwt"`
	}
	if err := json.Unmarshal([]byte(body), &exchanged); err != nil || exchanged.SessionJWT == "" {
		t.Fatalf("access-key exchange answered %s: no sessionJwt (%v)", body, err)
	}
	if status, body := call(t, http.MethodGet, apiURL+"/api/me", "Bearer "+exchanged.SessionJWT, "", ""); status != http.StatusOK || !strings.Contains(body, `"authenticated":true`) {
		t.Errorf("GET /api/me with the access key's session token (iss %v): %d %s, want 200", jwtPart(t, exchanged.SessionJWT, 1)["iss"], status, body)
	}
}

// runPrinted runs the printed commands in one bash, in order, as a user
// pasting them would, and returns each command's output.
func runPrinted(t *testing.T, commands []string) []string {
	t.Helper()
	if len(commands) == 0 {
		t.Fatal("run.sh printed no commands")
	}
	const sep = "----packaging-command-end----"
	var script strings.Builder
	script.WriteString("set -e\n")
	for _, c := range commands {
		fmt.Fprintf(&script, "%s\necho\necho %s\n", c, sep)
	}
	out, code, err := runCommand(context.Background(), repoRoot, []string{"PATH=" + os.Getenv("PATH")}, "bash", "-c", script.String())
	if err != nil || code != 0 {
		t.Fatalf("printed commands failed: exit %d (%v)\n%s\nscript:\n%s", code, err, out, script.String())
	}
	parts := strings.Split(out, sep+"\n")
	if len(parts) != len(commands)+1 {
		t.Fatalf("got %d outputs for %d commands:\n%s", len(parts)-1, len(commands), out)
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts[:len(commands)]
}

// TestRunScriptRefusals checks run.sh fails clearly, before starting
// anything, on a port in use and on bad settings.
func TestRunScriptRefusals(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() }) // not defer: the parallel subtests run after this function returns
	busy := ln.Addr().(*net.TCPAddr).Port
	free := freePort(t)

	tests := []struct {
		name     string
		settings []string
		want     string
	}{
		{name: "mockidp port in use", settings: []string{"MOCKIDP_PORT=" + itoa(busy), "API_PORT=" + itoa(free)},
			want: fmt.Sprintf("port %d (MOCKIDP_PORT) is in use", busy)},
		{name: "api port in use", settings: []string{"MOCKIDP_PORT=" + itoa(free), "API_PORT=" + itoa(busy)},
			want: fmt.Sprintf("port %d (API_PORT) is in use", busy)},
		{name: "same port twice", settings: []string{"MOCKIDP_PORT=" + itoa(free), "API_PORT=" + itoa(free)},
			want: "MOCKIDP_PORT and API_PORT are both"},
		{name: "port not a number", settings: []string{"MOCKIDP_PORT=http", "API_PORT=" + itoa(free)},
			want: "port 'http' is not a number"},
		{name: "project file missing", settings: []string{"MOCKIDP_PORT=" + itoa(free), "API_PORT=" + itoa(freePort(t)), "MOCKIDP_PROJECT=no-such-file.yaml"},
			want: "MOCKIDP_PROJECT: cannot read 'no-such-file.yaml'"},
		{name: "unknown issuer form", settings: []string{"MOCKIDP_PORT=" + itoa(free), "API_PORT=" + itoa(freePort(t)), "MOCKIDP_PROJECT=" + issuerFormProject("bogus")(t)},
			want: `issuer_form: "bogus" is not one of url, apps, project`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{"PATH=" + os.Getenv("PATH"), "BIN_DIR=" + binDir, "LOG_DIR=" + t.TempDir()}, tc.settings...)
			// A script that wrongly starts the servers would never end: bound it.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, code, err := runCommand(ctx, repoRoot, env, filepath.Join(repoRoot, "scripts", "run.sh"))
			if err != nil || code == 0 {
				t.Fatalf("run.sh: exit %d (%v), want a failure:\n%s", code, err, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("run.sh said %q, want it to contain %q", out, tc.want)
			}
			if strings.Contains(out, "starting on") {
				t.Errorf("run.sh started a server before refusing:\n%s", out)
			}
		})
	}
}

// TestMakeRunPassesSettings checks `make run VAR=…` hands the settings and
// the bin folder to the script.
func TestMakeRunPassesSettings(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	out, code, err := runCommand(context.Background(), repoRoot, env, "make", "-n", "run", "MOCKIDP_PORT=18080", "API_PORT=18000", "MOCKIDP_PROJECT=fixtures/project.yaml")
	if err != nil || code != 0 {
		t.Fatalf("make -n run: exit %d (%v):\n%s", code, err, out)
	}
	for _, want := range []string{"MOCKIDP_PORT='18080'", "API_PORT='18000'", "MOCKIDP_PROJECT='fixtures/project.yaml'", "BIN_DIR='bin'", "./scripts/run.sh", "go build"} {
		if !strings.Contains(out, want) {
			t.Errorf("make -n run does not show %s:\n%s", want, out)
		}
	}
}

// TestRunScriptCtrlCWithINTIgnored presses Ctrl-C on a script started with
// SIGINT ignored: its trap cannot run, the servers shut down on the signal
// and exit 0, and the script must take that as a stop, not a failure (exit
// 0, no error, no process left); once after start-up and once while it
// waits for readiness. For the latter a wrapper makes mockidp's healthcheck
// ask a listener that never answers, so the script keeps waiting.
func TestRunScriptCtrlCWithINTIgnored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		whileReady bool
	}{
		{name: "after start-up", whileReady: false},
		{name: "while waiting for readiness", whileReady: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mockPort, apiPort := freePort(t), freePort(t)
			settings := []string{"MOCKIDP_PORT=" + itoa(mockPort), "API_PORT=" + itoa(apiPort)}
			if tc.whileReady {
				settings = append(settings, "BIN_DIR="+silentHealthcheckBin(t))
			}
			cmd, lines, stderr := runScriptIgnoringINT(t, settings...)
			pids := map[string]int{}
			for len(pids) < 2 && lines.Scan() {
				if m := startedPID.FindStringSubmatch(lines.Text()); m != nil {
					pids[m[1]], _ = strconv.Atoi(m[2])
				}
			}
			if len(pids) < 2 {
				t.Fatalf("run.sh did not start both servers: %v\nstderr:\n%s", pids, stderr.String())
			}
			if tc.whileReady {
				// Both serve HTTP, so both have their signal handlers in place.
				for _, u := range []string{"http://127.0.0.1:" + itoa(mockPort) + "/_mock/health", "http://127.0.0.1:" + itoa(apiPort) + "/health"} {
					waitUntil(t, nil, "GET "+u, func() error {
						resp, err := http.Get(u)
						if err != nil {
							return err
						}
						resp.Body.Close()
						return nil
					})
				}
			} else {
				for lines.Scan() && strings.TrimSpace(lines.Text()) != readyBanner {
				}
			}
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatalf("sending SIGINT: %v", err)
			}
			hung := time.AfterFunc(time.Minute, func() {
				t.Errorf("run.sh still running a minute after Ctrl-C: killing its process group")
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			})
			defer hung.Stop()
			for lines.Scan() {
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("run.sh after Ctrl-C: %v, want exit 0\nstderr:\n%s", err, stderr.String())
			}
			if strings.Contains(stderr.String(), "run: ") {
				t.Errorf("run.sh reported a failure for a Ctrl-C:\n%s", stderr.String())
			}
			for name, pid := range pids {
				if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("%s (pid %d) still exists after Ctrl-C (kill -0: %v)", name, pid, err)
				}
			}
		})
	}
}

// silentHealthcheckBin is a BIN_DIR whose mockidp serves normally but whose
// healthcheck asks a listener that never answers (2s timeout).
func silentHealthcheckBin(t *testing.T) string {
	t.Helper()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts connections, never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	dir := t.TempDir()
	wrapper := "#!/bin/sh\n" +
		"[ \"$1\" = healthcheck ] && exec " + binPath("mockidp") + " healthcheck --timeout 2s --url http://" + silent.Addr().String() + "\n" +
		"exec " + binPath("mockidp") + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "mockidp"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binPath("api"), filepath.Join(dir, "api")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunScriptSuggestsAFreePort: the port-in-use hint names a port that was
// free when it was printed; it used to suggest port + 10000 unchecked, and
// here that one is taken too.
func TestRunScriptSuggestsAFreePort(t *testing.T) {
	t.Parallel()
	// busy and busy+10000 are taken here, so run.sh suggests busy+10001 or
	// above. busy is picked from 52000-55499 so that its suggestion lies
	// above 62000, outside Linux's ephemeral range (32768-60999 by
	// default): a listener on port 0 in another test process running at the
	// same time cannot take the suggested port before it is checked.
	var busy int
	for p := 52000 + rand.IntN(500); p < 55500; p += 7 {
		ln, err := net.Listen("tcp", "127.0.0.1:"+itoa(p))
		if err != nil {
			continue
		}
		next, err := net.Listen("tcp", "127.0.0.1:"+itoa(p+10000))
		if err != nil {
			ln.Close()
			continue
		}
		t.Cleanup(func() { ln.Close(); next.Close() })
		busy = p
		break
	}
	if busy == 0 {
		t.Fatal("found no port p with p and p+10000 both free to occupy")
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "BIN_DIR=" + binDir, "LOG_DIR=" + t.TempDir(), "MOCKIDP_PORT=" + itoa(busy), "API_PORT=" + itoa(freePort(t))}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	out, code, err := runCommand(ctx, repoRoot, env, filepath.Join(repoRoot, "scripts", "run.sh"))
	if err != nil || code == 0 {
		t.Fatalf("run.sh: exit %d (%v), want a failure:\n%s", code, err, out)
	}
	m := regexp.MustCompile(`make run MOCKIDP_PORT=(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("run.sh suggested no port:\n%s", out)
	}
	suggested, _ := strconv.Atoi(m[1])
	if suggested == busy+10000 {
		t.Fatalf("run.sh suggested port %d, which is in use:\n%s", suggested, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+m[1])
	if err != nil {
		t.Fatalf("run.sh suggested port %d, which is not free: %v", suggested, err)
	}
	ln.Close()
}
