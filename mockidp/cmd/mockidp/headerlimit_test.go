package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeaderBlockLimit: headers over --max-header-bytes are refused with
// 431 by net/http before the mock's handler runs (so the body is net/http's
// plain text, not a Descope error), and the server keeps serving.
func TestHeaderBlockLimit(t *testing.T) {
	t.Parallel()
	s := startServing(t, "--max-header-bytes", "4096")
	req, err := http.NewRequest(http.MethodGet, "http://"+s.addr+"/_mock/health", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("A", 16<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("16 KiB of headers over a 4 KiB limit: got %d, want 431", resp.StatusCode)
	}
	resp, err = http.Get("http://" + s.addr + "/_mock/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /_mock/health after the refusal: got %d, want 200", resp.StatusCode)
	}
}
