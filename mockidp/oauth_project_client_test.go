package mockidp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// TestProjectIDIsAPublicClient: web-js-sdk's OIDC mode: client_id is the
// project ID, a public client proving itself with PKCE S256, redirected to
// a loopback page by default; the browser reads discovery, token and
// userinfo across origins.
func TestProjectIDIsAPublicClient(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	cb := startCallback(t) // on 127.0.0.1: a loopback redirect URI
	ctx := oidc.ClientContext(t.Context(), m.Client())
	provider, err := oidc.NewProvider(ctx, m.URL+"/"+mockidp.DefaultProjectID)
	if err != nil {
		t.Fatalf("discovery at the web-js-sdk authority: %v", err)
	}
	conf := oauth2.Config{ClientID: mockidp.DefaultProjectID, Endpoint: provider.Endpoint(), RedirectURL: cb.URL + "/app/callback",
		Scopes: []string{"openid", "email", "roles", "descope.custom_claims", "offline_access"}}
	verifier := oauth2.GenerateVerifier()
	f := &codeFlow{m: m, cb: cb, ctx: ctx, provider: provider}
	q := f.authorize(t, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "alice@example.com")))
	if q.Get("code") == "" {
		t.Fatalf("callback %v", q)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange without a secret, with the verifier: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Error("offline_access gave no refresh token")
	}
	idt := f.verifyID(t, tok, mockidp.DefaultProjectID)
	if idt.Subject != "U2MockUserAlice0000000000001" {
		t.Errorf("sub %s", idt.Subject)
	}
	// The browser's view: CORS on token and userinfo answers.
	// A refused userinfo carries them too, so the page reads the error.
	a := descope(t, m, "GET", "/oauth2/v1/userinfo", "", "", "Origin", "http://localhost:5173")
	if a.header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Errorf("userinfo: allow-origin %q", a.header.Get("Access-Control-Allow-Origin"))
	}
	req, _ := http.NewRequest("GET", m.URL+"/oauth2/v1/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Origin", "http://localhost:5173")
	resp, err := m.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Errorf("userinfo with the access token: %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// Without the verifier the code is refused: PKCE is required.
	q = f.authorize(t, conf.AuthCodeURL("st2", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "alice@example.com")))
	if _, err := conf.Exchange(ctx, q.Get("code")); err == nil {
		t.Error("exchange without the verifier succeeded")
	}
	// A redirect URI off loopback is not the project's.
	evil := conf
	evil.RedirectURL = "http://evil.test/app/callback"
	r, err := m.Client().Get(evil.AuthCodeURL("st3", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("a non-loopback redirect_uri: status %d, want 400", r.StatusCode)
	}
}

func TestProjectClientSettings(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	p.ProjectClient.RedirectURIs = []string{"https://app.test/cb"}
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	verifier := oauth2.GenerateVerifier()
	for _, tt := range []struct {
		redirect string
		want     int
	}{{"https://app.test/cb", http.StatusFound}, {"http://localhost:5173/cb", http.StatusBadRequest}} {
		conf := oauth2.Config{ClientID: mockidp.DefaultProjectID, Endpoint: oauth2.Endpoint{AuthURL: m.URL + "/oauth2/v1/authorize"}, RedirectURL: tt.redirect, Scopes: []string{"openid"}}
		c := *m.Client()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		r, err := c.Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "alice@example.com")))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != tt.want {
			t.Errorf("redirect %s: status %d, want %d", tt.redirect, r.StatusCode, tt.want)
		}
	}
	p = mockidp.DefaultProject()
	p.ProjectClient.Disabled = true
	m = mockidptest.Start(t, mockidp.Config{Project: p})
	r, err := m.Client().Get(m.URL + "/oauth2/v1/authorize?response_type=code&client_id=" + mockidp.DefaultProjectID + "&redirect_uri=http://localhost/cb&scope=openid")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("disabled project client: %d", r.StatusCode)
	}
	p = mockidp.DefaultProject()
	p.ProjectClient.RedirectURIs = []string{"not a uri"}
	if _, err := mockidp.New(mockidp.Config{Project: p}); err == nil || !strings.Contains(err.Error(), "project_client.redirect_uris[0]") {
		t.Errorf("bad redirect URI: %v", err)
	}
}

