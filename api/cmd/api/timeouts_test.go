package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// These tests run the real server with tiny timeouts and watch raw
// connections, so each timeout is seen doing its job. Bounds are generous.

// TestAPIReadHeaderTimeoutCutsStalledClients: clients that stall or trickle
// their headers are cut at READ_HEADER_TIMEOUT while others are served.
func TestAPIReadHeaderTimeoutCutsStalledClients(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"READ_HEADER_TIMEOUT": "300ms"}))

	stalled := servertest.DialRaw(t, addr)
	if _, err := io.WriteString(stalled, "GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "); err != nil {
		t.Fatal(err)
	}
	trickle := servertest.DialRaw(t, addr)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		line := "GET /health HTTP/1.1\r\nX-Slow: " + strings.Repeat("a", 1000)
		for i := 0; i < len(line); i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := trickle.Write([]byte{line[i]}); err != nil {
				return
			}
		}
	}()
	for range 5 {
		resp, err := http.Get("http://" + addr + "/health")
		if err != nil {
			t.Fatalf("GET /health beside stalled clients: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /health beside stalled clients: got %d, want 200", resp.StatusCode)
		}
	}
	servertest.ClosedWithin(t, stalled, 5*time.Second)
	servertest.ClosedWithin(t, trickle, 5*time.Second)
}

// TestAPIWriteTimeoutBoundsSlowResponses: a response held past
// WRITE_TIMEOUT (here by a slow key-set refetch) never reaches the client.
func TestAPIWriteTimeoutBoundsSlowResponses(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"WRITE_TIMEOUT": "300ms"}))
	// Load keys first, so only the refetch below is slow.
	if resp, err := authGet("http://"+addr+"/api/me", m.Token("admin-client")); err != nil || resp != http.StatusOK {
		t.Fatalf("GET /api/me with a valid token: got %d, %v; want 200", resp, err)
	}
	if err := m.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointJWKS, Latency: mockidp.Duration(800 * time.Millisecond), Count: 1}); err != nil {
		t.Fatal(err)
	}
	unknown := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetUnknownKid})
	if status, err := authGet("http://"+addr+"/api/me", unknown); err == nil {
		t.Fatalf("slow response: got status %d, want the connection closed by the write timeout", status)
	}
}

// TestAPIIdleTimeoutClosesKeepAliveConnections: an idle keep-alive
// connection is closed at IDLE_TIMEOUT.
func TestAPIIdleTimeoutClosesKeepAliveConnections(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"IDLE_TIMEOUT": "300ms"}))
	c := servertest.DialRaw(t, addr)
	if _, err := io.WriteString(c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
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
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("read a byte from an idle connection")
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("idle connection closed after %s, want about the 300ms idle timeout", d)
	}
}

// TestAPIReadTimeoutCutsStalledBodies: a request whose declared body never
// arrives is cut at READ_TIMEOUT.
func TestAPIReadTimeoutCutsStalledBodies(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"READ_TIMEOUT": "400ms", "READ_HEADER_TIMEOUT": "2s"}))
	c := servertest.DialRaw(t, addr)
	start := time.Now()
	// The API reads no bodies, so the stalled body is seen when the server
	// reads the next request on this connection: it must not wait forever.
	if _, err := io.WriteString(c, "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"); err != nil {
		t.Fatal(err)
	}
	d := servertest.ClosedWithin(t, c, 5*time.Second)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("stalled body held the connection %s (%s after the response)", elapsed, d)
	}
}

// authGet does GET url with a bearer token and returns the status.
func authGet(url, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
