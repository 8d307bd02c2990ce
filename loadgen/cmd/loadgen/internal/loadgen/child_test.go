package loadgen_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
)

// TestChildScenariosEndToEnd builds bin/api and the bare baseline server,
// and runs every child-process scenario very briefly against an in-process
// mock: no errors, CPU read from the children, memory and notes reported.
func TestChildScenariosEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("long (builds and runs child processes under load): make test-long runs it")
	}
	t.Parallel()
	defer loadgen.SetDistinctPoolSize(16)()
	defer loadgen.SetChildIdle(10 * time.Millisecond)()
	base, s, stop, err := loadgen.StartMock()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	env := loadgen.Env{MockURL: base, ProjectID: s.ProjectID(), ClientID: "admin-client", ClientSecret: "admin-secret",
		Workers: 2, Client: loadgen.NewClient(2), Build: loadgen.NewBuilder(t.Context(), t.TempDir(), prebuiltAPI(t))}
	// Build both binaries at once, before the first scenario asks for them.
	var g errgroup.Group
	for _, pkg := range []string{loadgen.APIPackage, loadgen.BarePackage} {
		g.Go(func() error { _, err := env.Build(pkg); return err })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"api-me-child", "api-me-distinct", "api-invalid-garbage", "api-invalid-kid"} {
		sc, ok := loadgen.Lookup(name)
		if !ok {
			t.Fatalf("%s: not registered", name)
		}
		rep, err := loadgen.Measure(t.Context(), sc, env, loadgen.Options{Duration: time.Minute, MaxRequests: 50})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Target.Errors != 0 || rep.Target.Requests == 0 || rep.Baseline.Requests == 0 {
			t.Errorf("%s: got target %+v baseline %+v", name, rep.Target, rep.Baseline)
		}
		if len(rep.Memory) != 1 || rep.Memory[0].Name != "api" || rep.Memory[0].Idle <= 0 || rep.Memory[0].Peak < rep.Memory[0].Idle {
			t.Errorf("%s: memory %+v, want the API child's idle RSS and a peak at least as large", name, rep.Memory)
		}
		invalid := strings.HasPrefix(name, "api-invalid")
		if invalid != (len(rep.Notes) == 1) {
			t.Errorf("%s: notes %+v, want one key-set fetch note exactly for the invalid-token rows", name, rep.Notes)
		}
		for _, n := range rep.Notes {
			if n.Missed {
				t.Errorf("%s: %s: more key-set fetches than the cooldown allows", name, n.Text)
			}
		}
		var out strings.Builder
		rep.Print(&out)
		if !strings.Contains(out.String(), "ratio") || !strings.Contains(out.String(), "memory   api:") {
			t.Errorf("%s: report lacks the ratio or memory:\n%s", name, out.String())
		}
	}
}

// prebuiltAPI maps the API's package to the binary make test built, if any.
func prebuiltAPI(t *testing.T) map[string]string {
	t.Helper()
	path, ok, err := servertest.Prebuilt("api")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return nil
	}
	return map[string]string{loadgen.APIPackage: path}
}
