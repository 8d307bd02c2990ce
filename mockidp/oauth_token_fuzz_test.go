package mockidp_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// tokenFuzzPaths are the token endpoint's paths; the fuzzer picks one.
var tokenFuzzPaths = []string{"/oauth2/v1/token", "/oauth2/v1/apps/token", "/oauth2/v1/apps/" + mockidp.DefaultProjectID + "/token"}

// newFuzzServer is a mock with the fixture keys (no key generation) whose
// control plane needs adminToken when it is not empty.
func newFuzzServer(tb testing.TB, adminToken string) *mockidp.Server {
	tb.Helper()
	s, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://mockidp.test", AdminToken: adminToken})
	if err != nil {
		tb.Fatalf("mockidp.New: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// checkDescopeError fails unless rec holds a Descope error: JSON with a
// non-empty errorCode.
func checkDescopeError(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("status %d: got Content-Type %q, want application/json", rec.Code, ct)
	}
	var e struct {
		ErrorCode string `json:"errorCode"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorCode == "" {
		t.Errorf("status %d: got body %q, want JSON with a non-empty errorCode (decode error: %v)", rec.Code, rec.Body.Bytes(), err)
	}
}

// FuzzTokenEndpoint drives the token endpoint's request parsing (form and
// JSON bodies, HTTP Basic and body credentials, any Content-Type) through
// ServeHTTP. Invariants: never a 5xx; every non-200 is a Descope error body;
// every 200 is a no-store Bearer token response for a configured client.
func FuzzTokenEndpoint(f *testing.F) {
	basicAuth := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	form, js := "application/x-www-form-urlencoded", "application/json"
	f.Add(uint8(0), form, "", []byte("grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"))
	f.Add(uint8(0), form, basicAuth("admin-client", "admin-secret"), []byte("grant_type=client_credentials&scope=openid+email"))
	f.Add(uint8(1), form+"; charset=utf-8", basicAuth("reader-client", "reader-secret"), []byte("grant_type=client_credentials&audience=x"))
	f.Add(uint8(2), js, "", []byte(`{"grant_type":"client_credentials","client_id":"tenant-client","client_secret":"tenant-secret","audience":["a","b"]}`))
	f.Add(uint8(0), js, basicAuth("bare-client", "bare-secret"), []byte(`{"grant_type":"client_credentials","scope":"openid","audience":null}`))
	f.Add(uint8(0), js, "", []byte(`{"grant_type":1,"client_id":{"a":[]}}`))
	f.Add(uint8(0), form, "", []byte("grant_type=client_credentials&grant_type=password&client_id=%zz"))
	f.Add(uint8(0), form, basicAuth("admin-client", "wrong"), []byte("grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"))
	f.Add(uint8(0), form, "Bearer abc", []byte("grant_type=client_credentials"))
	f.Add(uint8(0), "text/plain", "", []byte("grant_type=client_credentials"))
	f.Add(uint8(0), "", "", []byte{})
	f.Add(uint8(0), "multipart/form-data; boundary=x", "Basic !!!", []byte("--x--"))
	f.Add(uint8(0), form, basicAuth("admin%2Dclient", "admin%2Dsecret"), []byte("grant_type=client_credentials&scope=openid%20nope"))

	s := newFuzzServer(f, "")
	f.Fuzz(func(t *testing.T, path uint8, contentType, authorization string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, tokenFuzzPaths[int(path)%len(tokenFuzzPaths)], bytes.NewReader(body))
		if contentType != "" {
			r.Header["Content-Type"] = []string{contentType}
		}
		if authorization != "" {
			r.Header["Authorization"] = []string{authorization}
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)

		if rec.Code >= 500 {
			t.Fatalf("got status %d (body %q), want no 5xx", rec.Code, rec.Body.Bytes())
		}
		if rec.Code != http.StatusOK {
			checkDescopeError(t, rec)
			return
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("200: got Cache-Control %q, want no-store", got)
		}
		if got := rec.Header().Get("Pragma"); got != "no-cache" {
			t.Errorf("200: got Pragma %q, want no-cache", got)
		}
		var resp mockidp.TokenResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("200: body %q is not a token response: %v", rec.Body.Bytes(), err)
		}
		if resp.AccessToken == "" || resp.TokenType != "Bearer" || resp.ExpiresIn <= 0 {
			t.Errorf("200: got %+v, want a Bearer token with a positive expires_in", resp)
		}
		if sub := tokenSubject(t, resp.AccessToken); !knownClient(s, sub) {
			t.Errorf("200: token issued to %q, which is not a configured client", sub)
		}
	})
}

// tokenSubject returns the sub claim of a compact JWT (signature unchecked:
// the token comes from the server under test).
func tokenSubject(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: got %d segments, want 3", token, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("token claims %q: %v", payload, err)
	}
	return claims.Sub
}

func knownClient(s *mockidp.Server, id string) bool {
	for _, c := range s.Clients() {
		if c.ID == id {
			return true
		}
	}
	return false
}
