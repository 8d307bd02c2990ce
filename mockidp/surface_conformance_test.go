package mockidp_test

// The Descope surface as clients see it: endpoints discovery advertises,
// claim shapes, error bodies, public URLs.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// The inbound-apps discovery document advertises {base}/oauth2/v1/apps/userinfo:
// a client that follows it must reach userinfo, not a 404.
func TestAppsUserinfoEndpointIsServed(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{PublicURL: "http://idp.test"})
	rec := serve(s, http.MethodGet, "/v1/apps/"+mockidp.DefaultProjectID+"/.well-known/openid-configuration", "")
	var doc mockidp.Discovery
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(doc.UserinfoEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.ClientToken("admin-client", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		rec := serve(s, method, u.Path, "", "Authorization", "Bearer "+token)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, u.Path, rec.Code, rec.Body)
		}
		var claims map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &claims); err != nil || claims["sub"] != "admin-client" {
			t.Errorf("%s %s: body %s", method, u.Path, rec.Body)
		}
	}
	rec = serve(s, http.MethodGet, u.Path, "")
	if rec.Code != http.StatusUnauthorized || errorBody(t, rec.Code, rec.Body.Bytes()).Code != mockidp.CodeBadClient {
		t.Errorf("no token: %d %s, want 401 %s", rec.Code, rec.Body, mockidp.CodeBadClient)
	}
}

// Tenant grants serialise like the rest of a Descope token: keys in
// alphabetical order and empty lists as [], never null (the Python SDK
// iterates tenants[t]["permissions"] and fails on None).
func TestTenantGrantsSerialiseAsDescope(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	if err := s.AddClient(mockidp.Client{ID: "t", Secret: "s",
		Tenants: map[string]mockidp.TenantGrant{"T1": {Roles: []string{"r"}}, "T2": {Permissions: []string{"p"}}}}); err != nil {
		t.Fatal(err)
	}
	token, err := s.ClientToken("t", "")
	if err != nil {
		t.Fatal(err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	want := `"tenants":{"T1":{"permissions":[],"roles":["r"]},"T2":{"permissions":["p"],"roles":[]}}`
	if !strings.Contains(string(payload), want) {
		t.Errorf("claims %s\nwant them to contain %s", payload, want)
	}
}

// Error messages are readable as sent: no \u003c escapes for < and >.
func TestErrorBodiesAreNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{AdminToken: "t0ken"})
	rec := serve(s, http.MethodGet, "/_mock/keys", "")
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "<admin token>") {
		t.Errorf("GET /_mock/keys without the token: %d %s, want 401 naming <admin token>", rec.Code, rec.Body)
	}
}

// A public URL with a query, fragment or user info would be pasted into
// every issuer and endpoint; it is refused like one with a path.
func TestPublicURLShape(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://idp.test?x=1", "http://idp.test#f", "http://user:pw@idp.test", "http://idp.test/base", "idp.test:8080"} {
		if err := mockidp.CheckPublicURL(u); err == nil {
			t.Errorf("CheckPublicURL(%q) accepted it", u)
		}
		if _, err := mockidp.New(mockidp.Config{PublicURL: u, KeyPEM: fixtures.KeyPEMs()}); err == nil {
			t.Errorf("New with PublicURL %q succeeded", u)
		}
	}
	for _, u := range []string{"http://idp.test", "https://idp.test:8443/", "http://[::1]:8080"} {
		if err := mockidp.CheckPublicURL(u); err != nil {
			t.Errorf("CheckPublicURL(%q): %v", u, err)
		}
	}
}

// The spec's rate-limit answer always carries Retry-After: a 429 fault
// without retry_after sends one second rather than none.
func TestRateLimitAlwaysHasRetryAfter(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	if err := s.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointToken, Status: http.StatusTooManyRequests}); err != nil {
		t.Fatal(err)
	}
	rec := serve(s, http.MethodPost, "/oauth2/v1/token", "grant_type=client_credentials",
		"Content-Type", "application/x-www-form-urlencoded")
	e := errorBody(t, rec.Code, rec.Body.Bytes())
	if rec.Code != http.StatusTooManyRequests || e.Code != mockidp.CodeRateLimited {
		t.Fatalf("%d %s, want 429 %s", rec.Code, rec.Body, mockidp.CodeRateLimited)
	}
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
}

// Every endpoint a discovery document advertises answers: none is a 404 or
// a 5xx, a request without parameters gets the refusal that endpoint gives
// (a page from the browser-facing ones, a Descope error body from the
// others) and the key set serves keys.
func TestEveryAdvertisedEndpointAnswers(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{PublicURL: "http://idp.test"})
	for _, form := range []string{mockidp.IssuerURL, mockidp.IssuerApps} {
		doc := s.DiscoveryDocument(form, "http://idp.test")
		for _, tt := range []struct {
			endpoint, method string
			wantStatus       int
			wantType         string
		}{
			{doc.AuthorizationEndpoint, http.MethodGet, http.StatusBadRequest, "text/html; charset=utf-8"},
			{doc.TokenEndpoint, http.MethodPost, http.StatusBadRequest, "application/json"},
			{doc.UserinfoEndpoint, http.MethodGet, http.StatusUnauthorized, "application/json"},
			{doc.JWKSURI, http.MethodGet, http.StatusOK, "application/json"},
			{doc.EndSessionEndpoint, http.MethodGet, http.StatusOK, "text/html; charset=utf-8"},
			{doc.RevocationEndpoint, http.MethodPost, http.StatusBadRequest, "application/json"},
		} {
			path := strings.TrimPrefix(tt.endpoint, "http://idp.test")
			rec := serve(s, tt.method, path, "", "Content-Type", "application/x-www-form-urlencoded")
			if rec.Code != tt.wantStatus || rec.Header().Get("Content-Type") != tt.wantType {
				t.Errorf("%s %s: %d %s, want %d %s", tt.method, path, rec.Code, rec.Header().Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			if tt.wantType == "application/json" && tt.wantStatus != http.StatusOK {
				errorBody(t, rec.Code, rec.Body.Bytes())
			}
		}
	}
}

// The inbound-apps issuer works end to end for a generic OIDC client:
// go-oidc discovers {base}/v1/apps/{pid}, x/oauth2 gets a token from the
// token endpoint it advertises, go-oidc verifies it and reads userinfo.
func TestAppsIssuerWithRealClients(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	ctx := oidc.ClientContext(t.Context(), m.Client())
	issuer := m.URL + "/v1/apps/" + m.ProjectID()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("NewProvider(%s): %v", issuer, err)
	}
	cfg := clientcredentials.Config{ClientID: "admin-client", ClientSecret: "admin-secret", TokenURL: provider.Endpoint().TokenURL}
	tok, err := cfg.Token(context.WithValue(t.Context(), oauth2.HTTPClient, m.Client()))
	if err != nil {
		t.Fatalf("Token from %s: %v", cfg.TokenURL, err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: m.ProjectID(), Now: m.Now}).Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if idt.Issuer != issuer || idt.Subject != "admin-client" {
		t.Errorf("issuer %q subject %q", idt.Issuer, idt.Subject)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if info.Subject != "admin-client" || info.Email != "admin@example.com" {
		t.Errorf("userinfo subject %q email %q", info.Subject, info.Email)
	}
}
