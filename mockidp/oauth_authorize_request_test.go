package mockidp

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

const testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B

func testClients(id string) (oauthClient, bool) {
	switch id {
	case "web":
		return oauthClient{ID: "web", RedirectURIs: []string{"http://127.0.0.1:3000/callback", "https://app.example.com/cb?tenant=a"}}, true
	case "spa":
		return oauthClient{ID: "spa", Public: true, RedirectURIs: []string{"http://127.0.0.1:3000/callback"}, RequireState: true, RequireNonce: true}, true
	}
	return oauthClient{}, false
}

func authorizeValues(kv ...string) url.Values {
	v := url.Values{"client_id": {"web"}, "redirect_uri": {"http://127.0.0.1:3000/callback"}, "response_type": {"code"}, "scope": {"openid email"}, "state": {"st"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<none>" {
			delete(v, kv[i])
			continue
		}
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestParseAuthorize(t *testing.T) {
	t.Parallel()
	challenge := s256Challenge(testVerifier)
	tests := []struct {
		name         string
		values       url.Values
		wantCode     string // "" = accepted
		wantRedirect bool   // the error goes back to the client
		wantState    string
		wantInDesc   string
	}{
		{name: "minimal confidential request", values: authorizeValues()},
		{name: "registered URI with a query", values: authorizeValues("redirect_uri", "https://app.example.com/cb?tenant=a")},
		{name: "public client with PKCE, state and nonce", values: authorizeValues("client_id", "spa", "code_challenge", challenge, "code_challenge_method", "S256", "nonce", "n")},
		{name: "missing client_id", values: authorizeValues("client_id", "<none>"), wantCode: "invalid_request", wantInDesc: "client_id is required"},
		{name: "unknown client", values: authorizeValues("client_id", "nobody"), wantCode: "invalid_client", wantInDesc: "unknown client_id"},
		{name: "repeated client_id", values: url.Values{"client_id": {"web", "spa"}}, wantCode: "invalid_request", wantInDesc: "client_id is repeated"},
		{name: "missing redirect_uri", values: authorizeValues("redirect_uri", "<none>"), wantCode: "invalid_request", wantInDesc: "redirect_uri is required"},
		{name: "another host", values: authorizeValues("redirect_uri", "http://evil.example/callback"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "userinfo look-alike", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000@evil.example/callback"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "fragment", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000/callback#x"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "encoded slash", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000%2Fcallback"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "trailing slash", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000/callback/"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "extra path", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000/callback/../evil"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "host case", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000/Callback"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "dropped query", values: authorizeValues("redirect_uri", "https://app.example.com/cb"), wantCode: "invalid_request", wantInDesc: "not registered"},
		{name: "oversized redirect_uri", values: authorizeValues("redirect_uri", "http://127.0.0.1:3000/"+strings.Repeat("a", 3000)), wantCode: "invalid_request", wantInDesc: "longer than"},
		{name: "missing response_type", values: authorizeValues("response_type", "<none>"), wantCode: "invalid_request", wantRedirect: true, wantState: "st"},
		{name: "token response_type", values: authorizeValues("response_type", "token"), wantCode: "unsupported_response_type", wantRedirect: true, wantState: "st"},
		{name: "unknown scope", values: authorizeValues("scope", "openid admin"), wantCode: "invalid_scope", wantRedirect: true, wantState: "st"},
		{name: "plain PKCE", values: authorizeValues("code_challenge", testVerifier, "code_challenge_method", "plain"), wantCode: "invalid_request", wantRedirect: true, wantInDesc: "S256"},
		{name: "challenge without method", values: authorizeValues("code_challenge", challenge), wantCode: "invalid_request", wantRedirect: true, wantInDesc: "S256"},
		{name: "malformed challenge", values: authorizeValues("code_challenge", "short", "code_challenge_method", "S256"), wantCode: "invalid_request", wantRedirect: true},
		{name: "method without challenge", values: authorizeValues("code_challenge_method", "S256"), wantCode: "invalid_request", wantRedirect: true},
		{name: "public client without PKCE", values: authorizeValues("client_id", "spa", "nonce", "n"), wantCode: "invalid_request", wantRedirect: true, wantInDesc: "PKCE is required"},
		{name: "nonce required", values: authorizeValues("client_id", "spa", "code_challenge", challenge, "code_challenge_method", "S256"), wantCode: "invalid_request", wantRedirect: true, wantInDesc: "nonce is required"},
		{name: "state required", values: authorizeValues("client_id", "spa", "state", "<none>", "nonce", "n", "code_challenge", challenge, "code_challenge_method", "S256"), wantCode: "invalid_request", wantRedirect: true, wantInDesc: "state is required"},
		{name: "oversized state is not echoed", values: authorizeValues("state", strings.Repeat("s", 1500)), wantCode: "invalid_request", wantRedirect: true, wantState: ""},
		{name: "oversized nonce", values: authorizeValues("nonce", strings.Repeat("n", 600)), wantCode: "invalid_request", wantRedirect: true, wantState: "st"},
		{name: "repeated scope", values: func() url.Values { v := authorizeValues(); v["scope"] = []string{"openid", "email"}; return v }(), wantCode: "invalid_request", wantRedirect: true, wantInDesc: "repeated"},
		{name: "prompt none with login", values: authorizeValues("prompt", "none login"), wantCode: "invalid_request", wantRedirect: true},
		{name: "unknown prompt", values: authorizeValues("prompt", "always"), wantCode: "invalid_request", wantRedirect: true},
		{name: "request object", values: authorizeValues("request", "eyJ"), wantCode: "request_not_supported", wantRedirect: true},
		{name: "form_post mode", values: authorizeValues("response_mode", "form_post"), wantCode: "invalid_request", wantRedirect: true},
		{name: "oversized login_hint", values: authorizeValues("login_hint", strings.Repeat("u", 300)), wantCode: "invalid_request", wantRedirect: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := parseAuthorize(tt.values, testClients)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if req.ClientID != tt.values.Get("client_id") || req.RedirectURI != tt.values.Get("redirect_uri") {
					t.Fatalf("got client %q redirect %q, want the request's", req.ClientID, req.RedirectURI)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %s", tt.wantCode)
			}
			if err.Code != tt.wantCode {
				t.Errorf("got code %q (%s), want %q", err.Code, err.Description, tt.wantCode)
			}
			if got := err.RedirectURI != ""; got != tt.wantRedirect {
				t.Errorf("got redirect %v (to %q), want %v", got, err.RedirectURI, tt.wantRedirect)
			}
			if tt.wantRedirect && err.RedirectURI != tt.values.Get("redirect_uri") {
				t.Errorf("got redirect to %q, want the registered %q", err.RedirectURI, tt.values.Get("redirect_uri"))
			}
			if tt.wantRedirect && (tt.wantState != "" || tt.name == "oversized state is not echoed") && err.State != tt.wantState {
				t.Errorf("got state %q, want %q", truncate(err.State, 16), tt.wantState)
			}
			if !strings.Contains(err.Description, tt.wantInDesc) {
				t.Errorf("got description %q, want it to contain %q", err.Description, tt.wantInDesc)
			}
		})
	}
}

func TestParseAuthorizeFields(t *testing.T) {
	t.Parallel()
	challenge := s256Challenge(testVerifier)
	req, err := parseAuthorize(authorizeValues("scope", "openid email openid", "nonce", "n1", "prompt", "login consent",
		"loginHint", "alice@example.com", "code_challenge", challenge, "code_challenge_method", "S256"), testClients)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(req.Scopes, " ") != "openid email" || req.Nonce != "n1" || req.Prompt != "login" ||
		req.LoginHint != "alice@example.com" || req.CodeChallenge != challenge || req.State != "st" {
		t.Fatalf("got %+v", req)
	}
}

func TestAuthorizeErrorRedirectURL(t *testing.T) {
	t.Parallel()
	e := &authorizeError{RedirectURI: "https://app.example.com/cb?tenant=a", State: "s t", Code: "access_denied", Description: "the user cancelled"}
	got, err := url.Parse(e.redirectURL())
	if err != nil {
		t.Fatal(err)
	}
	q := got.Query()
	if got.Host != "app.example.com" || got.Path != "/cb" || q.Get("tenant") != "a" || q.Get("error") != "access_denied" ||
		q.Get("error_description") != "the user cancelled" || q.Get("state") != "s t" {
		t.Fatalf("got %s", got)
	}
}

func FuzzParseAuthorize(f *testing.F) {
	f.Add("client_id=web&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcallback&response_type=code&state=x")
	f.Add("client_id=spa&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcallback&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&nonce=n&state=s")
	f.Add("client_id=web&client_id=web")
	f.Fuzz(func(t *testing.T, query string) {
		values, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		req, aerr := parseAuthorize(values, testClients)
		if aerr == nil {
			c, _ := testClients(req.ClientID)
			if !slices.Contains(c.RedirectURIs, req.RedirectURI) {
				t.Fatalf("accepted unregistered redirect %q", req.RedirectURI)
			}
			if c.Public && req.CodeChallenge == "" {
				t.Fatal("accepted a public client without PKCE")
			}
			return
		}
		if aerr.Code == "" || aerr.Description == "" {
			t.Fatalf("error without code or description: %+v", aerr)
		}
		if aerr.RedirectURI != "" {
			c, ok := testClients(values.Get("client_id"))
			if !ok || !slices.Contains(c.RedirectURIs, aerr.RedirectURI) {
				t.Fatalf("redirects an error to unregistered %q", aerr.RedirectURI)
			}
		}
	})
}
