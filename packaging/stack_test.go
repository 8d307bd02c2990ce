package packaging

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"
)

// stack is docker-compose.yml's mockidp and api services running as plain
// processes on loopback.
//
// Each process gets exactly the environment its container would: the
// image's ENV (from its Dockerfile stage) overridden by the service's
// environment in docker-compose.yml, both read from the files. Only the
// network differs, so values are rewritten as follows and nothing else:
//
//   - a service's own wildcard bind (MOCKIDP_ADDR=0.0.0.0:8080, HOST=0.0.0.0)
//     becomes 127.0.0.1, and its container port (in MOCKIDP_ADDR or PORT)
//     a free loopback port;
//   - every URL naming a service at its container port
//     (http://mockidp:8080, http://api:8000) names 127.0.0.1 at the port that
//     service was given.
//
// A reference to a service host left after rewriting fails the test.
type stack struct {
	compose  composeFile
	ports    map[string]int               // service → loopback port it was given
	envs     map[string]map[string]string // service → rewritten environment
	procs    map[string]*process
	services []string // the mockidp and api services, mockidp first
}

// rewriteEnv applies the rules above to service name's container env.
func (s *stack) rewriteEnv(t *testing.T, name string, env map[string]string, listen map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	if port, ok := s.ports[name]; ok {
		switch {
		case out["MOCKIDP_ADDR"] != "":
			out["MOCKIDP_ADDR"] = "127.0.0.1:" + itoa(port)
		case out["PORT"] != "":
			out["PORT"] = itoa(port)
			if out["HOST"] == "0.0.0.0" || out["HOST"] == "" {
				out["HOST"] = "127.0.0.1"
			}
		}
	}
	for k, v := range out {
		for svc, port := range s.ports {
			v = strings.ReplaceAll(v, "://"+svc+":"+listen[svc], "://127.0.0.1:"+itoa(port))
		}
		for svc := range s.compose.Services {
			if strings.Contains(v, "://"+svc+":") || strings.Contains(v, "://"+svc+"/") {
				t.Fatalf("service %s: %s=%q still names service %s after rewriting", name, k, v, svc)
			}
		}
		out[k] = v
	}
	return out
}

// envList turns an environment map into KEY=value entries.
func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// startStack starts every mockidp and api service of docker-compose.yml
// (whatever its profile) and waits until each compose healthcheck passes.
func startStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{compose: loadCompose(t), ports: map[string]int{}, envs: map[string]map[string]string{}, procs: map[string]*process{}}
	listen := map[string]string{}
	kinds := map[string]serviceKind{}
	for _, name := range s.compose.sortedServices() {
		kind, err := s.compose.Services[name].kind()
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		if kind == kindSuites {
			continue
		}
		kinds[name] = kind
		listen[name] = listenPort(t, kind, containerEnv(t, s.compose.Services[name]))
		s.ports[name] = freePort(t)
		s.services = append(s.services, name)
	}
	slices.SortStableFunc(s.services, func(a, b string) int {
		return strings.Compare(string(kinds[b]), string(kinds[a])) // mockidp before api
	})
	for _, name := range s.compose.sortedServices() {
		s.envs[name] = s.rewriteEnv(t, name, containerEnv(t, s.compose.Services[name]), listen)
	}
	for _, name := range s.services {
		svc := s.compose.Services[name]
		df := loadDockerfile(t, svc.Build.Dockerfile)
		argv := append(df.entrypointOf(df.final()), svc.Command...)
		if len(svc.Command) == 0 {
			cmd, _ := execForm(strings.Join(df.final().all("CMD"), ""))
			argv = append(argv, cmd...)
		}
		s.procs[name] = startProcess(t, name, binPath(path.Base(argv[0])), argv[1:], envList(s.envs[name]))
	}
	for _, name := range s.services {
		hc := s.compose.Services[name].Healthcheck.Test
		if len(hc) < 2 {
			t.Fatalf("service %s has no healthcheck to wait for", name)
		}
		argv := hc[1:] // drop "CMD"
		waitUntil(t, s.procs[name], name+" healthcheck "+strings.Join(argv, " "), func() error {
			out, code, err := runCommand(context.Background(), repoRoot, envList(s.envs[name]), append([]string{binPath(path.Base(argv[0]))}, argv[1:]...)...)
			if err != nil || code != 0 {
				return fmt.Errorf("exit %d (%v): %s", code, err, strings.TrimSpace(out))
			}
			return nil
		})
	}
	return s
}

