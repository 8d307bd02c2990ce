package mockidp_test

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// TestLogsHoldNoSecrets drives every failure path of the mock (bad client
// secrets by form, JSON and Basic, bad access keys, bad and good bearer
// tokens at userinfo, wrong admin tokens) and the success paths, with a
// debug-level logger, then scans the logs for every secret, token and
// private key it handled. Scope values and client IDs are not secrets: they
// may appear in logs.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	const admin = "admin-token-SECRET-4f1c"
	s, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), AdminToken: admin, PublicURL: "http://mockidp.test",
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pid := s.ProjectID()
	secrets := []string{admin, "admin-secret", "reader-secret", "tenant-secret", "bare-secret", "mock-access-key-secret",
		"wrong-secret-XYZ", "admin-secretX", "guessed-access-key-Q9"}
	var tokens []string

	do := func(method, path, contentType, authorization, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		return rec
	}
	form, js := "application/x-www-form-urlencoded", "application/json"
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	bad := []*httptest.ResponseRecorder{
		do("POST", "/oauth2/v1/token", form, "", "grant_type=client_credentials&client_id=admin-client&client_secret=wrong-secret-XYZ"),
		do("POST", "/oauth2/v1/token", form, "", "grant_type=client_credentials&client_id=nobody&client_secret=admin-secretX"),
		do("POST", "/oauth2/v1/token", js, "", `{"grant_type":"client_credentials","client_id":"admin-client","client_secret":"admin-secretX"}`),
		do("POST", "/oauth2/v1/token", form, basic("admin-client", "wrong-secret-XYZ"), "grant_type=client_credentials"),
		do("POST", "/oauth2/v1/token", form, basic("admin-client", "admin-secret"), "grant_type=client_credentials&client_secret=wrong-secret-XYZ"),
		do("POST", "/oauth2/v1/token", form, basic("admin-client", "admin-secret"), "grant_type=password"),
		do("POST", "/oauth2/v1/token", form, basic("admin-client", "admin-secret"), "grant_type=client_credentials&scope=not-a-scope"),
		do("POST", "/oauth2/v1/token", form, "Bearer wrong-secret-XYZ", "grant_type=client_credentials"),
		do("POST", "/v1/auth/accesskey/exchange", js, "Bearer "+pid+":guessed-access-key-Q9", `{}`),
		do("POST", "/v1/auth/accesskey/exchange", js, "Bearer guessed-access-key-Q9", `{}`),
		do("POST", "/v1/auth/accesskey/exchange", js, "Bearer "+pid+":mock-access-key-secret", `{"loginOptions":{"selectedTenant":"T-none"}}`),
		do("GET", "/_mock/keys", "", "Bearer wrong-secret-XYZ", ""),
		do("GET", "/_mock/keys", "", "Bearer "+admin+"X", ""),
	}
	for i, rec := range bad {
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("failure path %d: got status %d (%s), want a 4xx", i, rec.Code, rec.Body.Bytes())
		}
	}

	// Success paths: tokens, an exchange, a mint, userinfo with good and bad tokens.
	for _, c := range []struct{ id, secret string }{{"admin-client", "admin-secret"}, {"reader-client", "reader-secret"}} {
		rec := do("POST", "/oauth2/v1/token", form, basic(c.id, c.secret), "grant_type=client_credentials")
		if rec.Code != http.StatusOK {
			t.Fatalf("token for %s: got %d %s", c.id, rec.Code, rec.Body.Bytes())
		}
		for name, want := range map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"} {
			if got := rec.Header().Get(name); got != want {
				t.Errorf("token response: got %s %q, want %q", name, got, want)
			}
		}
		var resp mockidp.TokenResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, resp.AccessToken)
	}
	rec := do("POST", "/v1/auth/accesskey/exchange", js, "Bearer "+pid+":mock-access-key-secret", `{}`)
	var ex struct {
		SessionJwt string `json:"sessionJwt"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &ex) != nil || ex.SessionJwt == "" {
		t.Fatalf("access-key exchange: got %d %s", rec.Code, rec.Body.Bytes())
	}
	tokens = append(tokens, ex.SessionJwt)
	mint, err := s.Mint(mockidp.MintRequest{Preset: mockidp.PresetExpired})
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, mint.Token)
	for _, tok := range tokens {
		do("GET", "/oauth2/v1/userinfo", "", "Bearer "+tok, "")
		do("GET", "/oauth2/v1/userinfo", "", "Bearer "+tok+"x", "")
	}
	if rec := do("POST", "/_mock/clients", js, "Bearer "+admin, `{"id":"new-client","secret":"new-client-secret-77"}`); rec.Code != http.StatusCreated {
		t.Fatalf("adding a client: got %d %s", rec.Code, rec.Body.Bytes())
	} else if strings.Contains(rec.Body.String(), "new-client-secret-77") {
		t.Errorf("control plane echoed a client secret: %s", rec.Body.Bytes())
	}
	secrets = append(secrets, "new-client-secret-77")
	do("POST", "/oauth2/v1/token", form, basic("new-client", "new-client-secret-7"), "grant_type=client_credentials")

	// The request log the control plane serves is scanned with the logs.
	reqs := do("GET", "/_mock/requests", "", "Bearer "+admin, "")
	if reqs.Code != http.StatusOK {
		t.Fatalf("GET /_mock/requests: got %d", reqs.Code)
	}
	out := logs.String() + reqs.Body.String()
	if !strings.Contains(out, "level") {
		t.Fatalf("no logs were written; the scan would prove nothing")
	}
	for _, sec := range secrets {
		if strings.Contains(out, sec) {
			t.Errorf("logs contain the secret %q", sec)
		}
	}
	for _, tok := range tokens {
		sig := tok[strings.LastIndexByte(tok, '.')+1:]
		if strings.Contains(out, sig) || strings.Contains(out, tok[:strings.LastIndexByte(tok, '.')]) {
			t.Errorf("logs contain (part of) a token: %.20s…", tok)
		}
	}
	for _, key := range s.Keys().Published() {
		d := base64.RawURLEncoding.EncodeToString(key.Private.D.Bytes())
		if strings.Contains(out, d[:32]) || strings.Contains(out, "PRIVATE KEY") {
			t.Errorf("logs contain private key material of %s", key.ID)
		}
	}
}

// TestKeySetServesPublicHalvesOnly: no private RSA member is in any key set.
func TestKeySetServesPublicHalvesOnly(t *testing.T) {
	t.Parallel()
	s := newFuzzServer(t, "")
	if err := s.RotateKeys(3); err != nil {
		t.Fatal(err)
	}
	pid := s.ProjectID()
	for _, path := range []string{"/" + pid + "/.well-known/jwks.json", "/v2/keys/" + pid, "/v1/keys/" + pid} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var keys []map[string]any
		body := rec.Body.Bytes()
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal(body, &set); err == nil && set.Keys != nil {
			keys = set.Keys
		} else if err := json.Unmarshal(body, &keys); err != nil {
			t.Fatalf("GET %s: %d %s is not a key set", path, rec.Code, body)
		}
		if len(keys) != 4 {
			t.Errorf("GET %s: got %d keys, want 4", path, len(keys))
		}
		for _, k := range keys {
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
				if _, ok := k[private]; ok {
					t.Errorf("GET %s: key %v has the private member %q", path, k["kid"], private)
				}
			}
		}
	}
}
