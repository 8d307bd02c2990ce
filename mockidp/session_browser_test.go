package mockidp_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// otpLogin signs loginID in through OTP sign-up-or-in and verify, as a
// browser app does, and returns the verify answer.
func otpLogin(t *testing.T, m *mockidptest.Mock, loginID string, hdr ...string) answer {
	t.Helper()
	descope(t, m, "POST", "/v1/auth/otp/signup-in/email", "", jsonBody(t, map[string]any{"loginId": loginID}), hdr...).ok(t)
	a := descope(t, m, "POST", "/v1/auth/otp/verify/email", "", jsonBody(t, map[string]any{"loginId": loginID, "code": m.NextCode(t.Context(), loginID)}), hdr...)
	a.ok(t)
	return a
}

// TestJWTResponseIsComplete: every field core-js-sdk's JWTResponse
// declares, with sessionExpiration and claims those of the session JWT.
func TestJWTResponseIsComplete(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	jr := otpLogin(t, m, "alice@example.com").json(t)
	for _, k := range []string{"sessionJwt", "refreshJwt", "sessionExpiration", "claims", "cookieDomain", "cookiePath", "cookieMaxAge", "cookieExpiration", "user", "firstSeen"} {
		if _, ok := jr[k]; !ok {
			t.Errorf("the JWT response lacks %s: %v", k, jr)
		}
	}
	claims := verifiedClaimsT(t, m, jr["sessionJwt"].(string))
	if num(jr["sessionExpiration"]) != num(claims["exp"]) {
		t.Errorf("sessionExpiration %v, session exp %v", jr["sessionExpiration"], claims["exp"])
	}
	if got := jr["claims"].(map[string]any); got["sub"] != claims["sub"] || got["drn"] != "DS" || num(got["exp"]) != num(claims["exp"]) {
		t.Errorf("claims %v, want the session JWT's %v", got, claims)
	}
	// Refresh answers the same shape.
	ref := descope(t, m, "POST", "/v1/auth/refresh", jr["refreshJwt"].(string), "{}").ok(t)
	if ref["sessionExpiration"] == nil || ref["claims"] == nil {
		t.Errorf("refresh answered %v", ref)
	}
}

func TestTryRefresh(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	jr := otpLogin(t, m, "alice@example.com").json(t)
	refresh := jr["refreshJwt"].(string)
	for _, tt := range []struct {
		name, token string
	}{
		{"no refresh JWT", ""},
		{"not a JWT", "garbage"},
		{"a session JWT", jr["sessionJwt"].(string)},
	} {
		a := descope(t, m, "POST", "/v1/auth/try-refresh", tt.token, "")
		if a.status != http.StatusOK || string(a.body) != "{}" {
			t.Errorf("%s: %d %s, want 200 {}", tt.name, a.status, a.body)
		}
	}
	got := descope(t, m, "POST", "/v1/auth/try-refresh", refresh, "{}").ok(t)
	if got["sessionJwt"] == nil || got["claims"] == nil {
		t.Fatalf("try-refresh with a live refresh JWT: %v", got)
	}
	descope(t, m, "POST", "/v1/auth/logout", refresh, "{}").ok(t)
	if a := descope(t, m, "POST", "/v1/auth/try-refresh", refresh, "{}"); a.status != 200 || string(a.body) != "{}" {
		t.Errorf("after logout: %d %s", a.status, a.body)
	}
	// The refresh endpoint itself still refuses it.
	descope(t, m, "POST", "/v1/auth/refresh", refresh, "{}").refused(t, 401, mockidp.CodeLoggedOut)
	// A malformed body is still a malformed body.
	descope(t, m, "POST", "/v1/auth/try-refresh", "", "{").refused(t, 400, mockidp.CodeBadRequest)
}

func TestMeHistory(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	jr := otpLogin(t, m, "alice@example.com").json(t)
	a := descope(t, m, "GET", "/v1/auth/me/history", jr["refreshJwt"].(string), "")
	var h []mockidp.UserHistoryEntry
	if err := json.Unmarshal(a.body, &h); err != nil || a.status != 200 || len(h) != 1 {
		t.Fatalf("me/history: %d %s", a.status, a.body)
	}
	claims := verifiedClaimsT(t, m, jr["refreshJwt"].(string))
	if h[0].UserID != "U2MockUserAlice0000000000001" || h[0].LoginTime != num(claims["iat"]) || h[0].IP != "127.0.0.1" {
		t.Errorf("history %+v", h[0])
	}
	descope(t, m, "GET", "/v1/auth/me/history", "", "").refused(t, 401, mockidp.CodeInvalidToken)
}

// num is a JSON number claim as an integer.
func num(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return -1
}

