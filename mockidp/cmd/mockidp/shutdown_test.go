package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// TestSIGTERMFinishesInFlightRequests starts the built binary, holds a
// token request in flight with a latency fault, sends SIGTERM, and checks
// that the request completes with 200 and the process exits 0 in time.
func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	servertest.SIGTERMDrains(t, servertest.Drain{
		Cmd: exec.Command(mockidpBinary(t), "serve", "--addr", "127.0.0.1:0", "--log-format", "json",
			"--shutdown-timeout", servertest.ShutdownTimeout.String()),
		Logs:      (*exec.Cmd).StderrPipe,
		Listening: "mockidp listening",
		ReadyPath: "/_mock/health",
		Hold:      holdTokenRequest,
		Want:      `"access_token"`,
	})
}

// holdTokenRequest injects a 1.5s latency fault on the token endpoint; the
// fault leaves the list when the request takes it: it is then in flight.
func holdTokenRequest(t *testing.T, base string) (*http.Request, func() bool) {
	resp, err := http.Post(base+"/_mock/faults", "application/json", strings.NewReader(`{"endpoint":"token","latency":"1500ms","count":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("injecting latency: got %d, want 201", resp.StatusCode)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/oauth2/v1/token",
		strings.NewReader("grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, func() bool {
		resp, err := http.Get(base + "/_mock/faults")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var f struct {
			Faults []json.RawMessage `json:"faults"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
			t.Fatal(err)
		}
		return len(f.Faults) == 0
	}
}
