package packaging

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestComposeLiveServiceWithoutCredentials runs the live service's command
// (its image's ENTRYPOINT, go tool ginkgo, plus the compose command) from
// the module root with the service's environment and no credentials, as
// `make compose-live` runs it for a user who has not filled in .env yet:
// every live spec is skipped with a message and the run passes. Each suite
// fails when its label filter leaves it no spec (harness.RunSuite sets
// fail-on-empty), so a command that runs suites without live specs fails
// here instead of in the user's container.
func TestComposeLiveServiceWithoutCredentials(t *testing.T) {
	t.Parallel()
	requireWiringRun(t)
	f := loadCompose(t)
	svc, ok := f.Services["live"]
	if !ok {
		t.Fatal("docker-compose.yml has no live service")
	}
	if !strings.Contains(strings.Join(svc.Command, " "), "--label-filter=live") {
		t.Fatalf("live service command %q does not select the live label", svc.Command)
	}
	df := loadDockerfile(t, svc.Build.Dockerfile)
	stage := df.stage(svc.Build.Target)
	if stage == nil {
		t.Fatalf("%s has no stage %q", svc.Build.Dockerfile, svc.Build.Target)
	}
	argv := append(append(df.entrypointOf(stage), "--no-color"), svc.Command...)
	// The toolchain's settings come from this process; every HARNESS_* and
	// DESCOPE_* from the compose file only (its defaults: all empty).
	env := append(environWithout("HARNESS_", "DESCOPE_"), envList(containerEnv(t, svc))...)
	// Hang guard only: compiling and running the suites takes seconds.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	out, code, err := runCommand(ctx, repoRoot, env, argv...)
	if err != nil || code != 0 {
		t.Fatalf("%s: exit %d (%v), want 0 (live specs skipped without credentials):\n%s", strings.Join(argv, " "), code, err, lastLines(out, 30))
	}
	if !strings.Contains(out, "SUCCESS!") || !strings.Contains(out, "Skipped") {
		t.Errorf("%s: want a passing run with the live specs skipped:\n%s", strings.Join(argv, " "), lastLines(out, 30))
	}
	// The README promises the skip message names what is missing; without
	// -v ginkgo prints only an S per spec.
	for _, name := range []string{"DESCOPE_PROJECT_ID", "DESCOPE_CLIENT_ID", "DESCOPE_CLIENT_SECRET"} {
		if !strings.Contains(out, name) {
			t.Errorf("%s: the output does not name the missing %s:\n%s", strings.Join(argv, " "), name, lastLines(out, 30))
		}
	}
}

// TestMakeTestLiveWithoutCredentials runs `make test-live` as the README
// tells a user to, with no DESCOPE_* set: it must pass with every live spec
// skipped and name the variables to set. (It once ran every suite with the
// live label filter, and each suite without live specs failed as empty.)
func TestMakeTestLiveWithoutCredentials(t *testing.T) {
	t.Parallel()
	requireWiringRun(t)
	env := environWithout("DESCOPE_", "HARNESS_", "MAKE")
	// Hang guard only.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	argv := []string{"make", "--no-print-directory", "test-live", "REPORTS=" + t.TempDir()}
	out, code, err := runCommand(ctx, repoRoot, env, argv...)
	if err != nil || code != 0 {
		t.Fatalf("%s: exit %d (%v), want 0 (live specs skipped without credentials):\n%s", strings.Join(argv, " "), code, err, lastLines(out, 30))
	}
	if !strings.Contains(out, "Skipped") {
		t.Errorf("%s: want the live specs reported as skipped:\n%s", strings.Join(argv, " "), lastLines(out, 30))
	}
	for _, name := range []string{"DESCOPE_PROJECT_ID", "DESCOPE_CLIENT_ID", "DESCOPE_CLIENT_SECRET"} {
		if !strings.Contains(out, name) {
			t.Errorf("%s: the output does not name the missing %s:\n%s", strings.Join(argv, " "), name, lastLines(out, 30))
		}
	}
}

// TestLiveRunsDoNotShareABuildOutput: `make test-live` compiles the live
// suite into a folder of its own and runs that binary. A plain
// `ginkgo ./suites/live` writes and deletes suites/live/live.test, so two
// runs at once (this package's two live tests did) delete each other's
// binary; the compose service's run is now the only one that writes there.
func TestLiveRunsDoNotShareABuildOutput(t *testing.T) {
	t.Parallel()
	out, code, err := runCommand(t.Context(), repoRoot, environWithout("MAKE"), "make", "--no-print-directory", "-n", "test-live")
	if err != nil || code != 0 {
		t.Fatalf("make -n test-live: exit %d (%v):\n%s", code, err, out)
	}
	var build, run string
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "ginkgo") {
			continue
		}
		for _, cmd := range strings.Split(line, "&&") {
			fields := strings.Fields(cmd)
			if len(fields) == 0 || !strings.Contains(cmd, "ginkgo") {
				continue
			}
			if slices.Contains(fields, "build") {
				build = cmd
			} else {
				run = fields[len(fields)-1]
			}
		}
	}
	if run == "" || !strings.HasSuffix(strings.Trim(run, `"`), ".test") {
		t.Fatalf("make test-live runs ginkgo on %q, want a binary it built for itself (a package path compiles into suites/live/live.test):\n%s", run, out)
	}
	if !strings.Contains(build, "-o") || strings.Contains(build, "suites/live/live.test") {
		t.Errorf("make test-live builds with %q, want -o into a folder of its own:\n%s", build, out)
	}
}

// requireWiringRun skips a test that builds and runs a whole suite as a
// command (about 4 CPU-seconds each) outside `make test-wiring`, which runs
// them with the compose wiring (and .ci/run runs it), so that `make test`
// stays within its time budget.
func requireWiringRun(t *testing.T) {
	t.Helper()
	if os.Getenv(runSuitesEnv) != "1" {
		t.Skipf("set %s=1 (make test-wiring) to run the live suite's commands", runSuitesEnv)
	}
}
