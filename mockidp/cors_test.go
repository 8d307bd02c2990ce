package mockidp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// browserCall sends what a browser sends for a Descope SDK call from
// origin: a preflight when preflight is set, else the call itself.
func browserCall(t *testing.T, m *mockidptest.Mock, method, path, origin, body string, preflight bool, hdr ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	if preflight {
		rd = nil
	}
	req, err := http.NewRequest(method, m.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if preflight {
		req.Method = http.MethodOptions
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-descope-sdk-name,x-descope-sdk-version,x-descope-sdk-session-id,x-descope-project-id")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := m.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestCORSOrigins(t *testing.T) {
	t.Parallel()
	def := mockidptest.Start(t, mockidp.Config{})
	listed := mockidptest.Start(t, mockidp.Config{CORSOrigins: []string{"https://app.test", "http://localhost:3000"}})
	none := mockidptest.Start(t, mockidp.Config{CORSOrigins: []string{"none"}})
	anyOrigin := mockidptest.Start(t, mockidp.Config{CORSOrigins: []string{"*"}})
	tests := []struct {
		name    string
		m       *mockidptest.Mock
		origin  string
		allowed bool
	}{
		{"default allows localhost on any port", def, "http://localhost:5173", true},
		{"default allows 127.0.0.1", def, "http://127.0.0.1:8081", true},
		{"default allows [::1] over https", def, "https://[::1]:4443", true},
		{"default allows localhost without a port", def, "http://localhost", true},
		{"default refuses another host", def, "http://evil.test", false},
		{"default refuses a look-alike host", def, "http://localhost.evil.test", false},
		{"default refuses a non-numeric port", def, "http://localhost:80x", false},
		{"default refuses the null origin", def, "null", false},
		{"a list allows what it lists", listed, "https://app.test", true},
		{"a list allows only the listed port", listed, "http://localhost:3001", false},
		{"a list replaces the loopback default", listed, "http://127.0.0.1:3000", false},
		{"none allows nothing", none, "http://localhost:5173", false},
		{"* allows any origin", anyOrigin, "https://elsewhere.test", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pre := browserCall(t, tt.m, "POST", "/v1/auth/otp/signup-in/email", tt.origin, "", true)
			got := pre.Header.Get("Access-Control-Allow-Origin")
			if tt.allowed {
				if pre.StatusCode != http.StatusNoContent || got != tt.origin || pre.Header.Get("Access-Control-Allow-Credentials") != "true" {
					t.Fatalf("preflight: status %d, allow-origin %q, credentials %q; want 204 echoing %q with credentials",
						pre.StatusCode, got, pre.Header.Get("Access-Control-Allow-Credentials"), tt.origin)
				}
				for _, h := range []string{"authorization", "content-type", "x-descope-sdk-name", "x-descope-sdk-version", "x-descope-sdk-session-id", "x-descope-project-id", "x-descope-refresh-cookie-name"} {
					if !strings.Contains(strings.ToLower(pre.Header.Get("Access-Control-Allow-Headers")), h) {
						t.Errorf("Access-Control-Allow-Headers %q lacks %s", pre.Header.Get("Access-Control-Allow-Headers"), h)
					}
				}
				if !strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") {
					t.Errorf("Access-Control-Allow-Methods %q lacks POST", pre.Header.Get("Access-Control-Allow-Methods"))
				}
			} else {
				if got != "" || pre.Header.Get("Access-Control-Allow-Credentials") != "" {
					t.Fatalf("preflight from a refused origin got CORS headers: allow-origin %q", got)
				}
				b, _ := io.ReadAll(pre.Body)
				if e := errorBody(t, pre.StatusCode, b); pre.StatusCode != http.StatusForbidden || e.Code != mockidp.CodeOriginNotAllowed {
					t.Fatalf("preflight from a refused origin: %d %s, want 403 %s", pre.StatusCode, e.Code, mockidp.CodeOriginNotAllowed)
				}
			}
			// The call itself: an error answer carries the headers too, so
			// the page can read Descope's error.
			resp := browserCall(t, tt.m, "GET", "/v1/auth/me", tt.origin, "", false, "Authorization", "Bearer "+mockidp.DefaultProjectID)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("me without a token: status %d, want 401", resp.StatusCode)
			}
			got = resp.Header.Get("Access-Control-Allow-Origin")
			if tt.allowed != (got == tt.origin) || !tt.allowed && got != "" {
				t.Fatalf("call: allow-origin %q (allowed %v)", got, tt.allowed)
			}
			if tt.allowed && !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
				t.Errorf("call: Access-Control-Expose-Headers %q lacks Retry-After", resp.Header.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

// TestCORSNeverOnControlPlane: /_mock/ answers no browser from any origin,
// whatever the policy, also through a doubled-slash spelling.
func TestCORSNeverOnControlPlane(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{CORSOrigins: []string{"*"}})
	for _, path := range []string{"/_mock/health", "/_mock/outbox", "//_mock/health", "/_mock"} {
		for _, preflight := range []bool{true, false} {
			resp := browserCall(t, m, "GET", path, "http://localhost:5173", "", preflight)
			for k := range resp.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("%s (preflight %v): %s: %q", path, preflight, k, resp.Header.Get(k))
				}
			}
			if preflight && resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s preflight: status %d, want 405 or 404", path, resp.StatusCode)
			}
		}
	}
}

