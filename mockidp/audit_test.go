package mockidp_test

// Findings of the conformance audit against descope-surface.md and issue 2,
// each pinned by a test that failed before its fix.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// errorBody decodes a Descope-shaped error body, failing on anything else.
func errorBody(t *testing.T, status int, body []byte) mockidp.Error {
	t.Helper()
	var e mockidp.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Code == "" {
		t.Fatalf("status %d body %s: not a Descope error body (%v)", status, body, err)
	}
	return e
}

// The inbound-apps discovery document advertises {base}/oauth2/v1/apps/userinfo:
// a client that follows it must reach userinfo, not a 404.
func TestAuditAppsUserinfoEndpointIsServed(t *testing.T) {
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

// Trailing data after a control-plane JSON object is an error: the call must
// not act on a body it only half understood.
func TestAuditControlBodyTrailingData(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, body := range []string{`{"count":1} }`, `{"count":1}]`, `{"count":1} {"count":2}`, `{"count":1} x`} {
		rec := serve(s, http.MethodPost, "/_mock/keys/rotate", body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("body %q: %d %s, want 400", body, rec.Code, rec.Body)
			continue
		}
		if e := errorBody(t, rec.Code, rec.Body.Bytes()); !strings.Contains(e.Message, "trailing") {
			t.Errorf("body %q: message %q does not say what is wrong", body, e.Message)
		}
	}
	if n := s.KeysState().Rotations; n != 0 {
		t.Errorf("rotations = %d after refused calls, want 0", n)
	}
}

// Control-plane errors name the field at fault in the caller's terms (JSON
// field names and JSON types), never Go types.
func TestAuditControlErrorsNameTheField(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, tc := range []struct {
		path, body string
		want       []string
	}{
		{"/_mock/tokens", `{"exp":"tomorrow"}`, []string{"exp", "tomorrow"}},
		{"/_mock/tokens", `{"nbf":true}`, []string{"nbf"}},
		{"/_mock/tokens", `{"iat":1.5}`, []string{"iat"}},
		{"/_mock/tokens", `{"claims":[1]}`, []string{"claims", "object"}},
		{"/_mock/faults", `{"endpoint":"jwks","latency":"5y"}`, []string{"latency", "5y"}},
		{"/_mock/clients", `{"id":"x","secret":"y","ttl":true}`, []string{"ttl"}},
		{"/_mock/clients", `{"id":"x","secret":"y","scopes":"openid"}`, []string{"scopes", "array"}},
		{"/_mock/keys/rotate", `{"count":"2"}`, []string{"count", "whole number", "string"}},
		{"/_mock/keys/rotate", `{"count":2.5}`, []string{"count", "whole number"}},
		{"/_mock/keys/rotate", `[]`, []string{"object", "array"}},
		{"/_mock/keys/rotate", `{"cnt":2}`, []string{`"cnt"`, "count"}},
		{"/_mock/keys/revoke", `{"kid":5}`, []string{"kid", "string"}},
		{"/_mock/clock/advance", `{"by":"soon"}`, []string{"by", "soon"}},
	} {
		rec := serve(s, http.MethodPost, tc.path, tc.body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s %s: %d %s, want 400", tc.path, tc.body, rec.Code, rec.Body)
			continue
		}
		msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("POST %s %s: message %q does not mention %q", tc.path, tc.body, msg, w)
			}
		}
		for _, bad := range []string{"Go value", "Go struct", "mockidp.", "interface {}", "json: "} {
			if strings.Contains(msg, bad) {
				t.Errorf("POST %s %s: message %q speaks Go (%q)", tc.path, tc.body, msg, bad)
			}
		}
	}
}

