package main

import (
	"io"
	"net/http"
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
	servertest.StalledHeadersAreCut(t, addr, "GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", "/health")
}

// TestAPIWriteTimeoutBoundsSlowResponses: a response held past
// WRITE_TIMEOUT (here by a slow key-set refetch) never reaches the client.
func TestAPIWriteTimeoutBoundsSlowResponses(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"WRITE_TIMEOUT": "300ms"}))
	// Keys loaded first, so only the refetch below is slow. A busy machine
	// (-race, parallel packages) can stretch even this request past 300ms,
	// so it is tried until it is served whole.
	token := m.Token("admin-client")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		status, err := authGet("http://"+addr+"/api/me", token)
		if err == nil && status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /api/me with a valid token: got %d, %v; want 200 within 10s", status, err)
		}
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
	servertest.IdleConnectionClosed(t, addr, "/health", 300*time.Millisecond)
}

// TestAPIReadTimeoutCutsStalledBodies: a request whose declared body never
// arrives is cut at READ_TIMEOUT.
func TestAPIReadTimeoutCutsStalledBodies(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"READ_TIMEOUT": "400ms", "READ_HEADER_TIMEOUT": "2s"}))
	// start is read before the dial: the server's read deadline runs from
	// its accept, which comes after it, so a busy machine that delays this
	// goroutine cannot make the connection look cut early.
	start := time.Now()
	c := servertest.DialRaw(t, addr)
	// The API reads no bodies, so the stalled body is seen when the server
	// reads the next request on this connection: it must not wait forever.
	if _, err := io.WriteString(c, "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"); err != nil {
		t.Fatal(err)
	}
	servertest.ClosedWithin(t, c, servertest.CloseWait)
	if elapsed := time.Since(start); elapsed < 400*time.Millisecond {
		t.Errorf("stalled body held the connection %s, want at least the 400ms read timeout", elapsed)
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
