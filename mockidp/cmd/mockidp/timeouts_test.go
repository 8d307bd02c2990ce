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
	addr := startServing(t, "--read-header-timeout", "300ms", "--read-timeout", "5s", "--write-timeout", "5s")
	servertest.StalledHeadersAreCut(t, addr, "GET /_mock/health HTTP/1.1\r\nHost: x\r\n", "/_mock/health")
}

// TestReadTimeoutCutsStalledBodies: a token request whose body never
// arrives is answered or cut at the read timeout, not held open.
func TestReadTimeoutCutsStalledBodies(t *testing.T) {
	t.Parallel()
	addr := startServing(t, "--read-header-timeout", "2s", "--read-timeout", "400ms", "--write-timeout", "5s")
	start := time.Now() // before the dial: the server's read deadline runs from its accept
	c := servertest.DialRaw(t, addr)
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
	addr := startServing(t, "--write-timeout", "300ms")
	base := "http://" + addr
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
	addr := startServing(t, "--idle-timeout", "300ms")
	servertest.IdleConnectionClosed(t, addr, "/_mock/health", 300*time.Millisecond)
}
