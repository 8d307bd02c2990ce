package packaging

import (
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestComposeEnvironmentIsRead checks that every variable docker-compose.yml
// (or the image) sets for a service is one its program reads: a typo such as
// MOCKIDP_PUBLICURL would otherwise be ignored silently.
func TestComposeEnvironmentIsRead(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	for _, name := range f.sortedServices() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := f.Services[name]
			kind, err := s.kind()
			if err != nil {
				t.Fatalf("service %s: %v", name, err)
			}
			reads, ok := envFor(t, kind)
			if !ok {
				t.Skipf("%s: the suites' environment helper (suites/internal/harness) does not exist yet", name)
			}
			for k := range containerEnv(t, s) {
				if !reads[k] {
					t.Errorf("service %s sets %s, which %s does not read (it reads %v)", name, k, kind, sortedKeys(reads))
				}
			}
		})
	}
}

// listenPort is the port a service's program listens on inside its container.
func listenPort(t *testing.T, kind serviceKind, env map[string]string) string {
	t.Helper()
	switch kind {
	case kindMockidp:
		_, port, err := net.SplitHostPort(env["MOCKIDP_ADDR"])
		if err != nil {
			t.Fatalf("MOCKIDP_ADDR %q: %v", env["MOCKIDP_ADDR"], err)
		}
		return port
	case kindAPI:
		return env["PORT"]
	}
	return ""
}

// TestComposeWiring checks that the services find each other: listen
// addresses, published ports, public URL, discovery URL and the suites'
// targets agree, and every URL naming a service uses its listen port.
func TestComposeWiring(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	ports := map[string]string{} // service → container listen port
	kinds := map[string]serviceKind{}
	envs := map[string]map[string]string{}
	for _, name := range f.sortedServices() {
		s := f.Services[name]
		kind, err := s.kind()
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		kinds[name], envs[name] = kind, containerEnv(t, s)
		if p := listenPort(t, kind, envs[name]); p != "" {
			ports[name] = p
		}
	}
	projectID := fixtureProjectID(t)

	for _, name := range f.sortedServices() {
		t.Run(name, func(t *testing.T) {
			s, env, kind := f.Services[name], envs[name], kinds[name]
			if p := ports[name]; p != "" {
				df := loadDockerfile(t, s.Build.Dockerfile)
				if exposed := strings.Fields(strings.Join(df.final().all("EXPOSE"), " ")); !slices.Contains(exposed, p) {
					t.Errorf("%s listens on %s, but %s exposes %v", name, p, s.Build.Dockerfile, exposed)
				}
				mapped, err := hostPorts(s.Ports)
				if err != nil {
					t.Fatal(err)
				}
				for container := range mapped {
					if container != p {
						t.Errorf("%s publishes container port %s, but listens on %s", name, container, p)
					}
				}
			}
			switch kind {
			case kindMockidp:
				host, _, _ := net.SplitHostPort(env["MOCKIDP_ADDR"])
				if host != "0.0.0.0" && host != "" {
					t.Errorf("%s: MOCKIDP_ADDR host %q: other containers cannot reach it", name, host)
				}
				if got, want := env["MOCKIDP_PUBLIC_URL"], "http://"+name+":"+ports[name]; got != want {
					t.Errorf("%s: MOCKIDP_PUBLIC_URL = %q, want %q (issuers must name the host other containers use)", name, got, want)
				}
				if env["MOCKIDP_ADMIN_TOKEN"] == "" && env["MOCKIDP_INSECURE_LISTEN"] != "true" {
					t.Errorf("%s: listens beyond loopback with neither MOCKIDP_ADMIN_TOKEN nor MOCKIDP_INSECURE_LISTEN: it will refuse to start", name)
				}
				if tok := env["MOCKIDP_ADMIN_TOKEN"]; tok != "" && len(tok) < 16 {
					t.Errorf("%s: MOCKIDP_ADMIN_TOKEN %q is shorter than the 16 characters mockidp wants beyond loopback: it will refuse to start", name, tok)
				}
			case kindAPI:
				if env["HOST"] != "0.0.0.0" {
					t.Errorf("%s: HOST = %q, want 0.0.0.0 so other containers reach it", name, env["HOST"])
				}
				if got := env["DESCOPE_PROJECT_ID"]; got != projectID {
					t.Errorf("%s: DESCOPE_PROJECT_ID = %q, want the fixture project %q", name, got, projectID)
				}
				u := mustURL(t, env["DISCOVERY_URL"])
				if kinds[u.Hostname()] != kindMockidp {
					t.Errorf("%s: DISCOVERY_URL host %q is not a mockidp service", name, u.Hostname())
				}
				if want := "/" + projectID + "/.well-known/openid-configuration"; u.Path != want {
					t.Errorf("%s: DISCOVERY_URL path = %q, want %q", name, u.Path, want)
				}
				if u.Scheme == "http" && env["ALLOW_INSECURE_DISCOVERY"] != "true" {
					t.Errorf("%s: plain-http DISCOVERY_URL to %s needs ALLOW_INSECURE_DISCOVERY=true", name, u.Host)
				}
				if hc := s.Healthcheck.Test; !slices.Contains(hc, "ready") {
					t.Errorf("%s: healthcheck %v does not wait for readiness (api healthcheck ready)", name, hc)
				}
			case kindSuites:
				if !slices.Contains(s.Profiles, "test") && !slices.Contains(s.Profiles, "live") {
					t.Errorf("%s: runs in the default profile: make up would run the suites", name)
				}
				if v, ok := env["HARNESS_MOCKIDP_URL"]; ok {
					mock := mustURL(t, v).Hostname()
					if kinds[mock] != kindMockidp {
						t.Errorf("%s: HARNESS_MOCKIDP_URL host %q is not a mockidp service", name, mock)
					}
					if got, want := env["HARNESS_MOCKIDP_ADMIN_TOKEN"], envs[mock]["MOCKIDP_ADMIN_TOKEN"]; got != want {
						t.Errorf("%s: HARNESS_MOCKIDP_ADMIN_TOKEN = %q, want the mock's %q", name, got, want)
					}
					for _, dep := range []string{mock, mustURL(t, env["HARNESS_API_URL"]).Hostname()} {
						if f.Services[name].DependsOn[dep].Condition != "service_healthy" {
							t.Errorf("%s: does not wait for %s to be healthy", name, dep)
						}
					}
				}
			}
			// Every URL that names a service uses that service's listen port.
			for k, v := range env {
				u, err := url.Parse(v)
				if err != nil || u.Host == "" {
					continue
				}
				if p, isService := ports[u.Hostname()]; isService && u.Port() != p {
					t.Errorf("%s: %s = %q, but %s listens on %s", name, k, v, u.Hostname(), p)
				}
			}
		})
	}
}

