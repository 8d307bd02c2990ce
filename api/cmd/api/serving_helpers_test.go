package main

import (
	"context"
	"io"
	"testing"

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

// startAPIServing runs serve with vars in the background until the test
// ends, and returns the address (host:port) of its "api listening" line.
func startAPIServing(t *testing.T, vars map[string]string) string {
	t.Helper()
	return servertest.ServeInBackground(t, "api listening", func(ctx context.Context, logs io.Writer) error {
		return run(ctx, nil, func(k string) string { return vars[k] }, logs)
	})
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
