package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// Handler bodies for hand-built claims: the shapes the mock does not issue
// (string roles, no name, no email, no sub) and the tenant endpoint.
func TestHandlersWithSyntheticClaims(t *testing.T) {
	t.Parallel()
	token := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	full := &auth.Claims{
		Token: token,
		Raw: map[string]any{
			"sub": "user-1", "client_id": "client-1", "name": "Ann", "email": "ann@example.com",
			"aud": []any{"P2Test"}, "roles": []any{"admin", "user"}, "exp": json.Number("1700000000"),
			"tenants": map[string]any{"T1": map[string]any{"roles": []any{"owner"}}},
		},
		Roles: []string{"admin", "user"}, Permissions: []string{"users.create"},
		CurrentTenant: "T1",
		Tenants: map[string]auth.Tenant{
			"T1": {Roles: []string{"owner"}, Permissions: []string{"projects.read"}},
			"T2": {Roles: []string{"viewer"}},
		},
	}
	bare := &auth.Claims{Token: "abc", Raw: map[string]any{"client_id": "client-9", "name": json.Number("7"), "roles": []any{}}}
	empty := &auth.Claims{Token: "abc", Raw: map[string]any{"sub": ""}}

	tests := []struct {
		name     string
		claims   *auth.Claims
		method   string
		path     string
		wantBody string
	}{
		{"me", full, "GET", "/api/me",
			`{"authenticated":true,"authentication_type":"Bearer","name":"Ann","claims_count":9}`},
		{"me without name, empty list counts zero", bare, "GET", "/api/me",
			`{"authenticated":true,"authentication_type":"Bearer","name":"7","claims_count":2}`},
		{"me with no name claim", empty, "GET", "/api/me",
			`{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":1}`},
		{"claims verbatim", full, "GET", "/api/claims",
			`{"claims":{"sub":"user-1","client_id":"client-1","name":"Ann","email":"ann@example.com","aud":["P2Test"],
			"roles":["admin","user"],"exp":1700000000,"tenants":{"T1":{"roles":["owner"]}}}}`},
		{"token info", full, "GET", "/api/token-info",
			`{"token_length":76,"token_preview":"eyJhbGciOiJSUzI1NiJ9...hdHVyZS1zaWduYXR1cmU"}`},
		{"token info of a short token", bare, "GET", "/api/token-info", `{"token_length":3,"token_preview":"abc...abc"}`},
		{"profile", full, "GET", "/api/profile", `{"user_id":"user-1","email":"ann@example.com"}`},
		{"profile falls back to client_id", bare, "GET", "/api/profile", `{"user_id":"client-9","email":"Not provided"}`},
		{"profile with nothing", empty, "GET", "/api/profile", `{"user_id":"Not provided","email":"Not provided"}`},
		{"roles include the current tenant's", full, "GET", "/api/descope/roles", `{"roles":["admin","user","owner"]}`},
		{"no roles is an empty list", bare, "GET", "/api/descope/roles", `{"roles":[]}`},
		{"permissions include the current tenant's", full, "GET", "/api/descope/permissions",
			`{"permissions":["users.create","projects.read"]}`},
		{"no permissions is an empty list", bare, "GET", "/api/descope/permissions", `{"permissions":[]}`},
		{"tenants", full, "GET", "/api/descope/tenants", `{"current_tenant":"T1","tenants":{
			"T1":{"roles":["owner"],"permissions":["projects.read"]},"T2":{"roles":["viewer"],"permissions":[]}}}`},
		{"no tenants", bare, "GET", "/api/descope/tenants", `{"current_tenant":null,"tenants":{}}`},
		{"delete user", &auth.Claims{Raw: map[string]any{}, Permissions: []string{"users.delete"}}, "DELETE", "/api/users/abc-42",
			`{"message":"User abc-42 deleted successfully","deleted_by":"admin"}`},
		{"data via scp list", &auth.Claims{Raw: map[string]any{}, Scopes: []string{"openid"}}, "GET", "/api/data",
			`{"data":[{"id":1,"name":"Item 1"},{"id":2,"name":"Item 2"},{"id":3,"name":"Item 3"}]}`},
		{"admin via the current tenant", &auth.Claims{Raw: map[string]any{}, CurrentTenant: "T1",
			Tenants: map[string]auth.Tenant{"T1": {Roles: []string{"admin"}}}}, "GET", "/api/admin/stats",
			`{"total_users":42,"active_sessions":15,"requests_today":1337}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, fakeAuth{claims: tt.claims})
			checkJSON(t, do(t, s, request{method: tt.method, path: tt.path}), http.StatusOK, tt.wantBody)
		})
	}
}

func TestTokenPreview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"long", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "abcdefghijklmnopqrst...0123456789ABCDEFGHIJ"},
		{"exactly 20", "abcdefghijklmnopqrst", "abcdefghijklmnopqrst...abcdefghijklmnopqrst"},
		{"21 overlaps like Python slices", "abcdefghijklmnopqrstu", "abcdefghijklmnopqrst...bcdefghijklmnopqrstu"},
		{"empty", "", "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tokenPreview(tt.token); got != tt.want {
				t.Errorf("tokenPreview(%q): got %q, want %q", tt.token, got, tt.want)
			}
		})
	}
}