// TestCORSOnOIDCEndpoints: web-js-sdk's OIDC mode reads discovery, the key
// set, the token endpoint and userinfo from the page.
func TestCORSOnOIDCEndpoints(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	for _, p := range []string{"/" + mockidp.DefaultProjectID + "/.well-known/openid-configuration", "/" + mockidp.DefaultProjectID + "/.well-known/jwks.json",
		"/oauth2/v1/token", "/oauth2/v1/userinfo", "/oauth2/v1/apps/token", "/v1/apps/" + mockidp.DefaultProjectID + "/.well-known/openid-configuration"} {
		resp := browserCall(t, m, "POST", p, "http://localhost:5173", "", true)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
			t.Errorf("%s preflight: %d, allow-origin %q", p, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		resp = browserCall(t, m, "GET", p, "http://localhost:5173", "", false)
		if resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
			t.Errorf("%s: status %d, allow-origin %q", p, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}

func TestCORSOriginsConfig(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"http://localhost:5173/", "localhost:5173", "ftp://x.test", "http://x.test/path", "HTTP://X.test", "https://a.test?x", ""} {
		p := mockidp.DefaultProject()
		p.CORS.AllowedOrigins = []string{bad}
		if _, err := mockidp.New(mockidp.Config{Project: p}); err == nil || !strings.Contains(err.Error(), "cors.allowed_origins[0]") {
			t.Errorf("project origin %q: err %v, want one naming cors.allowed_origins[0]", bad, err)
		}
		if _, err := mockidp.New(mockidp.Config{CORSOrigins: []string{"http://ok.test", bad}}); err == nil {
			t.Errorf("Config.CORSOrigins %q: no error", bad)
		}
	}
	p := mockidp.DefaultProject()
	p.CORS.AllowedOrigins = []string{"none", "http://a.test"}
	if _, err := mockidp.New(mockidp.Config{Project: p}); err == nil {
		t.Error(`"none" with another origin: no error`)
	}
	// The project file's list is used when no Config list is given.
	p = mockidp.DefaultProject()
	p.CORS.AllowedOrigins = []string{"https://from-file.test"}
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	if got := browserCall(t, m, "GET", "/v2/keys/"+mockidp.DefaultProjectID, "https://from-file.test", "", false).Header.Get("Access-Control-Allow-Origin"); got != "https://from-file.test" {
		t.Errorf("project file origin: allow-origin %q", got)
	}
}