// url is the loopback base URL of a service.
func (s *stack) url(name string) string { return "http://127.0.0.1:" + itoa(s.ports[name]) }

// call makes one HTTP request and returns the status and body.
func call(t *testing.T, method, target, authorization, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, target, err)
	}
	return resp.StatusCode, string(raw)
}

// clientToken gets a token from the mock's real token endpoint.
func clientToken(t *testing.T, mockURL, client, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(client+":"+secret))
	status, body := call(t, http.MethodPost, mockURL+"/oauth2/v1/token", basic, "application/x-www-form-urlencoded", form)
	if status != http.StatusOK {
		t.Fatalf("token for %s: status %d, want 200: %s", client, status, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token response %s: no access_token (%v)", body, err)
	}
	return tok.AccessToken
}

// jwtPart decodes the header (0) or claims (1) of a JWT.
func jwtPart(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("decoding token part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("token part %d: %v", i, err)
	}
	return m
}

// TestComposeStackAsProcesses proves the compose wiring without containers:
// the services start from the compose environments, their healthchecks
// pass, the documented flows work across them, and the external-mode suites
// pass against them as the suites service would run them.
func TestComposeStackAsProcesses(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	const mock, api = "mockidp", "api"
	for _, name := range []string{mock, api} {
		if _, ok := s.procs[name]; !ok {
			t.Fatalf("docker-compose.yml has no %s service", name)
		}
	}
	admin := "Bearer " + s.envs[mock]["MOCKIDP_ADMIN_TOKEN"]
	projectID := s.envs[api]["DESCOPE_PROJECT_ID"]

	t.Run("each image healthcheck passes against its running service", func(t *testing.T) {
		for _, name := range s.services {
			df := loadDockerfile(t, s.compose.Services[name].Build.Dockerfile)
			argv, _ := healthcheckCmd(df.final().all("HEALTHCHECK")[0])
			out, code, err := runCommand(t.Context(), repoRoot, envList(s.envs[name]), append([]string{binPath(path.Base(argv[0]))}, argv[1:]...)...)
			if err != nil || code != 0 {
				t.Errorf("%s: HEALTHCHECK %v: exit %d (%v), want 0: %s", name, argv, code, err, out)
			}
		}
	})

	t.Run("a healthcheck fails when nothing listens", func(t *testing.T) {
		env := s.envs[mock]
		env = map[string]string{"MOCKIDP_ADDR": "127.0.0.1:" + itoa(freePort(t)), "MOCKIDP_ADMIN_TOKEN": env["MOCKIDP_ADMIN_TOKEN"]}
		if _, code, err := runCommand(t.Context(), repoRoot, envList(env), binPath("mockidp"), "healthcheck", "--timeout", "1s"); err != nil || code == 0 {
			t.Errorf("mockidp healthcheck on a closed port: exit %d (%v), want non-zero", code, err)
		}
	})

	var token string
	t.Run("a token from the mock is accepted by the api", func(t *testing.T) {
		token = clientToken(t, s.url(mock), "admin-client", "admin-secret")
		wantIss := s.envs[mock]["MOCKIDP_PUBLIC_URL"] + "/" + projectID
		if got := jwtPart(t, token, 1)["iss"]; got != wantIss {
			t.Errorf("iss = %v, want %s (MOCKIDP_PUBLIC_URL + project)", got, wantIss)
		}
		status, body := call(t, http.MethodGet, s.url(api)+"/api/me", "Bearer "+token, "", "")
		if status != http.StatusOK || !strings.Contains(body, `"authenticated":true`) {
			t.Errorf("GET /api/me: %d %s, want 200 with authenticated true", status, body)
		}
		status, body = call(t, http.MethodGet, s.url(api)+"/api/admin/users", "Bearer "+token, "", "")
		if status != http.StatusOK || !strings.Contains(body, `"users"`) {
			t.Errorf("GET /api/admin/users: %d %s, want 200 with users", status, body)
		}
	})

	t.Run("the control plane needs the admin token", func(t *testing.T) {
		if status, body := call(t, http.MethodGet, s.url(mock)+"/_mock/keys", "", "", ""); status != http.StatusUnauthorized {
			t.Errorf("GET /_mock/keys without the token: %d %s, want 401", status, body)
		}
		if status, body := call(t, http.MethodGet, s.url(mock)+"/_mock/keys", admin, "", ""); status != http.StatusOK {
			t.Errorf("GET /_mock/keys with the token: %d %s, want 200", status, body)
		}
	})

	t.Run("after a rotation new and old tokens are accepted", func(t *testing.T) {
		if token == "" {
			t.Skip("no token from the earlier subtest")
		}
		status, body := call(t, http.MethodPost, s.url(mock)+"/_mock/keys/rotate", admin, "application/json", `{"count":1}`)
		if status != http.StatusOK {
			t.Fatalf("rotate: %d %s, want 200", status, body)
		}
		var keys struct {
			Current string `json:"current"`
		}
		if err := json.Unmarshal([]byte(body), &keys); err != nil {
			t.Fatalf("rotate answer %s: %v", body, err)
		}
		fresh := clientToken(t, s.url(mock), "admin-client", "admin-secret")
		if got := jwtPart(t, fresh, 0)["kid"]; got != keys.Current {
			t.Fatalf("new token kid = %v, want the new current key %s", got, keys.Current)
		}
		// The API may hold back a refetch for its cooldown: poll.
		waitUntil(t, s.procs[api], "the api accepts a token signed by the new key", func() error {
			if status, body := call(t, http.MethodGet, s.url(api)+"/api/me", "Bearer "+fresh, "", ""); status != http.StatusOK {
				return fmt.Errorf("GET /api/me: %d %s", status, body)
			}
			return nil
		})
		if status, body := call(t, http.MethodGet, s.url(api)+"/api/me", "Bearer "+token, "", ""); status != http.StatusOK {
			t.Errorf("token signed before the rotation: %d %s, want 200 (old key still published)", status, body)
		}
	})

	t.Run("every api service is ready", func(t *testing.T) {
		for _, name := range s.services {
			if k, _ := s.compose.Services[name].kind(); k != kindAPI {
				continue
			}
			if status, body := call(t, http.MethodGet, s.url(name)+"/ready", "", "", ""); status != http.StatusOK {
				t.Errorf("%s GET /ready: %d %s, want 200", name, status, body)
			}
		}
	})

	t.Run("the external-mode suites pass", func(t *testing.T) {
		runExternalSuites(t, s)
	})
}

