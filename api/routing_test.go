package api

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
)

// unstartedValidator is a real validator whose provider is unreachable and
// which was never started: it has no keys.
func unstartedValidator(t testing.TB) *auth.Validator {
	t.Helper()
	v, err := auth.New(auth.Config{
		DiscoveryURL:  "http://127.0.0.1:1/P2Test/.well-known/openid-configuration",
		Audience:      "P2Test",
		ErrorRenderer: AuthErrorRenderer(false),
	})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return v
}

func TestPublicEndpoints(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, unstartedValidator(t))
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string
	}{
		{"root", "/", 200, `{"message":"Descope FastAPI Example","descope_project_id":"P2Test",
			"discovery_url":"http://127.0.0.1:1/P2Test/.well-known/openid-configuration","docs":"/docs",
			"authentication":"Bearer token required for protected endpoints"}`},
		{"health", "/health", 200, `{"status":"healthy","provider":"descope"}`},
		{"ready without keys", "/ready", 503, `{"status":"not ready"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkJSON(t, do(t, s, request{path: tt.path}), tt.wantStatus, tt.wantBody)
		})
	}
}

func TestReadyWithKeys(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{ready: true})
	checkJSON(t, do(t, s, request{path: "/ready"}), 200, `{"status":"ready"}`)
}

func TestNotReadyHasRetryAfter(t *testing.T) {
	t.Parallel()
	w := do(t, newTestServer(t, fakeAuth{}), request{path: "/ready"})
	if got := w.Header().Get("Retry-After"); got == "" {
		t.Errorf("Retry-After: got none, want a value on 503")
	}
}

func TestPublicNonJSONEndpoints(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, unstartedValidator(t))
	tests := []struct {
		name            string
		path            string
		wantContentType string
		wantContains    string
	}{
		{"docs page", "/docs", "text/html; charset=utf-8", `/docs/assets/swagger-ui-bundle.js`},
		{"swagger bundle", "/docs/assets/swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle"},
		{"swagger css", "/docs/assets/swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui"},
		{"init script", "/docs/assets/init.js", "text/javascript; charset=utf-8", `"/openapi.json"`},
		{"licence", "/docs/assets/LICENSE", "text/plain; charset=utf-8", "Apache License"},
		{"openapi", "/openapi.json", "application/json", `"openapi":"3.1.0"`},
		{"metrics", "/metrics", "text/plain", "api_http_requests_in_flight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(t, s, request{path: tt.path})
			if w.Code != http.StatusOK {
				t.Fatalf("status: got %d, want 200 (body %.200s)", w.Code, w.Body.String())
			}
			if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, tt.wantContentType) {
				t.Errorf("Content-Type: got %q, want prefix %q", got, tt.wantContentType)
			}
			if !strings.Contains(w.Body.String(), tt.wantContains) {
				t.Errorf("body does not contain %q", tt.wantContains)
			}
		})
	}
}

func TestDocsPageHasContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	w := do(t, newTestServer(t, fakeAuth{}), request{path: "/docs"})
	if got := w.Header().Get("Content-Security-Policy"); !strings.Contains(got, "script-src 'self'") {
		t.Errorf("Content-Security-Policy: got %q, want script-src 'self'", got)
	}
}

func TestDocsAssetConditionalRequest(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{})
	first := do(t, s, request{path: "/docs/assets/swagger-ui.css"})
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("ETag: got none, want one")
	}
	again := do(t, s, request{path: "/docs/assets/swagger-ui.css", header: map[string]string{"If-None-Match": etag}})
	if again.Code != http.StatusNotModified {
		t.Errorf("status with If-None-Match: got %d, want 304", again.Code)
	}
}

// Authentication runs before routing: without a token, every path that is
// not public is a 401, known or not.
func TestAuthenticationBeforeRouting(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, unstartedValidator(t))
	const (
		missing       = `{"detail":"Missing Authorization header"}`
		invalidFormat = `{"detail":"Invalid Authorization header format. Expected: Bearer <token>"}`
	)
	tests := []struct {
		name          string
		method        string
		path          string
		authorization string
		wantBody      string
		wantChallenge string
	}{
		{"me", "GET", "/api/me", "", missing, `Bearer realm="api"`},
		{"admin users", "GET", "/api/admin/users", "", missing, `Bearer realm="api"`},
		{"create user", "POST", "/api/users?name=a&email=b", "", missing, `Bearer realm="api"`},
		{"delete user", "DELETE", "/api/users/7", "", missing, `Bearer realm="api"`},
		{"data", "GET", "/api/data", "", missing, `Bearer realm="api"`},
		{"tenants", "GET", "/api/descope/tenants", "", missing, `Bearer realm="api"`},
		{"unknown path", "GET", "/api/nope", "", missing, `Bearer realm="api"`},
		{"unknown top-level path", "GET", "/admin", "", missing, `Bearer realm="api"`},
		{"wrong method on protected path", "PUT", "/api/me", "", missing, `Bearer realm="api"`},
		{"unknown docs asset", "GET", "/docs/assets/secret.js", "", missing, `Bearer realm="api"`},
		{"docs with slash", "GET", "/docs/", "", missing, `Bearer realm="api"`},
		{"unclean public path", "GET", "//health", "", missing, `Bearer realm="api"`},
		{"dot segment to protected", "GET", "/docs/assets/../../api/me", "", missing, `Bearer realm="api"`},
		{"empty header", "GET", "/api/me", " ", missing, `Bearer realm="api"`},
		{"other scheme", "GET", "/api/me", "Token abc", invalidFormat, `Bearer realm="api", error="invalid_request"`},
		{"bearer without token", "GET", "/api/me", "Bearer", invalidFormat, `Bearer realm="api", error="invalid_request"`},
		{"three parts", "GET", "/api/me", "Bearer a b", invalidFormat, `Bearer realm="api", error="invalid_request"`},
		{"basic", "GET", "/nope", "Basic dXNlcjpwYXNz", invalidFormat, `Bearer realm="api", error="invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := request{method: tt.method, path: tt.path}
			if tt.authorization != "" {
				req.header = map[string]string{"Authorization": tt.authorization}
			}
			w := do(t, s, req)
			checkJSON(t, w, http.StatusUnauthorized, tt.wantBody)
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate: got %q, want %q", got, tt.wantChallenge)
			}
		})
	}
}

