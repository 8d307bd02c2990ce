package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// fakeAuth is an Authenticator for tests that exercise the API without
// token validation: it stores fixed claims in every request's context.
type fakeAuth struct {
	claims *auth.Claims
	ready  bool
	// panics makes the middleware panic, to exercise recovery.
	panics bool
}

func (f fakeAuth) Ready() bool { return f.ready }

func (f fakeAuth) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.panics {
			panic("fake authenticator failure")
		}
		ctx := auth.WithErrorRenderer(r.Context(), AuthErrorRenderer(false))
		if f.claims != nil {
			ctx = auth.NewContext(ctx, f.claims)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// newTestServer builds the API around a.
func newTestServer(t testing.TB, a Authenticator) *Server {
	t.Helper()
	s, err := New(Config{Auth: a, ProjectID: "P2Test", DiscoveryURL: "http://127.0.0.1:1/P2Test/.well-known/openid-configuration"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// request is one call to the API.
type request struct {
	method string
	path   string
	token  string
	header map[string]string
}

// do serves req through h and returns the recorded response.
func do(t testing.TB, h http.Handler, req request) *httptest.ResponseRecorder {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequest(method, req.path, nil)
	if req.token != "" {
		r.Header.Set("Authorization", "Bearer "+req.token)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// checkJSON fails unless the response has status wantStatus, the API's JSON
// headers and a body equal (as JSON) to wantBody.
func checkJSON(t testing.TB, w *httptest.ResponseRecorder, wantStatus int, wantBody string) {
	t.Helper()
	if w.Code != wantStatus {
		t.Errorf("status: got %d, want %d (body %s)", w.Code, wantStatus, w.Body.String())
	}
	if got := w.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", got)
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	var got, want any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, w.Body.String())
	}
	if err := json.Unmarshal([]byte(wantBody), &want); err != nil {
		t.Fatalf("bad wantBody %q: %v", wantBody, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body:\n got %s\nwant %s", strings.TrimSpace(w.Body.String()), wantBody)
	}
}

// decode unmarshals the response body into a generic map.
func decode(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, w.Body.String())
	}
	return m
}
