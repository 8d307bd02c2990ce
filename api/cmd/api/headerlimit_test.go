package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
)

// TestHeaderBlockOverTheLimit: headers over MAX_HEADER_BYTES get the API's
// JSON 431; a token that fits under the limit but is over MAX_TOKEN_BYTES
// stays the contract's 401, with its own reason in detail mode.
func TestHeaderBlockOverTheLimit(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"MAX_HEADER_BYTES": "32768", "MAX_TOKEN_BYTES": "16384", "AUTH_ERROR_DETAIL": "true"}))
	for _, tt := range []struct {
		name       string
		tokenBytes int
		wantStatus int
		wantBody   string
	}{
		{"token over MAX_TOKEN_BYTES, block under the limit", 20 << 10, 401, `{"detail":"Token validation failed: token too large"}`},
		{"block over the limit", 40 << 10, 431, `{"detail":"Request header fields too large"}`},
	} {
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/api/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+strings.Repeat("A", tt.tokenBytes))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || strings.TrimSpace(string(body)) != tt.wantBody {
			t.Errorf("%s: got %d %s, want %d %s", tt.name, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json", tt.name, ct)
		}
	}
}

// TestHeaderBlockLimit: a request whose headers exceed twice MAX_HEADER_BYTES
// is refused with 431 by net/http before any handler runs (so its body is
// net/http's plain text, not the API's JSON), and the server keeps serving.
func TestHeaderBlockLimit(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"MAX_HEADER_BYTES": "4096"}))
	servertest.OversizedHeadersRefused(t, addr, "/api/me", "Authorization", "Bearer "+strings.Repeat("A", 16<<10), "/health")
}
