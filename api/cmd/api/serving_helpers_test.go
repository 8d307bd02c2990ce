package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// apiEnv is the environment of an API in front of mock m, plus extra.
func apiEnv(m *mockidptest.Mock, extra map[string]string) map[string]string {
	vars := map[string]string{"DISCOVERY_URL": m.DiscoveryURL(), "AUDIENCE": m.ProjectID(), "DESCOPE_PROJECT_ID": m.ProjectID(),
		"PORT": "0", "LOG_FORMAT": "json"}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// startAPIServing runs serve with vars in the background, waits until it
// listens and its keys are loaded, and returns its address (host:port).
func startAPIServing(t *testing.T, vars map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, nil, func(k string) string { return vars[k] }, pw)
		pw.Close()
		done <- err
	}()
	addrc := make(chan string, 1)
	go servertest.ScanListening(pr, "api listening", addrc)
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		cancel()
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("no \"api listening\" line within 20s")
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return addr
}

// startMock serves a mock issuer for the API under test.
func startMock(t *testing.T) *mockidptest.Mock {
	t.Helper()
	return mockidptest.Start(t, mockidp.Config{})
}

// apiBinary builds this command into the test's temporary folder.
func apiBinary(t *testing.T) string {
	t.Helper()
	return servertest.BuildCommand(t, ".", "api")
}
