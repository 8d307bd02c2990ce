package packaging

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	goBuild    = regexp.MustCompile(`go build (.*) -o (\S+) (\./\S+)`)
	globalArgs = regexp.MustCompile(`^([A-Z_]+)=(\S+)$`)
)

// TestDockerfiles checks both images against the rules and the
// code: a golang build stage building a real main package statically and
// with the version stamped, a distroless runtime run as non-root, the
// binary as entrypoint and healthcheck, OCI labels, and ENV the binary reads.
func TestDockerfiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, binary, pkg string
		kind              serviceKind
	}{
		{file: "Dockerfile.mockidp", binary: "/mockidp", pkg: "./mockidp/cmd/mockidp", kind: kindMockidp},
		{file: "Dockerfile.api", binary: "/api", pkg: "./api/cmd/api", kind: kindAPI},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			df := loadDockerfile(t, tc.file)
			args := map[string]string{}
			for _, a := range df.globalArgs {
				if m := globalArgs.FindStringSubmatch(a); m != nil {
					args[m[1]] = m[2]
				}
			}
			build := df.stages[0]
			if base := strings.ReplaceAll(build.base, "${GO_VERSION}", args["GO_VERSION"]); base != "golang:1.26" {
				t.Errorf("build stage FROM %s, want golang:1.26 (go.mod's Go)", base)
			}
			var out, pkg string
			for _, run := range build.all("RUN") {
				m := goBuild.FindStringSubmatch(run)
				if m == nil {
					continue
				}
				out, pkg = m[2], m[3]
				for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`} {
					if !strings.Contains(run, want) {
						t.Errorf("go build %q lacks %s", run, want)
					}
				}
			}
			if pkg != tc.pkg {
				t.Fatalf("build stage builds %q, want %s", pkg, tc.pkg)
			}
			name, _, err := runCommand(context.Background(), repoRoot, os.Environ(), "go", "list", "-f", "{{.Name}}", pkg)
			if err != nil || strings.TrimSpace(name) != "main" {
				t.Errorf("go list %s: package %q (%v), want a main package", pkg, strings.TrimSpace(name), err)
			}
			if !containsArg(build.all("ARG"), "VERSION") {
				t.Errorf("build stage has no ARG VERSION: the version cannot be stamped")
			}

			final := df.final()
			if final.base != "gcr.io/distroless/static-debian12:nonroot" && final.base != "scratch" {
				t.Errorf("runtime FROM %s, want distroless static or scratch", final.base)
			}
			if users := final.all("USER"); len(users) == 0 || isRoot(users[len(users)-1]) {
				t.Errorf("runtime USER %v: want a non-root user", users)
			}
			if copies := final.all("COPY"); len(copies) != 1 || copies[0] != "--from=build "+out+" "+tc.binary {
				t.Errorf("runtime COPY %v, want --from=build %s %s", copies, out, tc.binary)
			}
			if ep := df.entrypointOf(final); len(ep) != 1 || ep[0] != tc.binary {
				t.Errorf("ENTRYPOINT %v, want [%s]", ep, tc.binary)
			}
			hcs := final.all("HEALTHCHECK")
			if len(hcs) != 1 {
				t.Fatalf("runtime has %d HEALTHCHECKs, want 1", len(hcs))
			}
			if cmd, ok := healthcheckCmd(hcs[0]); !ok || len(cmd) < 2 || cmd[0] != tc.binary || cmd[1] != "healthcheck" {
				t.Errorf("HEALTHCHECK %q: want CMD [%q, \"healthcheck\"] in exec form", hcs[0], tc.binary)
			}
			labels := map[string]string{}
			for _, l := range final.all("LABEL") {
				for k, v := range parsePairs(l) {
					labels[k] = v
				}
			}
			for _, k := range []string{"title", "description", "version", "source"} {
				if labels["org.opencontainers.image."+k] == "" {
					t.Errorf("no LABEL org.opencontainers.image.%s", k)
				}
			}
			if v := labels["org.opencontainers.image.version"]; v != "${VERSION}" || !containsArg(final.all("ARG"), "VERSION") {
				t.Errorf("image version label %q: want ${VERSION} with ARG VERSION in the runtime stage", v)
			}
			reads, _ := envFor(t, tc.kind)
			env := df.envOf(final)
			for k := range env {
				if !reads[k] {
					t.Errorf("ENV %s is not read by %s", k, tc.binary)
				}
			}
			if p := listenPort(t, tc.kind, env); !strings.Contains(" "+strings.Join(final.all("EXPOSE"), " ")+" ", " "+p+" ") {
				t.Errorf("the image listens on %q but EXPOSEs %v", p, final.all("EXPOSE"))
			}
		})
	}
}

// TestDockerignoreKeepsSecretsOut checks the build context leaves out the
// .env file with live credentials, local binaries and git metadata.
func TestDockerignoreKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatalf("reading .dockerignore: %v", err)
	}
	lines := strings.Fields(string(raw))
	for _, want := range []string{".env", ".git", "bin/"} {
		if !strings.Contains(" "+strings.Join(lines, " ")+" ", " "+want+" ") {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}

func containsArg(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func isRoot(user string) bool {
	u, _, _ := strings.Cut(user, ":")
	return u == "root" || u == "0"
}
