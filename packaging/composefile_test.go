package packaging

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeFile is the part of docker-compose.yml the tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

// composeService is one service. Environment must use the mapping form.
type composeService struct {
	Build struct {
		Context    string            `yaml:"context"`
		Dockerfile string            `yaml:"dockerfile"`
		Target     string            `yaml:"target"`
		Args       map[string]string `yaml:"args"`
	} `yaml:"build"`
	Image       string            `yaml:"image"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Command     []string          `yaml:"command"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Profiles []string `yaml:"profiles"`
}

// loadCompose reads docker-compose.yml from the repository root, with every
// ${VAR:-default} replaced by its default: the tests check the file as a
// fresh clone without a .env would run it.
func loadCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatalf("reading docker-compose.yml: %v", err)
	}
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("parsing docker-compose.yml: %v", err)
	}
	if len(f.Services) == 0 {
		t.Fatal("docker-compose.yml has no services")
	}
	for name, s := range f.Services {
		for k, v := range s.Environment {
			if s.Environment[k], err = interpolate(v); err != nil {
				t.Fatalf("service %s: environment %s: %v", name, k, err)
			}
		}
		if s.Image, err = interpolate(s.Image); err != nil {
			t.Fatalf("service %s: image: %v", name, err)
		}
		f.Services[name] = s
	}
	return f
}

var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// interpolate replaces ${VAR:-default} by default. A bare ${VAR} is an
// error: the file must run without one.
func interpolate(s string) (string, error) {
	var err error
	out := interpolation.ReplaceAllStringFunc(s, func(m string) string {
		sub := interpolation.FindStringSubmatch(m)
		if sub[2] == "" {
			err = fmt.Errorf("%s has no default (write ${%s:-value})", m, sub[1])
		}
		return sub[3]
	})
	return out, err
}

// serviceKind says which program a service runs, from its build.
type serviceKind string

const (
	kindMockidp serviceKind = "mockidp"
	kindAPI     serviceKind = "api"
	kindSuites  serviceKind = "suites"
)

// kind is the program the service's image runs.
func (s composeService) kind() (serviceKind, error) {
	switch {
	case s.Build.Dockerfile == "Dockerfile.mockidp" && s.Build.Target == "":
		return kindMockidp, nil
	case s.Build.Dockerfile == "Dockerfile.api" && s.Build.Target == "":
		return kindAPI, nil
	case s.Build.Dockerfile == "Dockerfile.api" && s.Build.Target == "suites":
		return kindSuites, nil
	}
	return "", fmt.Errorf("unknown build (dockerfile %q, target %q)", s.Build.Dockerfile, s.Build.Target)
}

// sortedServices lists service names in order, for stable subtests.
func (f composeFile) sortedServices() []string {
	names := make([]string, 0, len(f.Services))
	for n := range f.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// containerEnv is what the container of a service sees: the image's ENV
// (from its Dockerfile stage), overridden by the compose environment.
func containerEnv(t *testing.T, s composeService) map[string]string {
	t.Helper()
	df := loadDockerfile(t, s.Build.Dockerfile)
	stage := df.final()
	if s.Build.Target != "" {
		stage = df.stage(s.Build.Target)
		if stage == nil {
			t.Fatalf("%s has no stage %q", s.Build.Dockerfile, s.Build.Target)
		}
	}
	env := map[string]string{}
	for k, v := range df.envOf(stage) {
		env[k] = v
	}
	for k, v := range s.Environment {
		env[k] = v
	}
	return env
}

// hostPorts parses "[ip:]host:container" port mappings into container → host port strings.
func hostPorts(mappings []string) (map[string]string, error) {
	out := map[string]string{}
	for _, m := range mappings {
		parts := strings.Split(m, ":")
		if len(parts) < 2 {
			return nil, fmt.Errorf("port mapping %q: want [ip:]host:container", m)
		}
		out[parts[len(parts)-1]] = parts[len(parts)-2]
	}
	return out, nil
}

// TestComposeSuitesKnowTheAPIsSettings: the suites service's HARNESS_API_*
// settings describe how the APIs were started (the specs wait out the
// refetch cooldown, time the slow key set against the provider timeout, pad
// tokens past the header limit…), so each must equal the variable both API
// services set, or neither side may set it (both then use the defaults).
func TestComposeSuitesKnowTheAPIsSettings(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	suites, ok := f.Services["suites"]
	if !ok {
		t.Fatal("docker-compose.yml has no suites service")
	}
	told := containerEnv(t, suites)
	pairs := map[string]string{
		"HARNESS_API_LEEWAY":           "LEEWAY",
		"HARNESS_API_MAX_HEADER_BYTES": "MAX_HEADER_BYTES",
		"HARNESS_API_REFETCH_COOLDOWN": "JWKS_REFETCH_COOLDOWN",
		"HARNESS_API_PROVIDER_TIMEOUT": "PROVIDER_TIMEOUT",
	}
	for _, name := range []string{"api", "api-detail"} {
		api, ok := f.Services[name]
		if !ok {
			t.Fatalf("docker-compose.yml has no %s service", name)
		}
		env := containerEnv(t, api)
		for harnessVar, apiVar := range pairs {
			if told[harnessVar] != env[apiVar] {
				t.Errorf("suites sets %s=%q but %s sets %s=%q", harnessVar, told[harnessVar], name, apiVar, env[apiVar])
			}
		}
	}
}
