package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkAuthenticatedRequest is the whole API path for one valid token:
// request ID, metrics, access log (discarded), recovery, token validation
// (signature, claims), routing, handler and JSON rendering.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	st := startStack(b)
	token := st.mock.Token("admin-client")
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if w := httptest.NewRecorder(); func() int { st.server.ServeHTTP(w, req); return w.Code }() != http.StatusOK {
		b.Fatalf("warm-up: got %d, want 200", w.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		st.server.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d, want 200", w.Code)
		}
	}
}

// BenchmarkBareHandler is the floor: a net/http handler writing fixed JSON.
func BenchmarkBareHandler(b *testing.B) {
	body := []byte(`{"authenticated":true,"authentication_type":"Bearer","name":"Admin Client","claims_count":15}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d, want 200", w.Code)
		}
	}
}

// BenchmarkRejectedRequest is the whole API path for a garbage bearer
// token: the 401 is written before routing, so metrics and the access log
// find the route afterwards.
func BenchmarkRejectedRequest(b *testing.B) {
	st := startStack(b)
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		st.server.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			b.Fatalf("got %d, want 401", w.Code)
		}
	}
}