// TestComposeHealthchecksAndBuilds checks the healthchecks are exec-form
// calls of the binary (no curl in a distroless image), service_healthy
// dependencies have a healthcheck to wait for, and builds name real files
// and stages.
func TestComposeHealthchecksAndBuilds(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	for _, name := range f.sortedServices() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := f.Services[name]
			if s.Build.Context != "." {
				t.Errorf("%s: build context = %q, want . (the module root)", name, s.Build.Context)
			}
			if _, err := os.Stat(filepath.Join(repoRoot, s.Build.Dockerfile)); err != nil {
				t.Errorf("%s: dockerfile: %v", name, err)
			}
			df := loadDockerfile(t, s.Build.Dockerfile)
			if s.Build.Target != "" && df.stage(s.Build.Target) == nil {
				t.Errorf("%s: target %q is not a stage of %s", name, s.Build.Target, s.Build.Dockerfile)
			}
			if hc := s.Healthcheck.Test; len(hc) > 0 {
				if hc[0] != "CMD" || len(hc) < 3 {
					t.Errorf("%s: healthcheck %v: want [CMD, /binary, healthcheck, …] (exec form, no shell in the image)", name, hc)
				} else if ep := df.entrypointOf(df.final()); len(ep) == 0 || hc[1] != ep[0] || hc[2] != "healthcheck" {
					t.Errorf("%s: healthcheck runs %v, want the image's own binary %v with the healthcheck subcommand", name, hc[1:], ep)
				}
			}
			for dep, d := range s.DependsOn {
				other, ok := f.Services[dep]
				if !ok {
					t.Errorf("%s: depends on unknown service %s", name, dep)
					continue
				}
				if d.Condition == "service_healthy" && len(other.Healthcheck.Test) == 0 {
					t.Errorf("%s: waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
				}
			}
		})
	}
}

// fixtureProjectID is the project ID of fixtures/project.yaml, the project
// mockidp embeds.
func fixtureProjectID(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "fixtures", "project.yaml"))
	if err != nil {
		t.Fatalf("reading the fixture project: %v", err)
	}
	var p struct {
		ProjectID string `yaml:"project_id"`
	}
	if err := yaml.Unmarshal(raw, &p); err != nil || p.ProjectID == "" {
		t.Fatalf("fixture project has no project_id (%v)", err)
	}
	return p.ProjectID
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		t.Fatalf("%q is not an absolute URL", s)
	}
	return u
}

func sortedKeys(m readsEnv) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestComposeConfigValidates runs `docker-compose config -q` for every
// profile when docker-compose is installed (.ci/run installs it); it needs
// no Docker engine.
func TestComposeConfigValidates(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("long (three docker-compose runs; .ci/run also runs make compose-config): make test-long runs it")
	}
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Skip("docker-compose is not installed")
	}
	for _, profile := range []string{"", "test", "live"} {
		args := []string{bin}
		if profile != "" {
			args = append(args, "--profile", profile)
		}
		args = append(args, "config", "-q")
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		if out, code, err := runCommand(t.Context(), repoRoot, env, args...); err != nil || code != 0 {
			t.Errorf("%s: exit %d (%v): %s", strings.Join(args, " "), code, err, out)
		}
	}
}
