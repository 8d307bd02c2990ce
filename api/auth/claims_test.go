package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestValidateResultIsTheCallers: many handlers receive the claims of the
// same cached token at once and each changes everything it got (Raw and
// its nested maps and lists, every slice, the Tenants map); under -race
// none of it is shared, and a later validation still sees the token's
// original claims.
func TestValidateResultIsTheCallers(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{})
	tok := sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{
		"roles": []string{"admin"}, "permissions": []string{"p"}, "scope": "openid", "dct": "T1", "name": "Ann",
		"tenants": map[string]any{"T1": map[string]any{"roles": []string{"r"}, "permissions": []string{"tp"}}},
	}))
	want, err := v.Validate(t.Context(), tok) // the full verification; the token is now cached
	if err != nil {
		t.Fatal(err)
	}
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := FromContext(r.Context())
		c.Subject = "mallory"
		c.Raw["sub"] = "mallory"
		c.Raw["aud"].([]any)[0] = "mallory"
		c.Raw["tenants"].(map[string]any)["T1"].(map[string]any)["roles"] = "mallory"
		c.Audience[0] = "mallory"
		c.Roles[0] = "mallory"
		c.Permissions = append(c.Permissions[:0], "mallory")
		c.Scopes[0] = "mallory"
		c.Tenants["T1"].Roles[0] = "mallory"
		c.Tenants["T2"] = Tenant{}
		w.WriteHeader(http.StatusNoContent)
	}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusNoContent {
					t.Errorf("got %d, want 204", rec.Code)
				}
			}
		})
	}
	wg.Wait()
	got, err := v.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after handlers changed their claims: got %+v, want %+v", got, want)
	}
}
