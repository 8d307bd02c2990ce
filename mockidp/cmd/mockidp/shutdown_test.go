package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
)

// TestSIGTERMFinishesInFlightRequests starts the built binary, holds a
// token request in flight with a latency fault, sends SIGTERM, and checks
// that the request completes with 200 and the process exits 0 in time.
func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	bin := mockidpBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--shutdown-timeout", "10s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addrc := make(chan string, 1)
	go servertest.ScanListening(stderr, "mockidp listening", addrc)
	go func() { exited <- cmd.Wait() }()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case <-time.After(20 * time.Second):
		t.Fatal("no \"mockidp listening\" line within 20s")
	}

	resp, err := http.Post(base+"/_mock/faults", "application/json", strings.NewReader(`{"endpoint":"token","latency":"1500ms","count":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	type result struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Post(base+"/oauth2/v1/token", "application/x-www-form-urlencoded",
			strings.NewReader("grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"))
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		inflight <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	// The fault leaves the list when the request takes it: it is in flight.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/_mock/faults")
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Faults []json.RawMessage `json:"faults"`
		}
		err = json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Faults) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the token request never took the latency fault")
		}
		time.Sleep(10 * time.Millisecond)
	}
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	select {
	case r := <-inflight:
		if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"access_token"`) {
			t.Errorf("in-flight token request: got %d %q (%v), want 200 with a token", r.status, r.body, r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("in-flight request not answered within 15s of SIGTERM")
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
		if d := time.Since(signalled); d > 12*time.Second {
			t.Errorf("exited %s after SIGTERM, want within the 10s shutdown timeout", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("process still running 15s after SIGTERM")
	}
	if _, err := http.Get(base + "/_mock/health"); err == nil {
		t.Error("the mock still answers after exiting")
	}
}
