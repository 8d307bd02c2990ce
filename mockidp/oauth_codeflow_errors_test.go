package mockidp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
)

// raw is one response, redirects not followed.
type raw struct {
	status   int
	location string
	ctype    string
	body     string
}

func (f *codeFlow) do(t *testing.T, method, path string, form url.Values, header ...string) raw {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = f.m.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := *f.m.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return raw{resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"), string(b)}
}

// authQuery is a valid authorization request of the confidential client.
func (f *codeFlow) authQuery(kv ...string) url.Values {
	v := url.Values{"client_id": {"web-app"}, "redirect_uri": {f.web.RedirectURL}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"st"}, "nonce": {"n"}, "login_hint": {"alice@example.com"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// code runs an authorization request and returns the code it redirected with.
func (f *codeFlow) code(t *testing.T, path string, q url.Values) string {
	t.Helper()
	r := f.do(t, http.MethodGet, path+"?"+q.Encode(), nil)
	if r.status != http.StatusFound {
		t.Fatalf("authorize: %d %s", r.status, truncateBody([]byte(r.body)))
	}
	loc, err := url.Parse(r.location)
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize redirected to %q, want a code", r.location)
	}
	return loc.Query().Get("code")
}

func (f *codeFlow) exchange(t *testing.T, code string, kv ...string) raw {
	t.Helper()
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.web.RedirectURL},
		"client_id": {"web-app"}, "client_secret": {"web-secret"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return f.do(t, http.MethodPost, "/oauth2/v1/token", v)
}

func tokens(t *testing.T, r raw) mockidp.TokenResponse {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("token endpoint: %d %s", r.status, r.body)
	}
	var tr mockidp.TokenResponse
	if err := json.Unmarshal([]byte(r.body), &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// wantOAuthError checks a JSON refusal: status, Descope's errorCode and the RFC error.
func wantOAuthError(t *testing.T, r raw, status int, rfc string) {
	t.Helper()
	var e struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"errorMessage"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || r.status != status || e.ErrorCode == "" || e.Error != rfc || e.Message == "" {
		t.Fatalf("got %d %s, want %d with a Descope error body and error %q", r.status, r.body, status, rfc)
	}
}

// wantRedirectError checks an RFC 6749 §4.1.2.1 error redirect to the callback.
func (f *codeFlow) wantRedirectError(t *testing.T, r raw, code, state string) {
	t.Helper()
	loc, err := url.Parse(r.location)
	if r.status != http.StatusFound || err != nil || !strings.HasPrefix(r.location, f.web.RedirectURL+"?") {
		t.Fatalf("got %d to %q, want a redirect to the callback", r.status, r.location)
	}
	q := loc.Query()
	if q.Get("error") != code || q.Get("error_description") == "" || q.Get("state") != state || q.Get("code") != "" {
		t.Fatalf("redirect query %v, want error %s, a description and state %q", q, code, state)
	}
}

// wantErrorPage checks a refusal shown as a page, never a redirect.
func wantErrorPage(t *testing.T, r raw, inBody string) {
	t.Helper()
	if r.status != http.StatusBadRequest || r.location != "" || !strings.HasPrefix(r.ctype, "text/html") || !strings.Contains(r.body, inBody) {
		t.Fatalf("got %d location %q %s %s, want a 400 page saying %q", r.status, r.location, r.ctype, truncateBody([]byte(r.body)), inBody)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	cbHost := strings.TrimPrefix(f.cb.URL, "http://")
	pages := []struct {
		name, key, value, inBody string
	}{
		{"unknown client", "client_id", "nobody", "unknown client_id"},
		{"no redirect_uri", "redirect_uri", "", "redirect_uri is required"},
		{"another host", "redirect_uri", "http://evil.example/callback", "not registered"},
		{"userinfo look-alike", "redirect_uri", "http://" + cbHost + "@evil.example/callback", "not registered"},
		{"fragment", "redirect_uri", f.web.RedirectURL + "#x", "not registered"},
		{"encoded slash", "redirect_uri", "http://" + cbHost + "%2Fcallback", "not registered"},
		{"trailing slash", "redirect_uri", f.web.RedirectURL + "/", "not registered"},
		{"other port", "redirect_uri", "http://127.0.0.1:1/callback", "not registered"},
		{"oversized redirect_uri", "redirect_uri", f.web.RedirectURL + "?" + strings.Repeat("a", 4000), "longer than"},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantErrorPage(t, f.do(t, http.MethodGet, "/oauth2/v1/authorize?"+f.authQuery(tt.key, tt.value).Encode(), nil), tt.inBody)
		})
	}
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	redirects := []struct {
		name, code, state string
		kv                []string
	}{
		{"plain PKCE", "invalid_request", "st", []string{"code_challenge", "abc", "code_challenge_method", "plain"}},
		{"unsupported response_type", "unsupported_response_type", "st", []string{"response_type", "token"}},
		{"scope not allowed", "invalid_scope", "st", []string{"scope", "openid admin:all"}},
		{"prompt=none without a login", "login_required", "st", []string{"prompt", "none", "login_hint", ""}},
		{"public client without PKCE", "invalid_request", "st", []string{"client_id", "spa-app"}},
		{"public client without state", "invalid_request", "", []string{"client_id", "spa-app", "state", "", "code_challenge", challenge, "code_challenge_method", "S256"}},
		{"oversized state is not echoed", "invalid_request", "", []string{"state", strings.Repeat("s", 1500)}},
	}
	for _, tt := range redirects {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f.wantRedirectError(t, f.do(t, http.MethodGet, "/oauth2/v1/authorize?"+f.authQuery(tt.kv...).Encode(), nil), tt.code, tt.state)
		})
	}
	t.Run("POST form", func(t *testing.T) {
		t.Parallel()
		r := f.do(t, http.MethodPost, "/oauth2/v1/authorize", f.authQuery())
		if r.status != http.StatusFound || !strings.Contains(r.location, "code=") {
			t.Fatalf("POST authorize: %d %q", r.status, r.location)
		}
	})
	t.Run("POST with a JSON body", func(t *testing.T) {
		t.Parallel()
		wantErrorPage(t, f.do(t, http.MethodPost, "/oauth2/v1/authorize", nil, "Content-Type", "application/json"), "Content-Type")
	})
}

