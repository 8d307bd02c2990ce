package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// started is a run call serving in the background.
type started struct {
	base string // "http://127.0.0.1:port"
	done chan error
	stop context.CancelFunc
	logs *lineLog
}

// lineLog collects JSON log lines from run's stdout.
type lineLog struct {
	mu    sync.Mutex
	lines []map[string]any
}

func (l *lineLog) find(msg string, match func(map[string]any) bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if line["msg"] == msg && match(line) {
			return true
		}
	}
	return false
}

// startRun runs the server with vars (JSON logs, a free port) and waits for
// its "api listening" line.
func startRun(t *testing.T, vars map[string]string) *started {
	t.Helper()
	vars["PORT"] = "0"
	vars["LOG_FORMAT"] = "json"
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	s := &started{done: make(chan error, 1), stop: cancel, logs: &lineLog{}}
	drained := make(chan struct{}) // the reader below has recorded every line
	go func() {
		err := run(ctx, nil, env(vars), pw)
		pw.Close()
		<-drained // so whoever receives from done sees every log line
		s.done <- err
	}()
	addr := make(chan string, 1)
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			s.logs.mu.Lock()
			s.logs.lines = append(s.logs.lines, line)
			s.logs.mu.Unlock()
			if line["msg"] == "api listening" {
				addr <- line["addr"].(string)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case s.base = <-addr:
	case err := <-s.done:
		t.Fatalf("run returned before listening: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Request-ID", "run-test-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestRunServesAndShutsDown(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	s := startRun(t, map[string]string{"DISCOVERY_URL": m.DiscoveryURL(), "AUDIENCE": m.ProjectID(), "DESCOPE_PROJECT_ID": m.ProjectID()})

	if status, body := get(t, s.base+"/health", ""); status != 200 || body != `{"status":"healthy","provider":"descope"}` {
		t.Errorf("GET /health: got %d %s, want 200 healthy", status, body)
	}
	if status, _ := get(t, s.base+"/api/me", m.Token("admin-client")); status != 200 {
		t.Errorf("GET /api/me with a mock token: got %d, want 200", status)
	}
	if status, _ := get(t, s.base+"/api/me", ""); status != 401 {
		t.Errorf("GET /api/me without a token: got %d, want 401", status)
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"healthcheck"}, env(map[string]string{"PORT": strings.TrimPrefix(s.base, "http://127.0.0.1:")}), &out); err != nil {
		t.Errorf("healthcheck against the running server: %v", err)
	}

	s.stop()
	if err := <-s.done; err != nil {
		t.Errorf("run after cancel: got %v, want nil", err)
	}
	s.done <- nil // for the cleanup
	if !s.logs.find("request", func(l map[string]any) bool { return l["path"] == "/health" && l["request_id"] == "run-test-1" }) {
		t.Error("access log: no request line for /health with request_id run-test-1")
	}
	if !s.logs.find("api stopped", func(map[string]any) bool { return true }) {
		t.Error("log: no \"api stopped\" line")
	}
}

// The provider is down at start-up: the API starts anyway, answers 503 on
// protected paths and recovers by itself once the provider is back.
func TestRunStartsWhileProviderDown(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	if err := m.InjectFault(mockidp.Fault{Endpoint: "discovery", Status: 503}); err != nil {
		t.Fatal(err)
	}
	s := startRun(t, map[string]string{"DESCOPE_PROJECT_ID": m.ProjectID(), "DISCOVERY_URL": m.DiscoveryURL(), "DISCOVERY_RETRIES": "0"})
	token := m.Token("admin-client")
	if status, body := get(t, s.base+"/api/me", token); status != 503 {
		t.Errorf("GET /api/me while the provider is down: got %d %s, want 503", status, body)
	}
	if status, _ := get(t, s.base+"/ready", ""); status != 503 {
		t.Errorf("GET /ready while the provider is down: got %d, want 503", status)
	}
	m.ClearFaults("discovery")
	// The validator retries in the background with a short backoff; poll
	// /ready until it has keys (the test's own deadline bounds this).
	for {
		if status, _ := get(t, s.base+"/ready", ""); status == 200 {
			break
		}
		select {
		case <-t.Context().Done():
			t.Fatal("API never became ready")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if status, _ := get(t, s.base+"/api/me", token); status != 200 {
		t.Errorf("GET /api/me after recovery: got %d, want 200", status)
	}
}

func TestRunCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		vars       map[string]string
		wantErr    string
		wantStdout string
	}{
		{"version", []string{"version"}, nil, "", version + "\n"},
		{"help", []string{"help"}, nil, "", usage},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`, ""},
		{"serve with extra args", []string{"serve", "x"}, nil, "unexpected arguments", ""},
		{"bad config names the variable", nil, map[string]string{"DESCOPE_PROJECT_ID": "P2Test", "PORT": "eighty"}, "PORT:", ""},
		{"missing project ID", nil, map[string]string{}, "DESCOPE_PROJECT_ID:", ""},
		{"healthcheck bad port", []string{"healthcheck"}, map[string]string{"PORT": "x"}, "PORT:", ""},
		{"healthcheck bad argument", []string{"healthcheck", "live"}, nil, "unexpected arguments", ""},
		{"healthcheck nothing listening", []string{"healthcheck"}, map[string]string{"PORT": "1"}, "healthcheck:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(t.Context(), tt.args, env(tt.vars), &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("run: got error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("run: got error %v, want one containing %q", err, tt.wantErr)
			}
			if out.String() != tt.wantStdout {
				t.Errorf("stdout: got %q, want %q", out.String(), tt.wantStdout)
			}
		})
	}
}

func TestHealthcheckReadyAndWildcardHost(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	s := startRun(t, map[string]string{"DESCOPE_PROJECT_ID": m.ProjectID(), "DISCOVERY_URL": m.DiscoveryURL()})
	port := strings.TrimPrefix(s.base, "http://127.0.0.1:")
	// A request loads the keys, so /ready turns 200.
	if status, _ := get(t, s.base+"/api/me", m.Token("reader-client")); status != 200 {
		t.Fatalf("GET /api/me: got %d, want 200", status)
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"healthcheck", "ready"}, env(map[string]string{"HOST": "0.0.0.0", "PORT": port}), &out); err != nil {
		t.Errorf("healthcheck ready: %v", err)
	}
	if !strings.Contains(out.String(), "/ready: 200") {
		t.Errorf("healthcheck output: got %q, want it to report /ready: 200", out.String())
	}
}

// AUTH_ERROR_DETAIL and EXTRA_ISSUERS reach the validator.
func TestRunWiresAuthSettings(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	const extra = "https://api.descope.com/v1/apps/P2MockDescopeHarness00000001"
	s := startRun(t, map[string]string{"DESCOPE_PROJECT_ID": m.ProjectID(), "DISCOVERY_URL": m.DiscoveryURL(),
		"AUTH_ERROR_DETAIL": "true", "EXTRA_ISSUERS": extra})

	expired := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: mockidp.PresetExpired})
	if status, body := get(t, s.base+"/api/me", expired); status != 401 || body != `{"detail":"Token validation failed: token has expired"}` {
		t.Errorf("expired token with AUTH_ERROR_DETAIL: got %d %s, want 401 with the reason", status, body)
	}
	other := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Issuer: extra})
	if status, body := get(t, s.base+"/api/me", other); status != 200 {
		t.Errorf("token from an EXTRA_ISSUERS issuer: got %d %s, want 200", status, body)
	}
	unlisted := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Issuer: "https://evil.example/P2MockDescopeHarness00000001"})
	if status, body := get(t, s.base+"/api/me", unlisted); status != 401 || body != `{"detail":"Token validation failed: invalid issuer"}` {
		t.Errorf("token from an unlisted issuer: got %d %s, want 401 invalid issuer", status, body)
	}
}
