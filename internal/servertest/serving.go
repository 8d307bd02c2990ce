package servertest

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listenWait bounds the wait for a server's listening line (a cold build
// cache and a busy machine make start-up slow).
const listenWait = 20 * time.Second

// ServeInBackground runs serve (a binary's run function, writing its JSON
// logs to logs) in a goroutine, waits for the log line whose msg is
// listening, and returns the address it names (host:port). The test fails
// if serve returns first or no such line comes within 20s. When the test
// ends, serve's context is cancelled and serve is waited for.
func ServeInBackground(t testing.TB, listening string, serve func(ctx context.Context, logs io.Writer) error) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := serve(ctx, pw)
		pw.Close()
		done <- err
	}()
	addrc := make(chan string, 1)
	go ScanListening(pr, listening, addrc)
	t.Cleanup(func() {
		cancel()
		<-done
	})
	select {
	case addr := <-addrc:
		return addr
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("serve returned before its %q line: %v", listening, err)
	case <-time.After(listenWait):
		t.Fatalf("no %q line within %s", listening, listenWait)
	}
	return ""
}

// ShutdownTimeout is the graceful-shutdown timeout a binary under
// SIGTERMDrains must be started with.
const ShutdownTimeout = 10 * time.Second

// Drain is a binary under SIGTERMDrains and what differs between binaries.
type Drain struct {
	// Cmd is the binary's command line, not yet started, with a
	// ShutdownTimeout shutdown timeout and JSON logs on a free port.
	Cmd *exec.Cmd
	// Logs picks the stream carrying the JSON logs:
	// (*exec.Cmd).StdoutPipe or (*exec.Cmd).StderrPipe.
	Logs func(*exec.Cmd) (io.ReadCloser, error)
	// Listening is the msg of the log line naming the address.
	Listening string
	// ReadyPath must answer 200 before the request is put in flight, and
	// must not answer once the process has exited.
	ReadyPath string
	// Hold prepares a request the server will hold (a latency fault, say).
	// It returns the request, which SIGTERMDrains sends once, and held,
	// which reports true once the server is holding that request.
	Hold func(t *testing.T, base string) (req *http.Request, held func() bool)
	// Want is part of the held request's 200 body.
	Want string
}

// SIGTERMDrains starts d.Cmd, puts d.Hold's request in flight, sends
// SIGTERM while the server holds it, and checks that the request is still
// answered 200 with d.Want in its body (not cut), that the process exits
// with status 0 within the shutdown timeout (2s of slack), and that
// nothing answers at its address afterwards.
func SIGTERMDrains(t *testing.T, d Drain) {
	t.Helper()
	logs, err := d.Logs(d.Cmd)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- d.Cmd.Wait() }()
	t.Cleanup(func() {
		_ = d.Cmd.Process.Kill()
		<-exited
	})
	addrc := make(chan string, 1)
	go ScanListening(logs, d.Listening, addrc)
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("%s exited before its %q line: %v", d.Cmd.Path, d.Listening, err)
	case <-time.After(listenWait):
		t.Fatalf("no %q line within %s", d.Listening, listenWait)
	}
	waitFor(t, 10*time.Second, d.ReadyPath+" answering 200", func() bool {
		resp, err := http.Get(base + d.ReadyPath)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	req, held := d.Hold(t, base)
	type result struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		inflight <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	waitFor(t, 20*time.Second, "the server holding the request", held)
	signalled := time.Now()
	if err := d.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	select {
	case r := <-inflight:
		if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, d.Want) {
			t.Errorf("in-flight %s %s: got %d %q (%v), want 200 with %s", req.Method, req.URL.Path, r.status, r.body, r.err, d.Want)
		}
	case <-time.After(ShutdownTimeout + 5*time.Second):
		t.Fatalf("in-flight request not answered within %s of SIGTERM", ShutdownTimeout+5*time.Second)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
		if e := time.Since(signalled); e > ShutdownTimeout+2*time.Second {
			t.Errorf("exited %s after SIGTERM, want within the %s shutdown timeout", e, ShutdownTimeout)
		}
	case <-time.After(ShutdownTimeout + 5*time.Second):
		t.Fatalf("process still running %s after SIGTERM", ShutdownTimeout+5*time.Second)
	}
	if resp, err := http.Get(base + d.ReadyPath); err == nil {
		resp.Body.Close()
		t.Errorf("GET %s answered %d after the process exited", d.ReadyPath, resp.StatusCode)
	}
}

// waitFor polls cond every 10ms until it is true, failing the test after
// limit (a bound on a stall, not a performance check).
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// OversizedHeadersRefused sends GET path with the header name: value to a
// server whose header limit (net/http's MaxHeaderBytes plus its 4 KiB
// slack) value exceeds, and checks net/http refused it before any handler
// ran: 431 with net/http's own plain-text body. Then GET healthPath must
// still answer 200: the server keeps serving.
func OversizedHeadersRefused(t *testing.T, addr, path, name, value, healthPath string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(name, value)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	const plain = "431 Request Header Fields Too Large" // net/http's refusal, not a handler's
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || string(body) != plain {
		t.Errorf("GET %s with %d bytes of %s: got %d %q, want net/http's 431 %q", path, len(value), name, resp.StatusCode, body, plain)
	}
	resp, err = http.Get("http://" + addr + healthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s after the refusal: got %d, want 200", healthPath, resp.StatusCode)
	}
}