func TestCodeExchangeRefusals(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	verifier := oauth2.GenerateVerifier()
	pkce := func(kv ...string) url.Values {
		return f.authQuery(append([]string{"code_challenge", oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method", "S256"}, kv...)...)
	}
	tests := []struct {
		name   string
		status int
		rfc    string
		kv     []string
	}{
		{"missing verifier", http.StatusBadRequest, "invalid_grant", nil},
		{"wrong verifier", http.StatusBadRequest, "invalid_grant", []string{"code_verifier", oauth2.GenerateVerifier()}},
		{"challenge as plain verifier", http.StatusBadRequest, "invalid_grant", []string{"code_verifier", oauth2.S256ChallengeFromVerifier(verifier)}},
		{"another redirect URI", http.StatusBadRequest, "invalid_grant", []string{"code_verifier", verifier, "redirect_uri", f.cb.URL + "/other"}},
		{"another client", http.StatusBadRequest, "invalid_grant", []string{"code_verifier", verifier, "client_id", "admin-client", "client_secret", "admin-secret"}},
		{"wrong secret", http.StatusUnauthorized, "", []string{"code_verifier", verifier, "client_secret", "nope"}},
		{"no redirect_uri", http.StatusBadRequest, "invalid_request", []string{"code_verifier", verifier, "redirect_uri", ""}},
		{"unknown code", http.StatusBadRequest, "invalid_grant", []string{"code_verifier", verifier, "code", "not-a-code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code := f.code(t, "/oauth2/v1/authorize", pkce())
			r := f.exchange(t, code, tt.kv...)
			if tt.rfc == "" {
				if r.status != tt.status || !strings.Contains(r.body, `"errorCode"`) {
					t.Fatalf("got %d %s, want %d", r.status, r.body, tt.status)
				}
			} else {
				wantOAuthError(t, r, tt.status, tt.rfc)
			}
			// None of these failures used the code up.
			tokens(t, f.exchange(t, code, "code_verifier", verifier))
		})
	}
	t.Run("reuse revokes what the code issued", func(t *testing.T) {
		t.Parallel()
		code := f.code(t, "/oauth2/v1/authorize", pkce())
		first := tokens(t, f.exchange(t, code, "code_verifier", verifier))
		wantOAuthError(t, f.exchange(t, code, "code_verifier", verifier), http.StatusBadRequest, "invalid_grant")
		wantOAuthError(t, f.refresh(t, first.RefreshToken), http.StatusBadRequest, "invalid_grant")
		if r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+first.AccessToken); r.status != http.StatusUnauthorized {
			t.Fatalf("userinfo with the revoked access token: %d %s", r.status, r.body)
		}
	})
	t.Run("expiry on the mock's clock", func(t *testing.T) {
		// Not parallel with the others: it moves the shared mock's clock.
		// A refresh lifetime shorter than the key rotation interval: the
		// refresh token must fail by its expiry, not by its key leaving
		// the key set.
		p := mockidp.DefaultProject()
		p.Sessions.RefreshTTL = mockidp.Duration(time.Hour)
		g := newCodeFlowWith(t, mockidp.Config{Project: p})
		code := g.code(t, "/oauth2/v1/authorize", g.authQuery())
		g.m.Advance(mockidp.AuthorizationCodeTTL - time.Second)
		tokens(t, g.exchange(t, code))
		code = g.code(t, "/oauth2/v1/authorize", g.authQuery())
		g.m.Advance(mockidp.AuthorizationCodeTTL)
		r := g.exchange(t, code)
		wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
		if !strings.Contains(r.body, "expired") {
			t.Fatalf("expired code: %s, want it to say expired", r.body)
		}
		tr := tokens(t, g.exchange(t, g.code(t, "/oauth2/v1/authorize", g.authQuery())))
		g.m.Advance(time.Hour - time.Second)
		tokens(t, g.refresh(t, tr.RefreshToken))
		g.m.Advance(time.Second)
		r = g.refresh(t, tr.RefreshToken)
		wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
		if !strings.Contains(r.body, "expired") {
			t.Fatalf("expired refresh token: %s, want it to say expired", r.body)
		}
	})
	t.Run("public client", func(t *testing.T) {
		t.Parallel()
		q := pkce("client_id", "spa-app")
		code := f.code(t, "/oauth2/v1/authorize", q)
		wantOAuthError(t, f.do(t, http.MethodPost, "/oauth2/v1/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"spa-app"}}),
			http.StatusBadRequest, "unauthorized_client")
		if r := f.exchange(t, code, "client_id", "spa-app", "client_secret", "guess", "code_verifier", verifier); r.status != http.StatusUnauthorized {
			t.Fatalf("public client with a secret: %d %s", r.status, r.body)
		}
		tokens(t, f.exchange(t, code, "client_id", "spa-app", "client_secret", "", "code_verifier", verifier))
	})
}

func (f *codeFlow) refresh(t *testing.T, refreshToken string) raw {
	t.Helper()
	return f.do(t, http.MethodPost, "/oauth2/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken},
		"client_id": {"web-app"}, "client_secret": {"web-secret"}})
}

func TestLogoutAndRevocation(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	// The subtests run in parallel on one mock: each logs a user of its
	// own in, since logout ends every session of its user at the client.
	login := func(t *testing.T, user string) mockidp.TokenResponse {
		return tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/authorize", f.authQuery("login_hint", user))))
	}
	t.Run("logout redirects to a registered URI with state and ends the session", func(t *testing.T) {
		t.Parallel()
		tr := login(t, "admin@example.com")
		r := f.do(t, http.MethodGet, "/oauth2/v1/logout?"+url.Values{"id_token_hint": {tr.IDToken},
			"post_logout_redirect_uri": {f.cb.URL + "/bye"}, "state": {"s1"}}.Encode(), nil)
		if r.status != http.StatusFound || r.location != f.cb.URL+"/bye?state=s1" {
			t.Fatalf("logout: %d to %q", r.status, r.location)
		}
		wantOAuthError(t, f.refresh(t, tr.RefreshToken), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("logout never redirects to an unregistered URI", func(t *testing.T) {
		t.Parallel()
		tr := login(t, "test-user@example.com")
		for _, uri := range []string{"http://evil.example/bye", f.cb.URL + "/bye/", f.web.RedirectURL} {
			wantErrorPage(t, f.do(t, http.MethodGet, "/oauth2/v1/logout?"+url.Values{"id_token_hint": {tr.IDToken},
				"post_logout_redirect_uri": {uri}}.Encode(), nil), "not registered")
		}
		wantErrorPage(t, f.do(t, http.MethodGet, "/oauth2/v1/logout?"+url.Values{"id_token_hint": {tr.IDToken}, "client_id": {"spa-app"}}.Encode(), nil),
			"not issued to client_id")
		wantErrorPage(t, f.do(t, http.MethodGet, "/oauth2/v1/logout?id_token_hint=not.a.token", nil), "id_token_hint")
	})
	t.Run("logout without parameters shows the signed-out page", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/oauth2/v1/logout", "/oauth2/v1/apps/logout"} {
			if r := f.do(t, http.MethodGet, path, nil); r.status != http.StatusOK || !strings.Contains(r.body, "signed out") {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
		}
	})
	t.Run("revoking a refresh token", func(t *testing.T) {
		t.Parallel()
		tr := login(t, "multi@example.com")
		for _, path := range []string{"/oauth2/v1/revoke", "/oauth2/v1/apps/revoke"} {
			if r := f.do(t, http.MethodPost, path, url.Values{"token": {tr.RefreshToken}, "token_type_hint": {"refresh_token"},
				"client_id": {"web-app"}, "client_secret": {"web-secret"}}); r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
		}
		wantOAuthError(t, f.refresh(t, tr.RefreshToken), http.StatusBadRequest, "invalid_grant")
		if r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+tr.AccessToken); r.status != http.StatusUnauthorized {
			t.Fatalf("userinfo after revoking the grant: %d", r.status)
		}
	})
	t.Run("revoking an access token", func(t *testing.T) {
		t.Parallel()
		tr := login(t, "alice@example.com")
		// web-app is confidential: its tokens are revoked with its credentials (RFC 7009 §2.1).
		wantOAuthError(t, f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {tr.AccessToken}}), http.StatusUnauthorized, "invalid_client")
		wantOAuthError(t, f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {tr.RefreshToken}}), http.StatusUnauthorized, "invalid_client")
		if r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+tr.AccessToken); r.status != http.StatusOK {
			t.Fatalf("userinfo after a refused revocation: %d", r.status)
		}
		if r := f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {tr.AccessToken}, "client_id": {"web-app"}, "client_secret": {"web-secret"}}); r.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+tr.AccessToken); r.status != http.StatusUnauthorized {
			t.Fatalf("userinfo after revocation: %d", r.status)
		}
		tokens(t, f.refresh(t, tr.RefreshToken)) // the refresh token is another matter
	})
	t.Run("revocation refusals", func(t *testing.T) {
		tr := login(t, "alice@example.com")
		if r := f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {"unknown"}}); r.status != http.StatusOK {
			t.Fatalf("unknown token: %d, want 200 (RFC 7009 §2.2)", r.status)
		}
		wantOAuthError(t, f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{}), http.StatusBadRequest, "invalid_request")
		wantOAuthError(t, f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {tr.RefreshToken}, "client_id": {"admin-client"},
			"client_secret": {"admin-secret"}}), http.StatusBadRequest, "unauthorized_client")
		tokens(t, f.refresh(t, tr.RefreshToken))
	})
}