func TestNotFoundAndMethodNotAllowedWithToken(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{claims: &auth.Claims{Raw: map[string]any{"sub": "x"}}})
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   string
		wantAllow  string
	}{
		{"unknown path", "GET", "/api/nope", 404, `{"detail":"Not Found"}`, ""},
		{"unknown root path", "GET", "/nope", 404, `{"detail":"Not Found"}`, ""},
		{"trailing slash", "GET", "/api/me/", 404, `{"detail":"Not Found"}`, ""},
		{"unclean path", "GET", "//api/me", 404, `{"detail":"Not Found"}`, ""},
		{"delete without id", "DELETE", "/api/users/", 404, `{"detail":"Not Found"}`, ""},
		{"post to get route", "POST", "/api/me", 405, `{"detail":"Method Not Allowed"}`, "GET, HEAD"},
		{"get on post route", "GET", "/api/users", 405, `{"detail":"Method Not Allowed"}`, "POST"},
		{"put on delete route", "PUT", "/api/users/1", 405, `{"detail":"Method Not Allowed"}`, "DELETE"},
		{"post on public route", "POST", "/health", 405, `{"detail":"Method Not Allowed"}`, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(t, s, request{method: tt.method, path: tt.path})
			checkJSON(t, w, tt.wantStatus, tt.wantBody)
			if got := w.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow: got %q, want %q", got, tt.wantAllow)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != "" {
				t.Errorf("WWW-Authenticate: got %q, want none", got)
			}
		})
	}
}

