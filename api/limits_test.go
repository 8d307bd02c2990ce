package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// TestOversizedTokenIsTooLarge: a validly signed bearer token over the
// validator's limit (here 16 KiB: the mock mints no token over the default
// 32 KiB) is refused with its own reason, token too large (401, uniform
// body; the reason in detail mode), on every protected path, and never
// reaches a handler; one under the limit is accepted. The contract and
// suites/security fix 401 here, not 431.
func TestOversizedTokenIsTooLarge(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	good := m.Token("admin-client")
	const limit = 16 << 10
	for _, detail := range []bool{false, true} {
		v, err := auth.New(auth.Config{DiscoveryURL: m.DiscoveryURL(), Audience: m.ProjectID(), HTTPClient: m.Client(),
			MaxTokenBytes: limit, ErrorRenderer: AuthErrorRenderer(detail)})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Config{Auth: v, ProjectID: m.ProjectID()})
		if err != nil {
			t.Fatal(err)
		}
		if w := do(t, s, request{path: "/api/me", token: good}); w.Code != http.StatusOK {
			t.Fatalf("a valid token: got %d %s, want 200", w.Code, w.Body.String())
		}
		want := `{"detail":"Invalid or unauthorized token"}`
		if detail {
			want = `{"detail":"Token validation failed: token too large"}`
		}
		under := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Claims: map[string]any{"pad": strings.Repeat("A", 10<<10)}})
		if len(under) <= 8<<10 || len(under) > limit {
			t.Fatalf("padded token is %d bytes, want between 8 and 16 KiB", len(under))
		}
		if w := do(t, s, request{path: "/api/me", token: under}); w.Code != http.StatusOK {
			t.Errorf("a %d-byte token: got %d %s, want 200", len(under), w.Code, w.Body.String())
		}
		for _, pad := range []int{13 << 10, 20 << 10} {
			// Validly signed: only its size is wrong.
			big := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Claims: map[string]any{"pad": strings.Repeat("A", pad)}})
			if len(big) <= limit {
				t.Fatalf("padded token is %d bytes, want over 16 KiB", len(big))
			}
			for _, path := range []string{"/api/me", "/api/admin/users", "/api/nope"} {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				r.Header.Set("Authorization", "Bearer "+big)
				w := httptest.NewRecorder()
				s.ServeHTTP(w, r)
				checkJSON(t, w, http.StatusUnauthorized, want)
				if got := w.Header().Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
					t.Errorf("%d-byte token at %s: got WWW-Authenticate %q, want invalid_token", len(big), path, got)
				}
			}
		}
	}
}
