package mockidp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
)

const fuzzRedirect = "http://127.0.0.1:3000/callback"

func newOIDCFuzzServer(tb testing.TB) *mockidp.Server {
	tb.Helper()
	s := newFuzzServer(tb, "")
	for _, c := range []mockidp.Client{
		{ID: "web-app", Secret: "web-secret", ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{fuzzRedirect, "https://app.example.com/cb?x=1"},
			PostLogoutRedirectURIs: []string{"http://127.0.0.1:3000/"}}},
		{ID: "spa-app", ClientOIDC: mockidp.ClientOIDC{Public: true, RedirectURIs: []string{fuzzRedirect}}},
	} {
		if err := s.AddClient(c); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// FuzzAuthorizeEndpoint drives GET and POST /oauth2/v1/authorize and
// /oauth2/v1/logout with any query and body. Invariants: never a 5xx; a
// redirect only ever goes to a registered URI; anything else is an HTML page
// or a Descope error body.
func FuzzAuthorizeEndpoint(f *testing.F) {
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	ok := url.Values{"client_id": {"web-app"}, "redirect_uri": {fuzzRedirect}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"s"}, "login_hint": {"alice@example.com"}}.Encode()
	f.Add(uint8(0), ok, "")
	f.Add(uint8(1), "", ok+"&mockidp_login=admin%40example.com")
	f.Add(uint8(0), "client_id=spa-app&redirect_uri="+url.QueryEscape(fuzzRedirect)+"&response_type=code&code_challenge="+challenge+"&code_challenge_method=S256&prompt=none", "")
	f.Add(uint8(0), "client_id=web-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%40evil.example%2Fcallback&response_type=code", "")
	f.Add(uint8(2), "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2F&client_id=web-app&state=x", "")
	f.Add(uint8(3), "", "post_logout_redirect_uri=http%3A%2F%2Fevil.example%2F&client_id=web-app")
	f.Add(uint8(1), "client_id=web-app", "client_id=web-app&redirect_uri=x")
	s := newOIDCFuzzServer(f)
	registered := []string{fuzzRedirect, "https://app.example.com/cb?x=1", "http://127.0.0.1:3000/"}
	f.Fuzz(func(t *testing.T, which uint8, query, body string) {
		method, path := http.MethodGet, "/oauth2/v1/authorize"
		switch which % 4 {
		case 1:
			method = http.MethodPost
		case 2:
			path = "/oauth2/v1/logout"
		case 3:
			method, path = http.MethodPost, "/oauth2/v1/logout"
		}
		var r *http.Request
		if method == http.MethodPost {
			r = httptest.NewRequest(method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		r.URL.RawQuery = query // any bytes, as a client could send them
		target := path + "?" + query
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
		}
		if loc := rec.Header().Get("Location"); loc != "" || (rec.Code >= 300 && rec.Code < 400) {
			good := false
			for _, reg := range registered {
				if loc == reg || strings.HasPrefix(loc, reg+"?") || strings.HasPrefix(loc, reg+"&") {
					good = true
				}
			}
			if !good {
				t.Fatalf("%s %s: redirect %d to %q, not a registered URI", method, target, rec.Code, loc)
			}
			return
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			checkDescopeError(t, rec)
		}
	})
}

// FuzzTokenUserGrants sends authorization_code and refresh_token requests
// around a real code and refresh token, with fuzzed parameters. Invariants:
// never a 5xx; every refusal is a Descope error body with an RFC error
// code; a 200 carries an access token.
func FuzzTokenUserGrants(f *testing.F) {
	f.Add("authorization_code", "CODE", fuzzRedirect, "VERIFIER", "web-app", "web-secret", "")
	f.Add("authorization_code", "CODE", fuzzRedirect+"/", "VERIFIER", "web-app", "web-secret", "")
	f.Add("authorization_code", "CODE", fuzzRedirect, "", "spa-app", "", "")
	f.Add("refresh_token", "", "", "", "web-app", "web-secret", "REFRESH")
	f.Add("refresh_token", "", "", "", "spa-app", "", "REFRESH")
	f.Add("refresh_token", "", "", "", "web-app", "web-secret", "eyJhbGciOiJub25lIn0.e30.")
	s := newOIDCFuzzServer(f)
	verifier := oauth2.GenerateVerifier()
	authorize := func() string {
		r := httptest.NewRequest(http.MethodGet, "/oauth2/v1/authorize?"+url.Values{"client_id": {"web-app"}, "redirect_uri": {fuzzRedirect},
			"response_type": {"code"}, "scope": {"openid"}, "login_hint": {"alice@example.com"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}.Encode(), nil)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		loc, _ := url.Parse(rec.Header().Get("Location"))
		return loc.Query().Get("code")
	}
	f.Fuzz(func(t *testing.T, grant, code, redirect, codeVerifier, clientID, secret, refresh string) {
		code = strings.ReplaceAll(code, "CODE", authorize())
		codeVerifier = strings.ReplaceAll(codeVerifier, "VERIFIER", verifier)
		v := url.Values{"grant_type": {grant}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {codeVerifier},
			"client_id": {clientID}, "client_secret": {secret}, "refresh_token": {refresh}}
		r := httptest.NewRequest(http.MethodPost, "/oauth2/v1/token", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		switch {
		case rec.Code >= 500:
			t.Fatalf("%v: %d %s", v, rec.Code, rec.Body)
		case rec.Code == http.StatusOK:
			if !strings.Contains(rec.Body.String(), `"access_token":"ey`) {
				t.Fatalf("200 without an access token: %s", rec.Body)
			}
		default:
			checkDescopeError(t, rec)
		}
	})
}
