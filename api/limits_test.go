package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestOversizedAuthorizationHeader: an Authorization header longer than any
// token the validator accepts (16 KiB) is a 431 with the API's {"detail":…}
// body, on protected and public paths, before any token parsing; one just
// under the limit reaches authentication as usual.
func TestOversizedAuthorizationHeader(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{ready: true})
	tests := []struct {
		name       string
		path       string
		token      string
		wantStatus int
	}{
		{"20 KiB token on a protected path", "/api/me", strings.Repeat("a", 20<<10), http.StatusRequestHeaderFieldsTooLarge},
		{"20 KiB token on a public path", "/health", strings.Repeat("a", 20<<10), http.StatusRequestHeaderFieldsTooLarge},
		{"1 MiB token", "/api/me", strings.Repeat("a", 1<<20), http.StatusRequestHeaderFieldsTooLarge},
		{"16 KiB token", "/health", strings.Repeat("a", 16<<10), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(t, s, request{path: tt.path, token: tt.token})
			if tt.wantStatus == http.StatusOK {
				if w.Code != http.StatusOK {
					t.Errorf("got %d (%s), want 200", w.Code, w.Body.String())
				}
				return
			}
			checkJSON(t, w, tt.wantStatus, `{"detail":"Request header fields too large"}`)
		})
	}
}