// cookiesOf indexes a response's Set-Cookie headers by name.
func cookiesOf(a answer) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// TestCookieMode: Descope's "manage in cookies": HttpOnly, Secure DS and
// DSR with the project's SameSite and domain, neither JWT in the body, the
// refresh JWT read back from its cookie, and a refresh cookie name header
// honoured on every call.
func TestCookieMode(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	p.Sessions.TokenResponse = mockidp.TokenResponseCookies
	p.Sessions.CookieSameSite = mockidp.SameSiteNone
	p.Sessions.CookieDomain = "localhost"
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	login := otpLogin(t, m, "alice@example.com")
	body := login.json(t)
	for _, k := range []string{"sessionJwt", "refreshJwt"} {
		if _, ok := body[k]; ok {
			t.Errorf("cookie mode: %s is in the body", k)
		}
	}
	if body["sessionExpiration"] == nil || body["claims"] == nil || body["cookieDomain"] != "localhost" {
		t.Errorf("cookie mode body %v", body)
	}
	cookies := cookiesOf(login)
	for _, name := range []string{"DS", "DSR"} {
		c := cookies[name]
		if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteNoneMode || c.Domain != "localhost" || c.Path != "/" || c.MaxAge <= 0 {
			t.Fatalf("%s cookie %+v", name, c)
		}
	}
	verifiedClaimsT(t, m, cookies["DS"].Value)
	// The browser sends DSR back; Authorization has the project ID only.
	ref := descope(t, m, "POST", "/v1/auth/refresh", "", "{}", "Cookie", "DSR="+cookies["DSR"].Value)
	ref.ok(t)
	if cookiesOf(ref)["DS"] == nil {
		t.Fatal("refresh sent no DS cookie")
	}
	try := descope(t, m, "POST", "/v1/auth/try-refresh", "", "{}", "Cookie", "DSR="+cookies["DSR"].Value)
	if try.ok(t)["claims"] == nil {
		t.Errorf("try-refresh with the cookie: %s", try.body)
	}

	// A refresh cookie name of the app's.
	named := otpLogin(t, m, "admin@example.com", "X-Descope-Refresh-Cookie-Name", "app_refresh")
	if named.json(t)["cookieName"] != "app_refresh" {
		t.Errorf("cookieName %v", named.json(t)["cookieName"])
	}
	nc := cookiesOf(named)
	if nc["app_refresh"] == nil || nc["DSR"] != nil || nc["DS"] == nil {
		t.Fatalf("named refresh cookie: %v", named.header.Values("Set-Cookie"))
	}
	hdr := []string{"X-Descope-Refresh-Cookie-Name", "app_refresh", "Cookie", "app_refresh=" + nc["app_refresh"].Value}
	descope(t, m, "GET", "/v1/auth/me", "", "", hdr...).ok(t)
	out := descope(t, m, "POST", "/v1/auth/logout", "", "{}", hdr...)
	out.ok(t)
	oc := cookiesOf(out)
	if oc["app_refresh"] == nil || oc["app_refresh"].MaxAge != -1 || oc["DS"] == nil || oc["DS"].MaxAge != -1 {
		t.Errorf("logout cookies: %v", out.header.Values("Set-Cookie"))
	}
	descope(t, m, "POST", "/v1/auth/refresh", "", "{}", hdr...).refused(t, 401, mockidp.CodeLoggedOut)
	descope(t, m, "POST", "/v1/auth/refresh", "", "{}", "X-Descope-Refresh-Cookie-Name", "bad name;").refused(t, 400, mockidp.CodeBadRequest)

	// Management sign-in keeps both JWTs in the body (the SDKs validate them there).
	var si mockidp.JWTResponse
	a := descope(t, m, "POST", "/v1/mgmt/auth/signin", "mock-management-key-secret", `{"loginId":"alice@example.com"}`)
	if err := json.Unmarshal(a.body, &si); err != nil || si.SessionJwt == "" || si.RefreshJwt == "" {
		t.Errorf("management sign-in in cookie mode: %d %s", a.status, a.body)
	}
}

func TestCookieSameSiteSetting(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	p.Sessions.CookieSameSite = "sometimes"
	if _, err := mockidp.New(mockidp.Config{Project: p}); err == nil {
		t.Fatal("cookie_same_site sometimes: no error")
	}
	for _, tt := range []struct {
		setting string
		want    http.SameSite
	}{{"", http.SameSiteStrictMode}, {"lax", http.SameSiteLaxMode}, {"strict", http.SameSiteStrictMode}} {
		p := mockidp.DefaultProject()
		p.Sessions.TokenResponse = mockidp.TokenResponseCookies
		p.Sessions.CookieSameSite = tt.setting
		m := mockidptest.Start(t, mockidp.Config{Project: p})
		if c := cookiesOf(otpLogin(t, m, "alice@example.com"))["DSR"]; c == nil || c.SameSite != tt.want {
			t.Errorf("cookie_same_site %q: DSR %+v", tt.setting, c)
		}
	}
}
