package api

import (
	"net/http"
	"reflect"
	"testing"
)

const (
	forbiddenAdmin  = `{"error":"Missing required Descope role: admin","status_code":403}`
	forbiddenCreate = `{"error":"Missing required Descope permission: users.create","status_code":403}`
	forbiddenDelete = `{"error":"Missing required Descope permission: users.delete","status_code":403}`
	forbiddenScope  = `{"error":"Required scope 'openid' not found","status_code":403}`
	noTenants       = `{"current_tenant":null,"tenants":{}}`

	adminUsers = `{"message":"Admin access granted","users":[{"id":1,"name":"User 1"},{"id":2,"name":"User 2"}]}`
	adminStats = `{"total_users":42,"active_sessions":15,"requests_today":1337}`
	created    = `{"message":"User creation permitted","user":{"name":"Ann","email":"ann@example.com"}}`
	deleted    = `{"message":"User 42 deleted successfully","deleted_by":"admin"}`
	data       = `{"data":[{"id":1,"name":"Item 1"},{"id":2,"name":"Item 2"},{"id":3,"name":"Item 3"}]}`
)

// outcome is the expected status and body of one endpoint for one client.
type outcome struct {
	status int
	body   string
}

// Every endpoint's status and body for each fixture client's token from the
// mock issuer (see fixtures/project.yaml for what each client carries).
func TestEndpointsPerClient(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	endpoints := []struct {
		method string
		path   string
	}{
		{"GET", "/api/me"}, {"GET", "/api/profile"}, {"GET", "/api/descope/roles"}, {"GET", "/api/descope/permissions"},
		{"GET", "/api/descope/tenants"}, {"GET", "/api/admin/users"}, {"GET", "/api/admin/stats"},
		{"POST", "/api/users?name=Ann&email=ann@example.com"}, {"DELETE", "/api/users/42"}, {"GET", "/api/data"},
	}
	tests := []struct {
		client string
		want   []outcome // in the order of endpoints
	}{
		{"admin-client", []outcome{
			{200, `{"authenticated":true,"authentication_type":"Bearer","name":"Admin Client","claims_count":15}`},
			{200, `{"user_id":"admin-client","email":"admin@example.com"}`},
			{200, `{"roles":["admin","user"]}`},
			{200, `{"permissions":["users.create","users.delete","data.read"]}`},
			{200, noTenants},
			{200, adminUsers}, {200, adminStats}, {200, created}, {200, deleted}, {200, data},
		}},
		{"reader-client", []outcome{
			{200, `{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":10}`},
			{200, `{"user_id":"reader-client","email":"Not provided"}`},
			{200, `{"roles":["viewer"]}`},
			{200, `{"permissions":["data.read"]}`},
			{200, noTenants},
			{403, forbiddenAdmin}, {403, forbiddenAdmin}, {403, forbiddenCreate}, {403, forbiddenDelete}, {200, data},
		}},
		{"tenant-client", []outcome{
			{200, `{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":10}`},
			{200, `{"user_id":"tenant-client","email":"Not provided"}`},
			{200, `{"roles":["admin","tenant-admin"]}`},
			{200, `{"permissions":["users.create","data.read"]}`},
			{200, `{"current_tenant":"T2MockTenantAcme000000000001","tenants":{
				"T2MockTenantAcme000000000001":{"roles":["admin","tenant-admin"],"permissions":["users.create","data.read"]},
				"T2MockTenantGlobex0000000002":{"roles":["viewer"],"permissions":["data.read"]}}}`},
			{200, adminUsers}, {200, adminStats}, {200, created}, {403, forbiddenDelete}, {200, data},
		}},
		{"bare-client", []outcome{
			{200, `{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":7}`},
			{200, `{"user_id":"bare-client","email":"Not provided"}`},
			{200, `{"roles":[]}`},
			{200, `{"permissions":[]}`},
			{200, noTenants},
			{403, forbiddenAdmin}, {403, forbiddenAdmin}, {403, forbiddenCreate}, {403, forbiddenDelete}, {403, forbiddenScope},
		}},
	}
	for _, tt := range tests {
		token := st.mock.Token(tt.client)
		for i, ep := range endpoints {
			t.Run(tt.client+" "+ep.method+" "+ep.path, func(t *testing.T) {
				t.Parallel()
				w := do(t, st.server, request{method: ep.method, path: ep.path, token: token})
				checkJSON(t, w, tt.want[i].status, tt.want[i].body)
				wantChallenge := ""
				if tt.want[i].body == forbiddenScope {
					wantChallenge = `Bearer realm="api", error="insufficient_scope", scope="openid"`
				}
				if got := w.Header().Get("WWW-Authenticate"); got != wantChallenge {
					t.Errorf("WWW-Authenticate: got %q, want %q", got, wantChallenge)
				}
			})
		}
		t.Run(tt.client+" claims and token info", func(t *testing.T) {
			t.Parallel()
			w := do(t, st.server, request{path: "/api/claims", token: token})
			checkJSON(t, w, http.StatusOK, mustJSON(t, map[string]any{"claims": payload(t, token)}))
			info := decode(t, do(t, st.server, request{path: "/api/token-info", token: token}))
			want := map[string]any{"token_length": float64(len(token)), "token_preview": token[:20] + "..." + token[len(token)-20:]}
			if !reflect.DeepEqual(info, want) {
				t.Errorf("token-info: got %v, want %v", info, want)
			}
		})
	}
}

