package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/descope-harness/harness/mockidp"
)

// A token from the mock's /oauth2/v1/token, fetched by a stock OAuth2
// client, is accepted by the API served on loopback.
func TestTokenFromTokenEndpointAccepted(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	apiServer := httptest.NewServer(st.server)
	t.Cleanup(apiServer.Close)

	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, st.mock.Client())
	cc := clientcredentials.Config{
		ClientID: "admin-client", ClientSecret: "admin-secret",
		TokenURL: st.mock.TokenURL(), Scopes: []string{"openid", "profile", "email"},
	}
	client := cc.Client(ctx)
	resp, err := client.Get(apiServer.URL + "/api/me")
	if err != nil {
		t.Fatalf("GET /api/me: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/me: got %d %s, want 200", resp.StatusCode, body)
	}
	var me struct {
		Authenticated bool    `json:"authenticated"`
		Name          *string `json:"name"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		t.Fatalf("decoding /api/me: %v", err)
	}
	if !me.Authenticated || me.Name == nil || *me.Name != "Admin Client" {
		t.Errorf("/api/me: got %s, want authenticated Admin Client", body)
	}
	if got := st.mock.RequestCount("token"); got != 1 {
		t.Errorf("token endpoint requests: got %d, want 1", got)
	}
}

// After the issuer rotates its key, a token signed by the new key is
// accepted at the cost of exactly one more key-set fetch; tokens of the
// previous key keep working.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	old := st.mock.Token("admin-client")
	checkStatus(t, st, old, http.StatusOK)
	before := st.mock.RequestCount("jwks")
	if before != 1 {
		t.Fatalf("key-set fetches after the first request: got %d, want 1", before)
	}

	if err := st.mock.RotateKeys(1); err != nil {
		t.Fatalf("RotateKeys: %v", err)
	}
	fresh := st.mock.Token("admin-client")
	if kid(t, fresh) == kid(t, old) {
		t.Fatalf("kid after rotation: got the old %q, want a new one", kid(t, old))
	}
	checkStatus(t, st, fresh, http.StatusOK)
	checkStatus(t, st, fresh, http.StatusOK)
	checkStatus(t, st, old, http.StatusOK)
	if got := st.mock.RequestCount("jwks"); got != before+1 {
		t.Errorf("key-set fetches after rotation: got %d, want %d", got, before+1)
	}
}

// A key revoked at the issuer stops verifying once the API sees the new key
// set (here: the refetch a token of the replacement key triggers).
func TestRevokedKeyRefused(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	revoked := st.mock.Token("admin-client")
	checkStatus(t, st, revoked, http.StatusOK)

	if err := st.mock.RevokeKey(kid(t, revoked)); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	replacement := st.mock.Token("admin-client")
	checkStatus(t, st, replacement, http.StatusOK)
	w := do(t, st.server, request{path: "/api/me", token: revoked})
	checkJSON(t, w, http.StatusUnauthorized, `{"detail":"Invalid or unauthorized token"}`)
}

// With the provider down and nothing cached, protected paths answer 503;
// public ones keep working; once the provider is back the API recovers by
// itself.
func TestProviderDownThenRecovers(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	if err := st.mock.InjectFault(mockidp.Fault{Endpoint: "discovery", Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}
	token := st.mock.Token("admin-client")

	w := do(t, st.server, request{path: "/api/me", token: token})
	checkJSON(t, w, http.StatusServiceUnavailable, `{"detail":"Authentication temporarily unavailable"}`)
	if got := w.Header().Get("WWW-Authenticate"); got != "" {
		t.Errorf("WWW-Authenticate on 503: got %q, want none", got)
	}
	checkJSON(t, do(t, st.server, request{path: "/health"}), 200, `{"status":"healthy","provider":"descope"}`)
	checkJSON(t, do(t, st.server, request{path: "/ready"}), 503, `{"status":"not ready"}`)
	// Without a token it is still a 401: the header is checked first.
	checkJSON(t, do(t, st.server, request{path: "/api/me"}), 401, `{"detail":"Missing Authorization header"}`)

	st.mock.ClearFaults("discovery")
	st.mock.Advance(time.Minute) // past the bootstrap cooldown, on the shared clock
	token = st.mock.Token("admin-client")
	checkStatus(t, st, token, http.StatusOK)
	checkJSON(t, do(t, st.server, request{path: "/ready"}), 200, `{"status":"ready"}`)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	checkStatus(t, st, st.mock.Token("admin-client"), http.StatusOK)
	do(t, st.server, request{path: "/api/users/7", method: "DELETE", token: st.mock.Token("reader-client")})
	do(t, st.server, request{path: "/api/me", token: "garbage"})
	do(t, st.server, request{path: "/no/such/path"})

	body := do(t, st.server, request{path: "/metrics"}).Body.String()
	for _, want := range []string{
		`api_http_requests_total{code="200",method="GET",route="/api/me"} 1`,
		`api_http_requests_total{code="403",method="DELETE",route="/api/users/{user_id}"} 1`,
		`api_http_requests_total{code="401",method="GET",route="unmatched"} 1`,
		`api_http_request_duration_seconds_count{method="GET",route="/api/me"} 2`,
		`auth_failures_total{reason="malformed"} 1`,
		`auth_failures_total{reason="missing_header"} 1`,
		`jwks_fetches_total{outcome="success"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics: missing %q", want)
		}
	}
}

// checkStatus GETs /api/me with token and checks the status.
func checkStatus(t *testing.T, st *stack, token string, want int) {
	t.Helper()
	w := do(t, st.server, request{path: "/api/me", token: token})
	if w.Code != want {
		t.Fatalf("GET /api/me: got %d %s, want %d", w.Code, w.Body.String(), want)
	}
}