func TestHeadOnGetRoutes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{claims: &auth.Claims{Raw: map[string]any{"sub": "x"}}})
	for _, path := range []string{"/", "/health", "/api/me"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			w := do(t, s, request{method: http.MethodHead, path: path})
			if w.Code != http.StatusOK {
				t.Errorf("HEAD %s: got %d, want 200", path, w.Code)
			}
		})
	}
}

func TestCreateUserQueryValidation(t *testing.T) {
	t.Parallel()
	withPermission := newTestServer(t, fakeAuth{claims: &auth.Claims{
		Raw: map[string]any{"sub": "x"}, Permissions: []string{"users.create"}}})
	withoutPermission := newTestServer(t, fakeAuth{claims: &auth.Claims{
		Raw: map[string]any{"sub": "x"}, Permissions: []string{"users.delete"}}})
	tests := []struct {
		name       string
		server     *Server
		path       string
		wantStatus int
		wantBody   string
	}{
		{"both missing", withPermission, "/api/users", 422,
			`{"detail":[{"type":"missing","loc":["query","name"],"msg":"Field required"},` +
				`{"type":"missing","loc":["query","email"],"msg":"Field required"}]}`},
		{"name missing", withPermission, "/api/users?email=a@example.com", 422,
			`{"detail":[{"type":"missing","loc":["query","name"],"msg":"Field required"}]}`},
		{"email missing", withPermission, "/api/users?name=Ann", 422,
			`{"detail":[{"type":"missing","loc":["query","email"],"msg":"Field required"}]}`},
		{"both given", withPermission, "/api/users?name=Ann&email=a@example.com", 200,
			`{"message":"User creation permitted","user":{"name":"Ann","email":"a@example.com"}}`},
		{"empty values count as given", withPermission, "/api/users?name=&email=", 200,
			`{"message":"User creation permitted","user":{"name":"","email":""}}`},
		{"escaped values", withPermission, "/api/users?name=Ann%20Lee&email=a%2Bb@example.com", 200,
			`{"message":"User creation permitted","user":{"name":"Ann Lee","email":"a+b@example.com"}}`},
		{"permission checked before the query", withoutPermission, "/api/users", 403,
			`{"error":"Missing required Descope permission: users.create","status_code":403}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkJSON(t, do(t, tt.server, request{method: http.MethodPost, path: tt.path}), tt.wantStatus, tt.wantBody)
		})
	}
}

func TestInternalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth Authenticator
	}{
		{"panic below the recover middleware", fakeAuth{panics: true}},
		{"protected handler without claims", fakeAuth{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(t, newTestServer(t, tt.auth), request{path: "/api/me"})
			checkJSON(t, w, http.StatusInternalServerError, `{"detail":"Internal server error"}`)
			if got := w.Header().Get(RequestIDHeader); got == "" {
				t.Errorf("%s: got none, want the request ID on a 500 too", RequestIDHeader)
			}
		})
	}
}

var generatedRequestID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, fakeAuth{})
	tests := []struct {
		name     string
		incoming string
		wantEcho bool
	}{
		{"absent", "", false},
		{"sane", "req-42_a.b:c", true},
		{"with space", "req 42", false},
		{"with quote", `req"42`, false},
		{"too long", strings.Repeat("a", 129), false},
		{"longest accepted", strings.Repeat("a", 128), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := request{path: "/health"}
			if tt.incoming != "" {
				req.header = map[string]string{RequestIDHeader: tt.incoming}
			}
			got := do(t, s, req).Header().Get(RequestIDHeader)
			switch {
			case tt.wantEcho && got != tt.incoming:
				t.Errorf("request ID: got %q, want the incoming %q", got, tt.incoming)
			case !tt.wantEcho && !generatedRequestID.MatchString(got):
				t.Errorf("request ID: got %q, want a generated 32-hex ID", got)
			}
		})
	}
}

func TestNewRequiresAuth(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); err == nil {
		t.Error("New without Auth: got nil error, want one")
	}
}
