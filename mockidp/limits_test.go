package mockidp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// TestSizeLimits: an oversized Authorization header is a 431 and oversized
// token-endpoint and control-plane bodies are 413s, each a Descope error body.
func TestSizeLimits(t *testing.T) {
	t.Parallel()
	s := newFuzzServer(t, fuzzAdminToken)
	big := strings.Repeat("a", 65<<10) // over the default 64 KiB body limit
	tests := []struct {
		name, method, path, contentType, authorization, body string
		wantStatus                                           int
		wantCode                                             string
	}{
		{"authorization header over MaxAuthorizationBytes", http.MethodPost, "/oauth2/v1/token", "application/x-www-form-urlencoded",
			"Basic " + strings.Repeat("A", mockidp.MaxAuthorizationBytes), "grant_type=client_credentials", http.StatusRequestHeaderFieldsTooLarge, "E011413"},
		{"authorization header over MaxAuthorizationBytes on the control plane", http.MethodGet, "/_mock/keys", "",
			"Bearer " + strings.Repeat("A", mockidp.MaxAuthorizationBytes), "", http.StatusRequestHeaderFieldsTooLarge, "E011413"},
		{"form token body over 64 KiB", http.MethodPost, "/oauth2/v1/token", "application/x-www-form-urlencoded",
			"", "grant_type=client_credentials&scope=" + big, http.StatusRequestEntityTooLarge, "E011413"},
		{"JSON token body over 64 KiB", http.MethodPost, "/oauth2/v1/apps/token", "application/json",
			"", `{"grant_type":"` + big + `"}`, http.StatusRequestEntityTooLarge, "E011413"},
		{"control-plane body over 64 KiB", http.MethodPost, "/_mock/clients", "application/json",
			"Bearer " + fuzzAdminToken, `{"id":"` + big + `"}`, http.StatusRequestEntityTooLarge, "E011413"},
		{"mint body over 64 KiB", http.MethodPost, "/_mock/tokens", "application/json",
			"Bearer " + fuzzAdminToken, `{"claims":{"x":"` + big + `"}}`, http.StatusRequestEntityTooLarge, "E011413"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			if tt.authorization != "" {
				r.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Fatalf("got status %d (body %s), want %d", rec.Code, rec.Body.Bytes(), tt.wantStatus)
			}
			checkDescopeError(t, rec)
			if !strings.Contains(rec.Body.String(), `"errorCode":"`+tt.wantCode+`"`) {
				t.Errorf("got body %s, want errorCode %s", rec.Body.Bytes(), tt.wantCode)
			}
		})
	}
}

// TestLargestTokenComesBack: a token as large as the mock mints
// (MaxTokenBytes) is accepted back in an Authorization header, as userinfo
// and Descope's auth calls receive tokens; it used to be a 431 over 8 KiB.
func TestLargestTokenComesBack(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	pad := strings.Repeat("p", mockidp.MaxTokenBytes*3/4-1200)
	resp, err := s.Mint(mockidp.MintRequest{ClientID: "admin-client", Claims: map[string]any{"pad": pad}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resp.Token); n < mockidp.MaxTokenBytes-2048 || n > mockidp.MaxTokenBytes {
		t.Fatalf("minted a %d-byte token, want one close to %d", n, mockidp.MaxTokenBytes)
	}
	rec := serve(s, http.MethodGet, "/oauth2/v1/userinfo", "", "Authorization", "Bearer "+resp.Token)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"pad":"ppp`) {
		t.Errorf("userinfo with a %d-byte token: %d %.200s, want 200 with its claims", len(resp.Token), rec.Code, rec.Body)
	}
}
