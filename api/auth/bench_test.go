package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func BenchmarkValidate(b *testing.B) {
	v := newBenchValidator(b)
	tok := sign(b, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{
		"roles": []string{"admin"}, "permissions": []string{"users.create"}, "scope": "openid",
	}))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMiddleware(b *testing.B) {
	v := newBenchValidator(b)
	tok := sign(b, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"roles": []string{"admin"}}))
	h := v.Middleware(RequireRole("admin")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	req := httptest.NewRequest(http.MethodGet, "/api/admin/stats", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			b.Fatalf("status: got %d, want 204", rec.Code)
		}
	}
}

func newBenchValidator(b *testing.B) *Validator {
	b.Helper()
	v, _ := newServerValidator(b, Config{Now: func() time.Time { return fixedNow }}, jwk{key: testKeys[0], kid: "k0", alg: "RS256"})
	load(b, v)
	return v
}
