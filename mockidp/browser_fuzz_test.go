package mockidp_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// FuzzSignInRequest: the sign-in start parser takes any bytes: it returns
// a request with a login ID, or a Descope 400 (never a panic or another
// error), and a request it takes is well within the field limits.
func FuzzSignInRequest(f *testing.F) {
	for _, s := range []string{
		`{"loginId":"a@b.test"}`, `{"loginId":"+15550001111","user":{"phone":"+15550001111","name":"N"}}`,
		`{"loginId":"a@b.test","URI":"http://localhost:5173/v?x=1","loginOptions":{"stepup":true,"customClaims":{"k":[1,{"a":null}]},"tenantId":"T"}}`,
		`{"loginId":"a","password":"p","loginOptions":{"templateOptions":{"a":"b"}}}`, `{"loginId":""}`, `[`, `{"loginId":"a"} x`,
		`{"loginId":"a","loginOptions":{"customClaims":{"amr":1}}}`, `{"loginId":"\u0000"}`, `{"URI":"::"}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		loginID, err := mockidp.ParseSignIn(body)
		if err != nil {
			var e *mockidp.Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code == "" || e.Message == "" {
				t.Fatalf("%q: error %v, want a Descope 400 naming the problem", body, err)
			}
			return
		}
		if loginID == "" || len(loginID) > 256 || strings.ContainsAny(loginID, "\x00\r\n") {
			t.Fatalf("%q: accepted login ID %q", body, loginID)
		}
	})
}

// FuzzCORSOrigin: any Origin header: an allowed loopback origin is
// http(s)://localhost, 127.0.0.1 or [::1] with digits for a port, and
// CheckOrigin never accepts what a browser could not send.
func FuzzCORSOrigin(f *testing.F) {
	for _, s := range []string{"http://localhost:5173", "https://[::1]", "http://127.0.0.1:", "http://localhost.evil", "null", "", "http://localhost:99999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, origin string) {
		if mockidp.AllowsOrigin(nil, origin) {
			u, err := url.Parse(origin)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.RawQuery != "" || u.User != nil ||
				(u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" && u.Hostname() != "::1") {
				t.Fatalf("the loopback default allows %q", origin)
			}
		}
		if mockidp.CheckOrigin(origin) == nil && origin != "loopback" && origin != "*" && origin != "none" {
			if u, err := url.Parse(origin); err != nil || u.Scheme+"://"+u.Host != origin {
				t.Fatalf("CheckOrigin accepts %q", origin)
			}
		}
	})
}

// browserFuzzRoutes are the browser's calls that read a body or headers.
var browserFuzzRoutes = []struct{ method, path string }{
	{http.MethodPost, "/v1/auth/otp/signup-in/email"},
	{http.MethodPost, "/v1/auth/otp/signin/sms"},
	{http.MethodPost, "/v1/auth/otp/signup/whatsapp"},
	{http.MethodPost, "/v1/auth/magiclink/signup-in/email"},
	{http.MethodPost, "/v1/auth/enchantedlink/signin/email"},
	{http.MethodPost, "/v1/auth/password/signup"},
	{http.MethodPost, "/v1/auth/password/signin"},
	{http.MethodPost, "/v1/auth/try-refresh"},
	{http.MethodGet, "/v1/auth/me/history"},
	{http.MethodPost, "/v1/mgmt/user/signin/embeddedlink"},
	{http.MethodOptions, "/v1/auth/otp/verify/email"},
	{http.MethodGet, "/_mock/outbox"},
}

// FuzzBrowserEndpoints sends any body, refresh cookie name and Origin to
// the browser's calls, with a management key, a live refresh JWT or the
// fuzzed bytes as the secret. Invariants: no panic, never a 5xx, every
// failure a Descope error body, and CORS headers only for an allowed origin
// and never on /_mock/. The mock is reset after each input.
func FuzzBrowserEndpoints(f *testing.F) {
	for _, sd := range []struct {
		route, auth     uint8
		body, cookie    string
		origin, cookie2 string
	}{
		{0, 2, `{"loginId":"a@b.test"}`, "", "http://localhost:5173", ""},
		{1, 1, `{"loginId":"+15555550123","loginOptions":{"mfa":true}}`, "", "", ""},
		{3, 2, `{"loginId":"a@b.test","URI":"http://x.test/v"}`, "", "https://evil.test", ""},
		{5, 2, `{"loginId":"p@b.test","password":"longenough"}`, "", "", ""},
		{6, 2, `{"loginId":"alice@example.com","password":"x"}`, "", "", ""},
		{7, 1, `{}`, "app_refresh", "http://127.0.0.1:1", "DSR=x"},
		{7, 2, `{}`, "bad name", "", "DSR="},
		{8, 1, ``, "", "null", ""},
		{9, 0, `{"loginId":"alice@example.com","timeout":1e99}`, "", "", ""},
		{10, 2, ``, "", "http://localhost", ""},
		{11, 2, ``, "", "http://localhost", ""},
	} {
		f.Add(sd.route, sd.auth, []byte(sd.body), sd.cookie, sd.origin, sd.cookie2)
	}
	s := newFuzzServer(f, "")
	f.Fuzz(func(t *testing.T, route, auth uint8, body []byte, cookieName, origin, cookie string) {
		defer func() {
			if err := s.Reset(); err != nil {
				t.Fatalf("Reset: %v", err)
			}
		}()
		rt := browserFuzzRoutes[int(route)%len(browserFuzzRoutes)]
		pair, err := s.MintSession(mockidp.SessionMintRequest{User: "multi@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		secret := []string{mgmtKey, pair.RefreshJWT, string(body)}[int(auth)%3]
		r := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		set := func(k, v string) {
			if v != "" && len(v) < 8<<10 && !strings.ContainsAny(v, "\r\n\x00") {
				r.Header.Set(k, v)
			}
		}
		set("Authorization", "Bearer "+s.ProjectID()+":"+secret)
		set("X-Descope-Refresh-Cookie-Name", cookieName)
		set("Origin", origin)
		set("Cookie", cookie)
		if rt.method == http.MethodOptions {
			r.Header.Set("Access-Control-Request-Method", "POST")
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: got status %d (body %q), want no 5xx", rt.method, rt.path, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 300 && rec.Code != http.StatusNoContent {
			checkDescopeError(t, rec)
		}
		allow := rec.Header().Get("Access-Control-Allow-Origin")
		if allow != "" && (strings.HasPrefix(rt.path, "/_mock") || allow != r.Header.Get("Origin") || !mockidp.AllowsOrigin(nil, allow)) {
			t.Fatalf("%s %s Origin %q: Access-Control-Allow-Origin %q", rt.method, rt.path, r.Header.Get("Origin"), allow)
		}
	})
}
