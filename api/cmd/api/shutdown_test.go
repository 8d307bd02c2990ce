package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// TestSIGTERMFinishesInFlightRequests starts the built binary, holds a
// protected request in flight (its token's new key is fetched through a
// latency fault), sends SIGTERM, and checks that the request completes with
// 200 and the process exits 0 in time.
func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	bin := apiBinary(t)
	m := startMock(t)
	cmd := exec.Command(bin)
	cmd.Env = os.Environ()
	for k, v := range apiEnv(m, map[string]string{"SHUTDOWN_TIMEOUT": "10s"}) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addrc := make(chan string, 1)
	go servertest.ScanListening(stdout, "api listening", addrc)
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case <-time.After(20 * time.Second):
		t.Fatal("no \"api listening\" line within 20s")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the API did not become ready within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A token signed by a key the API has not fetched yet, and a slow fetch.
	if err := m.RotateKeys(1); err != nil {
		t.Fatal(err)
	}
	token := m.Token("admin-client")
	if err := m.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointJWKS, Latency: mockidp.Duration(1500 * time.Millisecond), Count: 1}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		inflight <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	for len(m.Faults()) > 0 { // the refetch took the fault: the request is in flight
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("the API never refetched the key set")
		}
		time.Sleep(10 * time.Millisecond)
	}
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-inflight:
		if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"authenticated":true`) {
			t.Errorf("in-flight request: got %d %q (%v), want 200 authenticated", r.status, r.body, r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("in-flight request not answered within 15s of SIGTERM")
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
		if d := time.Since(signalled); d > 12*time.Second {
			t.Errorf("exited %s after SIGTERM, want within the 10s shutdown timeout", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("process still running 15s after SIGTERM")
	}
}