func TestLoginPageAndQueue(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	t.Run("the page lists users, is self-contained and logs the chosen one in", func(t *testing.T) {
		t.Parallel()
		path := "/oauth2/v1/authorize?" + f.authQuery("login_hint", "").Encode()
		page := f.do(t, http.MethodGet, path, nil)
		if page.status != http.StatusOK || !strings.HasPrefix(page.ctype, "text/html") {
			t.Fatalf("login page: %d %s", page.status, page.ctype)
		}
		for _, want := range []string{"alice@example.com", "admin@example.com", "Ada Admin", `name="mockidp_login"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("login page lacks %q", want)
			}
		}
		for _, external := range []string{"src=", "href=", "http://", "https://", "<script"} {
			if strings.Contains(page.body, external) {
				t.Errorf("login page refers to an external asset or script: %q", external)
			}
		}
		if _, err := f.m.PutUser(mockidp.User{LoginIDs: []string{"zed@example.com"}, Name: "Zed Added"}); err != nil {
			t.Fatal(err)
		}
		if again := f.do(t, http.MethodGet, path, nil); !strings.Contains(again.body, "Zed Added") {
			t.Fatal("the login page does not list a user added at run time")
		}
		r := f.do(t, http.MethodPost, path, url.Values{"mockidp_login": {"admin@example.com"}})
		q := f.codeQuery(t, r)
		tr := tokens(t, f.exchange(t, q.Get("code")))
		if sub := f.verifyID(t, tokenOf(tr), "web-app").Subject; sub != "U2MockUserAdmin0000000000002" {
			t.Fatalf("logged in %q, want the admin user", sub)
		}
		if r := f.do(t, http.MethodPost, path, url.Values{"mockidp_login_id": {"nobody@example.com"}}); r.status != http.StatusBadRequest || r.location != "" {
			t.Fatalf("unknown login ID: %d %q", r.status, r.location)
		}
		f.wantRedirectError(t, f.do(t, http.MethodPost, path, url.Values{"mockidp_cancel": {"1"}}), "access_denied", "st")
	})
	t.Run("a POSTed request's page carries its parameters", func(t *testing.T) {
		t.Parallel()
		page := f.do(t, http.MethodPost, "/oauth2/v1/authorize", f.authQuery("login_hint", "", "prompt", "login"))
		if page.status != http.StatusOK || !strings.Contains(page.body, `type="hidden" name="redirect_uri"`) {
			t.Fatalf("page: %d %s", page.status, truncateBody([]byte(page.body)))
		}
		form := f.authQuery("login_hint", "", "prompt", "login")
		form.Set("mockidp_login", "alice@example.com")
		f.codeQuery(t, f.do(t, http.MethodPost, "/oauth2/v1/authorize", form))
	})
	t.Run("a queued login with its amr, then the next one", func(t *testing.T) {
		g := newCodeFlow(t, false)
		for _, l := range []mockidp.QueuedLogin{{User: "multi@example.com", AMR: []string{"pwd", "mfa"}}, {User: "U2MockUserAdmin0000000000002"}} {
			if err := g.m.QueueLogin(l); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.m.QueueLogin(mockidp.QueuedLogin{User: "ghost@example.com"}); err == nil {
			t.Fatal("queued a login for an unknown user")
		}
		for _, want := range []struct {
			sub string
			amr string
		}{{"U2MockUserMulti0000000000003", "pwd mfa"}, {"U2MockUserAdmin0000000000002", "email"}} {
			// The queue wins over the login_hint.
			tr := tokens(t, g.exchange(t, g.code(t, "/oauth2/v1/authorize", g.authQuery())))
			var c struct {
				Sub string   `json:"sub"`
				AMR []string `json:"amr"`
			}
			if err := g.verifyID(t, tokenOf(tr), "web-app").Claims(&c); err != nil {
				t.Fatal(err)
			}
			if c.Sub != want.sub || strings.Join(c.AMR, " ") != want.amr {
				t.Fatalf("got sub %q amr %v, want %s %s", c.Sub, c.AMR, want.sub, want.amr)
			}
		}
		// Then the hint again.
		tr := tokens(t, g.exchange(t, g.code(t, "/oauth2/v1/authorize", g.authQuery())))
		if sub := g.verifyID(t, tokenOf(tr), "web-app").Subject; sub != "U2MockUserAlice0000000000001" {
			t.Fatalf("after the queue: %q", sub)
		}
	})
	t.Run("apps form tokens carry the inbound-apps issuer", func(t *testing.T) {
		t.Parallel()
		tr := tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/apps/authorize", f.authQuery())))
		claims, err := f.m.VerifyToken(tr.IDToken)
		if err != nil || claims["iss"] != f.m.URL+"/v1/apps/"+f.m.ProjectID() {
			t.Fatalf("iss %v (%v)", claims["iss"], err)
		}
	})
}

func (f *codeFlow) codeQuery(t *testing.T, r raw) url.Values {
	t.Helper()
	loc, err := url.Parse(r.location)
	if r.status != http.StatusFound || err != nil || loc.Query().Get("code") == "" || !strings.HasPrefix(r.location, f.web.RedirectURL) {
		t.Fatalf("got %d to %q, want a code at the callback", r.status, r.location)
	}
	return loc.Query()
}

func tokenOf(tr mockidp.TokenResponse) *oauth2.Token {
	return (&oauth2.Token{AccessToken: tr.AccessToken}).WithExtra(map[string]any{"id_token": tr.IDToken})
}

// TestResetForgetsLogins: a reset forgets codes, refresh tokens and queued logins.
func TestResetForgetsLogins(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	code := f.code(t, "/oauth2/v1/authorize", f.authQuery())
	tr := tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/authorize", f.authQuery())))
	if err := f.m.QueueLogin(mockidp.QueuedLogin{User: "admin@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := f.m.AddClient(mockidp.Client{ID: "web-app", Secret: "web-secret", ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{f.web.RedirectURL}}}); err != nil {
		t.Fatal(err)
	}
	wantOAuthError(t, f.exchange(t, code), http.StatusBadRequest, "invalid_grant")
	wantOAuthError(t, f.refresh(t, tr.RefreshToken), http.StatusBadRequest, "invalid_grant")
	tr = tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/authorize", f.authQuery())))
	claims, err := f.m.VerifyToken(tr.IDToken)
	if err != nil || claims["sub"] != "U2MockUserAlice0000000000001" {
		t.Fatalf("after a reset the queued admin login still applied: sub %v (%v)", claims["sub"], err)
	}
}
