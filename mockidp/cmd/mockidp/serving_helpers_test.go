package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
)

// servingRun is a run("serve") call in the background.
type servingRun struct {
	addr string // host:port it listens on
	done chan error
	stop context.CancelFunc
}

// startServing runs serve with args (plus JSON logs on a free loopback port
// unless args name --addr) and waits for its "mockidp listening" line.
func startServing(t *testing.T, args ...string) *servingRun {
	t.Helper()
	if !strings.Contains(strings.Join(args, " "), "--addr") {
		args = append(args, "--addr", "127.0.0.1:0")
	}
	args = append([]string{"serve", "--log-format", "json"}, args...)
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	s := &servingRun{done: make(chan error, 1), stop: cancel}
	go func() {
		err := run(ctx, args, func(string) string { return "" }, io.Discard, pw)
		pw.Close()
		s.done <- err
	}()
	addr := make(chan string, 1)
	go servertest.ScanListening(pr, "mockidp listening", addr)
	select {
	case s.addr = <-addr:
	case err := <-s.done:
		cancel()
		t.Fatalf("run %q returned before listening: %v", args, err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("run %q: no \"mockidp listening\" line within 20s", args)
	}
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// mockidpBinary builds this command into the test's temporary folder.
func mockidpBinary(t *testing.T) string {
	t.Helper()
	return servertest.BuildCommand(t, ".", "mockidp")
}
