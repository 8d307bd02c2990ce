package main

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/loadgen/cmd/loadgen/internal/loadgen"
)

func TestRunRefusesURLWithMockBin(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	err := run(t.Context(), []string{"-url", "http://127.0.0.1:1", "-mock-bin", "mockidp", "-scenario", "jwks"}, &out)
	if err == nil || !strings.Contains(err.Error(), "choose one") {
		t.Errorf("run with -url and -mock-bin: got %v, want a refusal", err)
	}
}

// buildBinaries returns bin/mockidp and bin/api: the ones make test built,
// or fresh builds in a temporary folder.
func buildBinaries(t *testing.T) (mock, api string) {
	t.Helper()
	mock, okMock, err := servertest.Prebuilt("mockidp")
	if err != nil {
		t.Fatal(err)
	}
	api, okAPI, err := servertest.Prebuilt("api")
	if err != nil {
		t.Fatal(err)
	}
	if okMock && okAPI {
		return mock, api
	}
	dir := t.TempDir()
	var g errgroup.Group
	g.Go(func() (err error) {
		mock, err = loadgen.Build(context.WithoutCancel(t.Context()), "github.com/descope-harness/harness/mockidp/cmd/mockidp", dir)
		return err
	})
	g.Go(func() (err error) { api, err = loadgen.Build(t.Context(), loadgen.APIPackage, dir); return err })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return mock, api
}

// The child-process modes run end to end, briefly: bin/api's start-up
// against a child mock, and a mock row against a child mock with its
// memory and a child bare baseline.
func TestRunChildModes(t *testing.T) {
	if testing.Short() {
		t.Skip("long (builds and runs child processes under load): make test-long runs it")
	}
	t.Parallel()
	mock, api := buildBinaries(t)
	var out strings.Builder
	if err := run(t.Context(), []string{"-mock-bin", mock, "-startup-api", api, "-runs", "1"}, &out); err != nil {
		t.Fatalf("-startup-api: %v\n%s", err, out.String())
	}
	for _, want := range []string{"start 1: ready in", "1 starts: median ready", "idle RSS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-startup-api output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	args := []string{"-mock-bin", mock, "-api-bin", api, "-scenario", "jwks", "-duration", "50ms", "-max-requests", "20", "-workers", "1"}
	if err := run(t.Context(), args, &out); err != nil {
		t.Fatalf("-mock-bin: %v\n%s", err, out.String())
	}
	for _, want := range []string{"mock child " + mock, "bare handler, child process", "memory   mockidp: idle"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-mock-bin output lacks %q:\n%s", want, out.String())
		}
	}
}