// TestProjectClientRefreshTokenReadsMe: web-js-sdk's OIDC mode stores the
// token endpoint's refresh_token as its refresh JWT, and react-sdk's useUser
// calls GET /v1/auth/me (and me/tenants, me/history) with it. The project
// client's refresh token reads the user there without being spent; a
// refresh token of another client, a revoked one and a rotated-away one are
// refused with Descope's 401.
func TestProjectClientRefreshTokenReadsMe(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	p.Sessions.RefreshRotation = true
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	cb := startCallback(t)
	ctx := oidc.ClientContext(t.Context(), m.Client())
	provider, err := oidc.NewProvider(ctx, m.URL+"/"+mockidp.DefaultProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddClient(mockidp.Client{ID: "web-app", Secret: "web-secret",
		ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{cb.URL + "/app/callback"}}}); err != nil {
		t.Fatal(err)
	}
	f := &codeFlow{m: m, cb: cb, ctx: ctx, provider: provider}
	login := func(clientID, secret string) *oauth2.Token {
		t.Helper()
		conf := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: cb.URL + "/app/callback",
			Scopes: []string{"openid", "offline_access"}}
		verifier := oauth2.GenerateVerifier()
		q := f.authorize(t, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "alice@example.com")))
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("%s: exchange: %v (refresh token %q)", clientID, err, tok.RefreshToken)
		}
		return tok
	}
	tok := login(mockidp.DefaultProjectID, "")
	for _, path := range []string{"/v1/auth/me", "/v1/auth/me/history"} {
		a := descope(t, m, "GET", path, tok.RefreshToken, "")
		if a.status != http.StatusOK || !strings.Contains(string(a.body), "U2MockUserAlice0000000000001") {
			t.Errorf("GET %s with the project client's refresh token: %d %s, want 200 with alice", path, a.status, a.body)
		}
	}
	if a := descope(t, m, "POST", "/v1/auth/me/tenants", tok.RefreshToken, `{"dct":false}`); a.status != http.StatusOK {
		t.Errorf("POST /v1/auth/me/tenants: %d %s", a.status, a.body)
	}
	// Reading spent nothing: the refresh token still refreshes, once.
	form := func(refresh string) *http.Response {
		t.Helper()
		r, err := m.Client().PostForm(m.URL+"/oauth2/v1/token", map[string][]string{
			"grant_type": {"refresh_token"}, "client_id": {mockidp.DefaultProjectID}, "refresh_token": {refresh}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r
	}
	if r := form(tok.RefreshToken); r.StatusCode != http.StatusOK {
		t.Fatalf("refresh after the me calls: %d, want 200", r.StatusCode)
	}
	// Rotated away: refused by me (and the refusal revokes nothing more).
	if a := descope(t, m, "GET", "/v1/auth/me", tok.RefreshToken, ""); a.status != http.StatusUnauthorized {
		t.Errorf("me with a rotated-away refresh token: %d %s, want 401", a.status, a.body)
	}
	// A confidential client's refresh token is not the browser's.
	other := login("web-app", "web-secret")
	if a := descope(t, m, "GET", "/v1/auth/me", other.RefreshToken, ""); a.status != http.StatusUnauthorized {
		t.Errorf("me with another client's refresh token: %d %s, want 401", a.status, a.body)
	}
	// Ending the user's sessions ends it for me too.
	tok = login(mockidp.DefaultProjectID, "")
	if _, err := m.RevokeSessions("alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if a := descope(t, m, "GET", "/v1/auth/me", tok.RefreshToken, ""); a.status != http.StatusUnauthorized {
		t.Errorf("me after the user's sessions were revoked: %d %s, want 401", a.status, a.body)
	}
}