// A client or access key refused at run time is not a project-file error:
// the message names the JSON field, without a "project:" prefix.
func TestAuditControlClientErrorsNameJSONFields(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	for _, tc := range []struct{ path, body, want string }{
		{"/_mock/clients", `{}`, "id: "},
		{"/_mock/clients", `{"id":"x"}`, "secret: is required"},
		{"/_mock/clients", `{"id":"x","secret":"y","claims":{"iss":"z"}}`, "claims.iss: "},
		{"/_mock/access-keys", `{"id":"K1","secret":"a:b"}`, "secret: must not contain"},
	} {
		rec := serve(s, http.MethodPost, tc.path, tc.body)
		msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message
		if rec.Code != http.StatusBadRequest || !strings.HasPrefix(msg, tc.want) {
			t.Errorf("POST %s %s: %d %q, want 400 starting %q", tc.path, tc.body, rec.Code, msg, tc.want)
		}
	}
}

// Tenant grants serialise like the rest of a Descope token: keys in
// alphabetical order and empty lists as [], never null (the Python SDK
// iterates tenants[t]["permissions"] and fails on None).
func TestAuditTenantGrantsSerialiseAsDescope(t *testing.T) {
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

// Advancing the clock by more than a time.Duration holds is refused, not
// wrapped or saturated into a clock centuries away.
func TestAuditClockAdvanceOutOfRange(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	before := s.Now()
	for _, body := range []string{`{"seconds":1e300}`, `{"seconds":-1e300}`, `{"seconds":1e10}`} {
		rec := serve(s, http.MethodPost, "/_mock/clock/advance", body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("advance %s: %d %s, want 400", body, rec.Code, rec.Body)
			continue
		}
		if msg := errorBody(t, rec.Code, rec.Body.Bytes()).Message; !strings.Contains(msg, "seconds") {
			t.Errorf("advance %s: message %q does not name seconds", body, msg)
		}
	}
	if got := s.Now(); got.Sub(before) > time.Minute || got.Before(before) {
		t.Errorf("clock moved to %v on refused calls (was %v)", got, before)
	}
	// Advances that each fit must not overflow the offset together: the
	// running clock never goes backwards when only moved forward.
	for i := 0; i < 3; i++ {
		serve(s, http.MethodPost, "/_mock/clock/advance", `{"by":"876000h"}`) // 100 years
		if got := s.Now(); got.Before(before) {
			t.Fatalf("advance %d: clock went backwards to %v (was %v)", i+1, got, before)
		}
	}
}

// /_mock without a slash is a control-plane path like any other: JSON, not
// an HTML redirect.
func TestAuditMockRootIsJSON(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{})
	rec := serve(s, http.MethodGet, "/_mock", "")
	if rec.Code != http.StatusNotFound || errorBody(t, rec.Code, rec.Body.Bytes()).Code != mockidp.CodeMockNotFound {
		t.Errorf("GET /_mock: %d %s, want 404 %s", rec.Code, rec.Body, mockidp.CodeMockNotFound)
	}
}

// Error messages are readable as sent: no \u003c escapes for < and >.
func TestAuditErrorBodiesAreNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{AdminToken: "t0ken"})
	rec := serve(s, http.MethodGet, "/_mock/keys", "")
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "<admin token>") {
		t.Errorf("GET /_mock/keys without the token: %d %s, want 401 naming <admin token>", rec.Code, rec.Body)
	}
}

// Two access keys with one secret are refused in the project file, as the
// control plane refuses them: otherwise which key an exchange gets is chance.
func TestAuditDuplicateAccessKeySecrets(t *testing.T) {
	t.Parallel()
	_, err := mockidp.ParseProject("p.yaml", []byte("project_id: P1\naccess_keys:\n  - id: K1\n    secret: s\n  - id: K2\n    secret: s\n"))
	var ce *mockidp.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseProject: %v, want a ConfigError", err)
	}
	if ce.File != "p.yaml" || ce.Line != 6 || ce.Field != "access_keys[1].secret" {
		t.Errorf("ConfigError %+v, want p.yaml line 6 access_keys[1].secret", ce)
	}
}