// runSuitesEnv opts in to running the external-mode suites: they take
// longer than the rest of this package and repeat what make test-suites runs
// in-process.
const runSuitesEnv = "PACKAGING_EXTERNAL_SUITES"

// runExternalSuites runs the suites service's command (its image's
// ENTRYPOINT, go tool ginkgo, plus the compose command) from the module
// root with the service's environment, rewritten like the others.
func runExternalSuites(t *testing.T, s *stack) {
	t.Helper()
	if os.Getenv(runSuitesEnv) != "1" {
		t.Skipf("set %s=1 (make test-wiring) to run the external-mode suites against these processes", runSuitesEnv)
	}
	svc, ok := s.compose.Services["suites"]
	if !ok {
		t.Fatal("docker-compose.yml has no suites service")
	}
	if s.envs["suites"]["HARNESS_MOCKIDP_URL"] == "" || s.envs["suites"]["HARNESS_API_URL"] == "" {
		t.Fatal("the suites service sets no HARNESS_MOCKIDP_URL or HARNESS_API_URL: it would not run in external mode")
	}
	if status, body := call(t, http.MethodPost, s.url("mockidp")+"/_mock/reset", "Bearer "+s.envs["mockidp"]["MOCKIDP_ADMIN_TOKEN"], "", ""); status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, body)
	}
	df := loadDockerfile(t, svc.Build.Dockerfile)
	argv := append(df.entrypointOf(df.stage(svc.Build.Target)), svc.Command...)
	// The toolchain's own settings (GOCACHE, GOPATH, PATH…) come from this
	// process; every HARNESS_* and DESCOPE_* comes from the compose file only.
	env := append(environWithout("HARNESS_", "DESCOPE_"), envList(s.envs["suites"])...)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	out, code, err := runCommand(ctx, repoRoot, env, argv...)
	if err != nil || code != 0 {
		t.Fatalf("%s: exit %d (%v), want 0:\n%s", strings.Join(argv, " "), code, err, out)
	}
	t.Logf("%s: passed\n%s", strings.Join(argv, " "), lastLines(out, 8))
}

// lastLines is the tail of a command's output.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
