package api

import (
	"net/http"
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
