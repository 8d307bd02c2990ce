package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/internal/servertest"
	jose "github.com/go-jose/go-jose/v4"
)

const (
	wantMissing     = `{"error":"invalid_request","error_description":"missing authorization header"}`
	wantInvalidHdr  = `{"error":"invalid_request","error_description":"invalid authorization header format"}`
	wantInvalidTok  = `{"error":"invalid_token","error_description":"invalid or unauthorized token"}`
	wantUnavailable = `{"error":"temporarily_unavailable","error_description":"authentication keys unavailable"}`
	wantInternal    = `{"error":"server_error","error_description":"internal error"}`
)

// echoSubject is the protected handler: it reports the subject from the context.
var echoSubject = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	c, ok := FromContext(r.Context())
	if !ok {
		http.Error(w, "no claims", http.StatusTeapot)
		return
	}
	fmt.Fprint(w, "hello "+c.Subject)
})

type response struct {
	status          int
	body            string
	wwwAuthenticate string
}

func serve(h http.Handler, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	for _, v := range headers {
		req.Header.Add("Authorization", v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkResponse asserts status, body, challenge and the headers every auth response carries.
func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, want response) {
	t.Helper()
	if rec.Code != want.status {
		t.Errorf("status: got %d, want %d", rec.Code, want.status)
	}
	if got := strings.TrimSpace(rec.Body.String()); got != want.body {
		t.Errorf("body: got %s, want %s", got, want.body)
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != want.wwwAuthenticate {
		t.Errorf("WWW-Authenticate: got %q, want %q", got, want.wwwAuthenticate)
	}
	if want.status >= 400 {
		if got := rec.Header().Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type: got %q, want application/json", got)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", got)
		}
	}
}

func TestMiddlewareHeaderForms(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{})
	h := v.Middleware(echoSubject)
	tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))
	ok := response{http.StatusOK, "hello U2user", ""}
	missing := response{http.StatusUnauthorized, wantMissing, `Bearer realm="api"`}
	invalid := response{http.StatusUnauthorized, wantInvalidHdr, `Bearer realm="api", error="invalid_request"`}
	badToken := response{http.StatusUnauthorized, wantInvalidTok, `Bearer realm="api", error="invalid_token"`}

	tests := []struct {
		name    string
		headers []string
		want    response
	}{
		{"Bearer token", []string{"Bearer " + tok}, ok},
		{"lower-case scheme", []string{"bearer " + tok}, ok},
		{"upper-case scheme", []string{"BEARER " + tok}, ok},
		{"two spaces after the scheme", []string{"Bearer  " + tok}, ok},
		{"surrounding whitespace", []string{"  Bearer " + tok + " \t"}, ok},
		{"tab after the scheme", []string{"Bearer\t" + tok}, ok},
		{"tab and space after the scheme", []string{"Bearer\t " + tok}, ok},
		{"no header", nil, missing},
		{"empty header", []string{""}, missing},
		{"whitespace-only header", []string{"   "}, missing},
		{"scheme only", []string{"Bearer"}, invalid},
		{"scheme and a space", []string{"Bearer "}, invalid},
		{"extra part", []string{"Bearer " + tok + " extra"}, invalid},
		{"token without scheme", []string{tok}, invalid},
		{"Basic scheme", []string{"Basic dXNlcjpwYXNz"}, invalid},
		{"Token scheme", []string{"Token " + tok}, invalid},
		{"comma after scheme", []string{"Bearer," + tok}, invalid},
		{"two headers", []string{"Bearer " + tok, "Bearer " + tok}, invalid},
		{"an empty and a valid header", []string{"", "Bearer " + tok}, invalid},
		{"garbage token", []string{"Bearer not-a-jwt"}, badToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkResponse(t, serve(h, tt.headers...), tt.want)
		})
	}
}

func TestMiddlewareOverRealServer(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{})
	srv := httptest.NewServer(v.Middleware(echoSubject))
	t.Cleanup(srv.Close)
	tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))

	tests := []struct {
		name       string
		header     string
		wantStatus int
	}{
		{"valid", "Bearer " + tok, http.StatusOK},
		{"expired", "Bearer " + sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"exp": fixedNow.Add(-time.Hour).Unix()})), http.StatusUnauthorized},
		{"missing", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/api/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status: got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}
}

