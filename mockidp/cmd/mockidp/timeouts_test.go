package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
)

// These tests run the real server with tiny timeouts and watch raw
// connections: each timeout is observed doing its job, not read from a
// struct. Bounds are generous (the machine may be busy); each test also
// checks the connection stayed open for at least most of its timeout.

// TestReadHeaderTimeoutCutsStalledClients: a client that sends its headers
// byte by byte, or stops half-way, is cut at the read-header timeout, and
// meanwhile other clients are served.
func TestReadHeaderTimeoutCutsStalledClients(t *testing.T) {
	t.Parallel()
	s := startServing(t, "--read-header-timeout", "300ms", "--read-timeout", "5s", "--write-timeout", "5s")

	stalled := servertest.DialRaw(t, s.addr)
	if _, err := io.WriteString(stalled, "GET /_mock/health HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	trickle := servertest.DialRaw(t, s.addr)
	stopTrickle := make(chan struct{})
	go func() { // one header byte every 50ms, never finishing
		line := "GET /_mock/health HTTP/1.1\r\nX-Slow: " + strings.Repeat("a", 1000)
		for i := 0; i < len(line); i++ {
			select {
			case <-stopTrickle:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := trickle.Write([]byte{line[i]}); err != nil {
				return
			}
		}
	}()
	defer close(stopTrickle)

	// Other clients are not held up by the stalled ones.
	for range 5 {
		resp, err := http.Get("http://" + s.addr + "/_mock/health")
		if err != nil {
			t.Fatalf("GET /_mock/health beside stalled clients: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /_mock/health beside stalled clients: got %d, want 200", resp.StatusCode)
		}
	}
	// closedWithin fails the test if either is still open after 5s; the
	// trickle alone would take over 50s to finish its headers.
	servertest.ClosedWithin(t, stalled, 5*time.Second)
	servertest.ClosedWithin(t, trickle, 5*time.Second)
}

// TestReadTimeoutCutsStalledBodies: a token request whose body never
// arrives is answered or cut at the read timeout, not held open.
func TestReadTimeoutCutsStalledBodies(t *testing.T) {
	t.Parallel()
	s := startServing(t, "--read-header-timeout", "2s", "--read-timeout", "400ms", "--write-timeout", "5s")
	c := servertest.DialRaw(t, s.addr)
	start := time.Now()
	req := "POST /oauth2/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	elapsed := time.Since(start)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("got status %d, want 400 (body unreadable) or a closed connection", resp.StatusCode)
		}
	}
	if elapsed < 300*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("stalled body ended after %s, want about the 400ms read timeout", elapsed)
	}
}

// TestWriteTimeoutBoundsSlowResponses: a response held (by a latency fault)
// past the write timeout never reaches the client.
func TestWriteTimeoutBoundsSlowResponses(t *testing.T) {
	t.Parallel()
	s := startServing(t, "--write-timeout", "300ms")
	base := "http://" + s.addr
	resp, err := http.Post(base+"/_mock/faults", "application/json", strings.NewReader(`{"endpoint":"license","latency":"800ms","count":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("injecting latency: got %d, want 201", resp.StatusCode)
	}
	resp, err = http.Get(base + "/v1/mgmt/license")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("slow response: got status %d, want the connection closed by the write timeout", resp.StatusCode)
	}
	resp, err = http.Get(base + "/v1/mgmt/license")
	if err != nil {
		t.Fatalf("a fast request after the slow one: %v", err)
	}
	resp.Body.Close()
}

// TestIdleTimeoutClosesKeepAliveConnections: an idle keep-alive connection
// is closed at the idle timeout.
func TestIdleTimeoutClosesKeepAliveConnections(t *testing.T) {
	t.Parallel()
	s := startServing(t, "--idle-timeout", "300ms")
	c := servertest.DialRaw(t, s.addr)
	if _, err := io.WriteString(c, "GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("server closed the connection at once; want keep-alive until the idle timeout")
	}
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(5 * time.Second))
	_, err = r.ReadByte()
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("read a byte from an idle connection")
	}
	if elapsed < 200*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("idle connection closed after %s (%v), want about the 300ms idle timeout", elapsed, err)
	}
}
