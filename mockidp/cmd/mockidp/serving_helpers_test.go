package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// startServing runs serve with args (plus JSON logs on a free loopback port
// unless args name --addr) in the background until the test ends, and
// returns the address (host:port) of its "mockidp listening" line.
func startServing(t *testing.T, args ...string) string {
	t.Helper()
	if !strings.Contains(strings.Join(args, " "), "--addr") {
		args = append(args, "--addr", "127.0.0.1:0")
	}
	args = append([]string{"serve", "--log-format", "json"}, args...)
	return servertest.ServeInBackground(t, "mockidp listening", func(ctx context.Context, logs io.Writer) error {
		return run(ctx, args, func(string) string { return "" }, io.Discard, logs)
	})
}

// mockidpBinary builds this command into the test's temporary folder.
func mockidpBinary(t *testing.T) string {
	t.Helper()
	return servertest.BuildCommand(t, ".", "mockidp")
}