func TestMiddlewareTokenFailures(t *testing.T) {
	t.Parallel()
	base := claimsAt(fixedNow)
	tests := []struct {
		name   string
		claims map[string]any
		detail bool
		want   response
	}{
		{"expired, generic body", with(base, map[string]any{"exp": fixedNow.Add(-time.Hour).Unix()}), false,
			response{http.StatusUnauthorized, wantInvalidTok, `Bearer realm="api", error="invalid_token"`}},
		{"expired, renderer naming the cause", with(base, map[string]any{"exp": fixedNow.Add(-time.Hour).Unix()}), true,
			response{http.StatusUnauthorized, `{"cause":"token has expired"}`, `Bearer realm="api", error="invalid_token"`}},
		{"audience, renderer naming the cause", with(base, map[string]any{"aud": "other"}), true,
			response{http.StatusUnauthorized, `{"cause":"invalid audience"}`, `Bearer realm="api", error="invalid_token"`}},
		{"missing exp, renderer naming the cause", with(base, map[string]any{"exp": nil}), true,
			response{http.StatusUnauthorized, `{"cause":"missing exp claim"}`, `Bearer realm="api", error="invalid_token"`}},
		{"valid, renderer naming the cause", base, true, response{http.StatusOK, "hello U2user", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			if tt.detail {
				cfg.ErrorRenderer = causeRenderer
			}
			v := newValidationValidator(t, cfg)
			checkResponse(t, serve(v.Middleware(echoSubject), "Bearer "+sign(t, testKeys[0], "k0", jose.RS256, tt.claims)), tt.want)
		})
	}
}

// causeRenderer is an ErrorRenderer of a service's own: the status, and
// the cause in its own body.
func causeRenderer(w http.ResponseWriter, _ *http.Request, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(Status(err))
	fmt.Fprintf(w, `{"cause":%q}`, Cause(err).Error())
}

func TestMiddlewareUnavailable(t *testing.T) {
	t.Parallel()
	v, idp := newServerValidator(t, Config{Now: func() time.Time { return fixedNow }, RefetchCooldown: 30 * time.Second})
	idp.setJWKS(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	rec := serve(v.Middleware(echoSubject), "Bearer "+sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow)))
	checkResponse(t, rec, response{http.StatusServiceUnavailable, wantUnavailable, ""})
	if got := rec.Header().Get("Retry-After"); got != "30" {
		t.Errorf("Retry-After: got %q, want %q", got, "30")
	}
}

func TestMiddlewareRealm(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{Realm: "descope"})
	checkResponse(t, serve(v.Middleware(echoSubject)), response{http.StatusUnauthorized, wantMissing, `Bearer realm="descope"`})
	h := v.Middleware(RequireScope("openid")(echoSubject))
	checkResponse(t, serve(h, "Bearer "+sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))), response{
		http.StatusForbidden, `{"error":"insufficient_scope","error_description":"missing required scope: openid"}`,
		`Bearer realm="descope", error="insufficient_scope", scope="openid"`,
	})
}

func TestRequire(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{})
	base := claimsAt(fixedNow)
	tenant := func(roles, perms []string) map[string]any {
		return map[string]any{"dct": "T1", "tenants": map[string]any{"T1": map[string]any{"roles": roles, "permissions": perms}}}
	}
	ok := response{http.StatusOK, "hello U2user", ""}
	forbidden := func(msg string) response {
		return response{http.StatusForbidden, `{"error":"insufficient_scope","error_description":"` + msg + `"}`, ""}
	}
	noScope := response{http.StatusForbidden, `{"error":"insufficient_scope","error_description":"missing required scope: openid"}`,
		`Bearer realm="api", error="insufficient_scope", scope="openid"`}

	tests := []struct {
		name   string
		mw     func(http.Handler) http.Handler
		claims map[string]any
		want   response
	}{
		{"role present", RequireRole("admin"), with(base, map[string]any{"roles": []string{"viewer", "admin"}}), ok},
		{"role as a string", RequireRole("admin"), with(base, map[string]any{"roles": "viewer,admin"}), ok},
		{"role from the current tenant", RequireRole("admin"), with(base, tenant([]string{"admin"}, nil)), ok},
		{"role missing", RequireRole("admin"), with(base, map[string]any{"roles": []string{"viewer"}}), forbidden("missing required role: admin")},
		{"role case differs", RequireRole("admin"), with(base, map[string]any{"roles": []string{"Admin"}}), forbidden("missing required role: admin")},
		{"role only in a tenant that is not current", RequireRole("admin"),
			with(base, map[string]any{"tenants": map[string]any{"T1": map[string]any{"roles": []string{"admin"}}}}),
			forbidden("missing required role: admin")},
		{"permission present", RequirePermission("users.create"), with(base, map[string]any{"permissions": []string{"users.create"}}), ok},
		{"permission from the current tenant", RequirePermission("users.create"), with(base, tenant(nil, []string{"users.create"})), ok},
		{"permission missing", RequirePermission("users.create"), base, forbidden("missing required permission: users.create")},
		{"scope present", RequireScope("openid"), with(base, map[string]any{"scope": "profile openid"}), ok},
		{"scope from scp", RequireScope("openid"), with(base, map[string]any{"scp": []string{"openid"}}), ok},
		{"scope missing", RequireScope("openid"), with(base, map[string]any{"scope": "profile"}), noScope},
		{"tenant role present", RequireTenantRole("admin"), with(base, tenant([]string{"admin"}, nil)), ok},
		{"tenant role only top-level", RequireTenantRole("admin"), with(base, map[string]any{"roles": []string{"admin"}}),
			forbidden("missing required tenant role: admin")},
		{"tenant permission present", RequireTenantPermission("billing.read"), with(base, tenant(nil, []string{"billing.read"})), ok},
		{"tenant permission only top-level", RequireTenantPermission("billing.read"), with(base, map[string]any{"permissions": []string{"billing.read"}}),
			forbidden("missing required tenant permission: billing.read")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := v.Middleware(tt.mw(echoSubject))
			checkResponse(t, serve(h, "Bearer "+sign(t, testKeys[0], "k0", jose.RS256, tt.claims)), tt.want)
		})
	}
}

