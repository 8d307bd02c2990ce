package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeaderBlockLimit: a request whose headers exceed MAX_HEADER_BYTES is
// refused with 431 by net/http before any handler runs (so its body is
// net/http's plain text, not the API's JSON), and the server keeps serving.
func TestHeaderBlockLimit(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, map[string]string{"MAX_HEADER_BYTES": "4096"}))
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/api/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("A", 16<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("16 KiB of headers over a 4 KiB limit: got %d, want 431", resp.StatusCode)
	}
	resp, err = http.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /health after the refusal: got %d, want 200", resp.StatusCode)
	}
}
