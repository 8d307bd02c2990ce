package main

import (
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// TestSIGTERMFinishesInFlightRequests starts the built binary, holds a
// protected request in flight (its token's new key is fetched through a
// latency fault), sends SIGTERM, and checks that the request completes with
// 200 and the process exits 0 in time.
func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	cmd := exec.Command(apiBinary(t))
	cmd.Env = os.Environ()
	for k, v := range apiEnv(m, map[string]string{"SHUTDOWN_TIMEOUT": servertest.ShutdownTimeout.String()}) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	servertest.SIGTERMDrains(t, servertest.Drain{
		Cmd:       cmd,
		Logs:      (*exec.Cmd).StdoutPipe,
		Listening: "api listening",
		ReadyPath: "/ready",
		Hold:      holdKeyRefetch(m),
		Want:      `"authenticated":true`,
	})
}

// holdKeyRefetch returns a Hold for the API in front of m: a token signed
// by a key the API has not fetched yet, and a 1.5s latency fault on the
// key set; the refetch took the fault when none is left.
func holdKeyRefetch(m *mockidptest.Mock) func(*testing.T, string) (*http.Request, func() bool) {
	return func(t *testing.T, base string) (*http.Request, func() bool) {
		if err := m.RotateKeys(1); err != nil {
			t.Fatal(err)
		}
		token := m.Token("admin-client")
		if err := m.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointJWKS, Latency: mockidp.Duration(1500 * time.Millisecond), Count: 1}); err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodGet, base+"/api/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return req, func() bool { return len(m.Faults()) == 0 }
	}
}
