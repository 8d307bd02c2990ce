package mockidp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTokenResponsesAreNotCached: every response that carries a token (the
// token endpoint, the access-key exchange, the control plane's mint) says
// Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1).
func TestTokenResponsesAreNotCached(t *testing.T) {
	t.Parallel()
	s := newFuzzServer(t, fuzzAdminToken)
	pid := s.ProjectID()
	tests := []struct {
		name, method, path, contentType, authorization, body string
	}{
		{"token endpoint", http.MethodPost, "/oauth2/v1/token", "application/x-www-form-urlencoded", "",
			"grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"},
		{"apps token endpoint", http.MethodPost, "/oauth2/v1/apps/" + pid + "/token", "application/json", "",
			`{"grant_type":"client_credentials","client_id":"admin-client","client_secret":"admin-secret"}`},
		{"access-key exchange", http.MethodPost, "/v1/auth/accesskey/exchange", "application/json",
			"Bearer " + pid + ":mock-access-key-secret", `{}`},
		{"control-plane mint", http.MethodPost, "/_mock/tokens", "application/json", "Bearer " + fuzzAdminToken,
			`{"client_id":"admin-client"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			if tt.authorization != "" {
				r.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s, want 200", rec.Code, rec.Body.Bytes())
			}
			for name, want := range map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"} {
				if got := rec.Header().Get(name); got != want {
					t.Errorf("got %s %q, want %q", name, got, want)
				}
			}
		})
	}
}