// Every token failure is the same 401: no oracle for an attacker.
func TestTokenFailuresAreUniform(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	// Load keys first, so unknown-kid tokens exercise the refetch path.
	checkJSON(t, do(t, st.server, request{path: "/health"}), 200, `{"status":"healthy","provider":"descope"}`)
	if w := do(t, st.server, request{path: "/api/me", token: st.mock.Token("admin-client")}); w.Code != 200 {
		t.Fatalf("warm-up: got %d, want 200", w.Code)
	}
	tokens := map[string]string{
		"not a JWT":        "invalid.jwt.token",
		"garbage":          "invalid-token-123",
		"truncated":        st.mock.Token("admin-client")[:100],
		"id token as JSON": `{"sub":"x"}`,
	}
	for _, preset := range []string{"expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "unpublished_key",
		"unknown_kid", "bad_signature", "alg_none", "hs256_public_key", "missing_exp"} {
		tokens[preset] = st.mock.MustMint(mintPreset("admin-client", preset))
	}
	for name, token := range tokens {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/api/me", "/api/admin/users", "/api/unknown"} {
				w := do(t, st.server, request{path: path, token: token})
				checkJSON(t, w, http.StatusUnauthorized, `{"detail":"Invalid or unauthorized token"}`)
				if got, want := w.Header().Get("WWW-Authenticate"), `Bearer realm="api", error="invalid_token"`; got != want {
					t.Errorf("WWW-Authenticate: got %q, want %q", got, want)
				}
			}
		})
	}
}

// With a valid token, unknown paths and wrong methods are revealed as such.
func TestNotFoundWithMockToken(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	token := st.mock.Token("reader-client")
	checkJSON(t, do(t, st.server, request{path: "/api/unknown", token: token}), 404, `{"detail":"Not Found"}`)
	checkJSON(t, do(t, st.server, request{method: "PATCH", path: "/api/me", token: token}), 405, `{"detail":"Method Not Allowed"}`)
	// Without a token the same paths are 401s.
	checkJSON(t, do(t, st.server, request{path: "/api/unknown"}), 401, `{"detail":"Missing Authorization header"}`)
	checkJSON(t, do(t, st.server, request{method: "PATCH", path: "/api/me"}), 401, `{"detail":"Missing Authorization header"}`)
}