// A key file the project names that cannot be read is reported with the
// project file and the field that named it.
func TestAuditPEMFileErrorNamesProjectFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "project.yaml")
	if err := os.WriteFile(file, []byte("project_id: P1\nkeys:\n  pem_files: [missing.pem]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := mockidp.LoadProject(file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mockidp.New(mockidp.Config{Project: p, ProjectFile: file})
	if err == nil {
		t.Fatal("New with unreadable pem_files succeeded")
	}
	for _, want := range []string{file, "keys.pem_files[0]", "missing.pem"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// A public URL with a query, fragment or user info would be pasted into
// every issuer and endpoint; it is refused like one with a path.
func TestAuditPublicURLShape(t *testing.T) {
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
func TestAuditRateLimitAlwaysHasRetryAfter(t *testing.T) {
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

// Every endpoint a discovery document advertises answers with a Descope
// error body that says what the mock does, not a bare "no route".
func TestAuditAdvertisedEndpointsExplainThemselves(t *testing.T) {
	t.Parallel()
	s := newServer(t, mockidp.Config{PublicURL: "http://idp.test"})
	for _, form := range []string{mockidp.IssuerURL, mockidp.IssuerApps} {
		doc := s.DiscoveryDocument(form, "http://idp.test")
		for _, endpoint := range []string{doc.AuthorizationEndpoint, doc.EndSessionEndpoint, doc.RevocationEndpoint} {
			path := strings.TrimPrefix(endpoint, "http://idp.test")
			rec := serve(s, http.MethodGet, path, "")
			e := errorBody(t, rec.Code, rec.Body.Bytes())
			if rec.Code != http.StatusNotFound || !strings.Contains(e.Message, "client_credentials") {
				t.Errorf("GET %s: %d %s, want 404 explaining what mockidp implements", path, rec.Code, rec.Body)
			}
		}
	}
}

// Project-file type mistakes are explained in YAML's terms (a mapping, a
// list, a string), not Go's (mockidp.Project, map[string]interface {}).
func TestAuditProjectTypeErrorsSpeakYAML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		yaml, field string
		line        int
		want        []string
	}{
		{"- a\n- b\n", "", 1, []string{"mapping", "list"}},
		{"project_id: P1\nclients:\n  - id: a\n    secret: s\n    claims: [1]\n", "clients[0].claims", 5, []string{"mapping", "list"}},
		{"project_id: P1\nkeys:\n  keep: many\n", "keys.keep", 3, []string{"whole number", "many"}},
		{"project_id: P1\nclients:\n  - id: a\n    secret: s\n    scopes: openid\n", "clients[0].scopes", 5, []string{"list", "openid"}},
		{"project_id: P1\nclients: {a: 1}\n", "clients", 2, []string{"list", "mapping"}},
	} {
		_, err := mockidp.ParseProject("p.yaml", []byte(tc.yaml))
		var ce *mockidp.ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v, want a ConfigError", tc.yaml, err)
			continue
		}
		if ce.Line != tc.line || !strings.HasPrefix(ce.Field, tc.field) {
			t.Errorf("%q: line %d field %q, want %d %q", tc.yaml, ce.Line, ce.Field, tc.line, tc.field)
		}
		for _, w := range tc.want {
			if !strings.Contains(ce.Reason, w) {
				t.Errorf("%q: reason %q does not mention %q", tc.yaml, ce.Reason, w)
			}
		}
		for _, bad := range []string{"mockidp.", "interface", "!!", "[]string", "unmarshal"} {
			if strings.Contains(ce.Reason, bad) {
				t.Errorf("%q: reason %q speaks Go or YAML tags (%q)", tc.yaml, ce.Reason, bad)
			}
		}
	}
}

// The inbound-apps issuer works end to end for a generic OIDC client:
// go-oidc discovers {base}/v1/apps/{pid}, x/oauth2 gets a token from the
// token endpoint it advertises, go-oidc verifies it and reads userinfo.
func TestAuditAppsIssuerWithRealClients(t *testing.T) {
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
