package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// The Python example reads name and sub through its principal, where a
// list-valued claim is one claim per element (claims_count counts them so):
// name is the first element, and an empty list is no claim at all (null,
// "Not provided"), not the list's JSON text.
func TestListValuedIdentityClaims(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		raw         map[string]any
		me, profile string
	}{
		{"name list", map[string]any{"name": []any{"Ann", "Bob"}, "sub": "U1"},
			`{"authenticated":true,"authentication_type":"Bearer","name":"Ann","claims_count":3}`,
			`{"user_id":"U1","email":"Not provided"}`},
		{"empty name list", map[string]any{"name": []any{}, "sub": "U1"},
			`{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":1}`,
			`{"user_id":"U1","email":"Not provided"}`},
		{"sub list", map[string]any{"sub": []any{"U1", "U2"}, "email": []any{"a@example.com"}},
			`{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":3}`,
			`{"user_id":"U1","email":"a@example.com"}`},
		{"empty sub list falls back to client_id", map[string]any{"sub": []any{}, "client_id": "C1"},
			`{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":1}`,
			`{"user_id":"C1","email":"Not provided"}`},
		{"number name", map[string]any{"name": 42},
			`{"authenticated":true,"authentication_type":"Bearer","name":"42","claims_count":1}`,
			`{"user_id":"Not provided","email":"Not provided"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, fakeAuth{claims: &auth.Claims{Raw: tt.raw}})
			checkJSON(t, do(t, s, request{path: "/api/me"}), http.StatusOK, tt.me)
			checkJSON(t, do(t, s, request{path: "/api/profile"}), http.StatusOK, tt.profile)
		})
	}
}

// TestClaimCount: a list-valued claim counts as many claims as it has
// elements, on a payload decoded as api/auth decodes it (numbers as json.Number).
func TestClaimCount(t *testing.T) {
	t.Parallel()
	var raw map[string]any
	payload := `{"iss":"I","sub":"U1","iat":1,"exp":2,"name":"Ann","aud":["P2","other"],"roles":["a","b","c"],"permissions":[],"tenants":{"T1":{"roles":["x"]}}}`
	dec := json.NewDecoder(strings.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	// iss, sub, iat, exp, name, tenants: 6; aud 2, roles 3, permissions 0.
	if got, want := claimCount(raw), 11; got != want {
		t.Fatalf("claimCount: got %d, want %d", got, want)
	}
	if got := claimCount(nil); got != 0 {
		t.Fatalf("claimCount of no claims: got %d, want 0", got)
	}
}