func TestRequireWithoutMiddlewareFailsClosed(t *testing.T) {
	t.Parallel()
	rec := serve(RequireRole("admin")(echoSubject))
	checkResponse(t, rec, response{http.StatusInternalServerError, wantInternal, ""})
}

func TestContextRoundTrip(t *testing.T) {
	t.Parallel()
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext on an empty context: got ok, want not ok")
	}
	c := &Claims{Subject: "U1", Roles: []string{"admin"}}
	got, ok := FromContext(NewContext(context.Background(), c))
	if !ok || got != c {
		t.Errorf("FromContext(NewContext(c)): got %v %v, want c true", got, ok)
	}
	rec := serve(withClaims(c, RequireRole("admin")(echoSubject)))
	checkResponse(t, rec, response{http.StatusOK, "hello U1", ""})
}

// withClaims injects fixed claims, as a test double for Middleware.
func withClaims(c *Claims, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), c)))
	})
}

func TestWriteErrorAndReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err        error
		wantReason string
		wantStatus int
	}{
		{ErrMissingHeader, "missing_header", 401},
		{ErrInvalidHeader, "invalid_header", 401},
		{ErrMalformed, "malformed", 401},
		{ErrTokenTooLarge, "token_too_large", 401},
		{ErrInvalidSignature, "invalid_signature", 401},
		{fmt.Errorf("wrapped: %w", ErrExpired), "expired", 401},
		{ErrNotYetValid, "not_yet_valid", 401},
		{ErrInvalidIssuer, "invalid_issuer", 401},
		{ErrInvalidAudience, "invalid_audience", 401},
		{ErrUnknownKey, "unknown_key", 401},
		{ErrAlgorithm, "algorithm", 401},
		{ErrMissingExp, "missing_exp", 401},
		{ErrUnavailable, "unavailable", 503},
		{&GrantError{Kind: "role", Name: "admin"}, "forbidden", 403},
		{errors.New("boom"), "internal", 500},
	}
	for _, tt := range tests {
		t.Run(tt.wantReason, func(t *testing.T) {
			t.Parallel()
			if got := Reason(tt.err); got != tt.wantReason {
				t.Errorf("Reason: got %q, want %q", got, tt.wantReason)
			}
			if got := Status(tt.err); got != tt.wantStatus {
				t.Errorf("Status: got %d, want %d", got, tt.wantStatus)
			}
			rec := httptest.NewRecorder()
			WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), tt.err)
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store", got)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
			}
		})
	}
	if got := Reason(nil); got != "" {
		t.Errorf("Reason(nil): got %q, want empty", got)
	}
}

func TestFailuresAreLoggedAndObserved(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	var mu sync.Mutex
	counts := map[string]int{}
	count := func(name string) {
		mu.Lock()
		counts[name]++
		mu.Unlock()
	}
	v := newValidationValidator(t, Config{
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Observer: Observer{
			Refused: func(reason string, err error) {
				if Reason(err) != reason {
					t.Errorf("Refused(%q, %v): the reason is not the error's", reason, err)
				}
				count("refused " + reason)
			},
			KeySetFetched:    func(outcome string) { count("key set " + outcome) },
			DiscoveryFetched: func(outcome string) { count("discovery " + outcome) },
		},
	})
	h := v.Middleware(echoSubject)
	expired := sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"exp": fixedNow.Add(-time.Hour).Unix()}))
	serve(h, "Bearer "+expired)
	serve(h, "Bearer "+expired)
	serve(h)
	serve(h, "Bearer "+sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow)))

	out := logs.String()
	if strings.Contains(out, expired) || strings.Contains(out, strings.Split(expired, ".")[2]) {
		t.Error("logs contain the token, want only a fingerprint")
	}
	for _, want := range []string{`"reason":"expired"`, `"token_fp":"` + fingerprint(expired) + `"`, `"reason":"missing_header"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs: got %s, want them to contain %s", out, want)
		}
	}
	want := map[string]int{"refused expired": 2, "refused missing_header": 1, "discovery success": 1, "key set success": 1}
	mu.Lock()
	defer mu.Unlock()
	if !maps.Equal(counts, want) {
		t.Errorf("observed: got %v, want %v", counts, want)
	}
}
