package api

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/internal/servertest"
)

// gateAuth refuses requests without an Authorization header with a 401 of
// its own (as the validator does, before routing) and stores fixed claims
// in the others.
type gateAuth struct{ claims *auth.Claims }

func (gateAuth) Ready() bool { return true }

func (g gateAuth) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ctx := auth.WithErrorRenderer(r.Context(), AuthErrorRenderer(false))
		next.ServeHTTP(w, r.WithContext(auth.NewContext(ctx, g.claims)))
	})
}

// TestRequestMetricsSeries pins the request metrics exactly: every series
// and its count after a mix of requests (static and templated routes,
// refusals before routing, unknown paths, wrong methods, HEAD, a method no
// route has), and no series for what was not requested.
func TestRequestMetricsSeries(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	claims := &auth.Claims{Raw: map[string]any{"name": "Ann"}, Roles: []string{"admin"}, Permissions: []string{"users.delete"}}
	s, err := New(Config{Auth: gateAuth{claims: claims}, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	const token = "x"
	for _, req := range []request{
		{path: "/api/me", token: token},
		{path: "/api/me", token: token},
		{method: http.MethodHead, path: "/api/me", token: token},
		{path: "/api/me"},                                 // 401 before routing, route without variables
		{method: http.MethodDelete, path: "/api/users/7"}, // 401 before routing, templated route
		{method: http.MethodDelete, path: "/api/users/7", token: token},
		{path: "/api/no-such", token: token},                     // 404
		{path: "/api/no-such"},                                   // 401, no route
		{method: http.MethodPost, path: "/api/me", token: token}, // 405
		{method: "BREW", path: "/api/me", token: token},          // 405, unusual method: labelled other
		{path: "/health"},
		{path: "/docs/assets/init.js"},
		{path: "/api/admin/users", token: token},
		{method: http.MethodPost, path: "/api/users", token: token}, // 403: no users.create
	} {
		do(t, s, req)
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := make([]string, 0, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch f.GetName() {
			case "api_http_requests_total":
				got[key] = m.GetCounter().GetValue()
			case "api_http_request_duration_seconds":
				got[key] = float64(m.GetHistogram().GetSampleCount())
			case "api_http_requests_in_flight":
				got[key] = m.GetGauge().GetValue()
			}
		}
	}
	want := map[string]float64{
		"api_http_requests_total{code=200,method=GET,route=/api/me}":                  2,
		"api_http_requests_total{code=200,method=HEAD,route=/api/me}":                 1,
		"api_http_requests_total{code=401,method=GET,route=/api/me}":                  1,
		"api_http_requests_total{code=401,method=DELETE,route=/api/users/{user_id}}":  1,
		"api_http_requests_total{code=200,method=DELETE,route=/api/users/{user_id}}":  1,
		"api_http_requests_total{code=404,method=GET,route=unmatched}":                1,
		"api_http_requests_total{code=401,method=GET,route=unmatched}":                1,
		"api_http_requests_total{code=405,method=POST,route=unmatched}":               1,
		"api_http_requests_total{code=405,method=other,route=unmatched}":              1,
		"api_http_requests_total{code=200,method=GET,route=/health}":                  1,
		"api_http_requests_total{code=200,method=GET,route=/docs/assets/{file}}":      1,
		"api_http_requests_total{code=200,method=GET,route=/api/admin/users}":         1,
		"api_http_requests_total{code=403,method=POST,route=/api/users}":              1,
		"api_http_request_duration_seconds{method=GET,route=/api/me}":                 3,
		"api_http_request_duration_seconds{method=HEAD,route=/api/me}":                1,
		"api_http_request_duration_seconds{method=DELETE,route=/api/users/{user_id}}": 2,
		"api_http_request_duration_seconds{method=GET,route=unmatched}":               2,
		"api_http_request_duration_seconds{method=POST,route=unmatched}":              1,
		"api_http_request_duration_seconds{method=other,route=unmatched}":             1,
		"api_http_request_duration_seconds{method=GET,route=/health}":                 1,
		"api_http_request_duration_seconds{method=GET,route=/docs/assets/{file}}":     1,
		"api_http_request_duration_seconds{method=GET,route=/api/admin/users}":        1,
		"api_http_request_duration_seconds{method=POST,route=/api/users}":             1,
		"api_http_requests_in_flight{}":                                               0,
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s: got %v, want %v", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected series %s = %v", k, got[k])
		}
	}
}

// TestAccessLogRecord pins the access log record: its message, every
// field, and the request ID on it.
func TestAccessLogRecord(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&logs, nil)))
	claims := &auth.Claims{Raw: map[string]any{"name": "Ann"}}
	s, err := New(Config{Auth: gateAuth{claims: claims}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		req                request
		wantRoute          string
		wantStatus         int
		generatedRequestID bool
	}{
		{request{path: "/api/me", token: "x", header: map[string]string{RequestIDHeader: "log-test-1"}}, "/api/me", 200, false},
		{request{path: "/api/me"}, "/api/me", 401, true},
		{request{path: "/api/users/9", method: http.MethodDelete, token: "x"}, "/api/users/{user_id}", 403, true},
		{request{path: "/nope", token: "x"}, "unmatched", 404, true},
	}
	for _, tt := range tests {
		w := do(t, s, tt.req)
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
			t.Fatalf("%s %s: log line is not JSON: %v: %q", tt.req.method, tt.req.path, err, logs.String())
		}
		method := tt.req.method
		if method == "" {
			method = http.MethodGet
		}
		wantID := w.Header().Get(RequestIDHeader)
		if !tt.generatedRequestID && wantID != tt.req.header[RequestIDHeader] {
			t.Errorf("%s %s: response request ID %q, want the incoming one", method, tt.req.path, wantID)
		}
		if tt.generatedRequestID && !generatedRequestID.MatchString(wantID) {
			t.Errorf("%s %s: response request ID %q, want a generated one", method, tt.req.path, wantID)
		}
		want := map[string]any{
			"level": "INFO", "msg": "request", "method": method, "path": tt.req.path, "route": tt.wantRoute,
			"status": float64(tt.wantStatus), "bytes": float64(w.Body.Len()), "remote_addr": "192.0.2.1:1234",
			"request_id": wantID,
		}
		for k, v := range want {
			if rec[k] != v {
				t.Errorf("%s %s: log field %s: got %v, want %v", method, tt.req.path, k, rec[k], v)
			}
		}
		if d, ok := rec["duration"].(float64); !ok || d < 0 {
			t.Errorf("%s %s: log field duration: got %v, want a non-negative number", method, tt.req.path, rec["duration"])
		}
		if len(rec) != len(want)+2 { // + time and duration
			t.Errorf("%s %s: log record has fields %v, want exactly %v plus time and duration",
				method, tt.req.path, slices.Sorted(maps.Keys(rec)), slices.Sorted(maps.Keys(want)))
		}
		if w.Code != tt.wantStatus {
			t.Errorf("%s %s: response %d, want %d", method, tt.req.path, w.Code, tt.wantStatus)
		}
	}
}

// TestRequestIDHeaderShape: the response carries exactly one X-Request-ID
// value under its canonical key, also on a panic's 500.
func TestRequestIDHeaderShape(t *testing.T) {
	t.Parallel()
	for _, a := range []Authenticator{fakeAuth{}, fakeAuth{panics: true}} {
		s := newTestServer(t, a)
		r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		r.Header["X-Request-Id"] = []string{"first", "second"}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if got := w.Result().Header[http.CanonicalHeaderKey(RequestIDHeader)]; !slices.Equal(got, []string{"first"}) {
			t.Errorf("panics=%v: %s values: got %q, want [first] (the first incoming value)", a.(fakeAuth).panics, RequestIDHeader, got)
		}
	}
}

// TestNewRequestID: generated IDs are 32 hex characters and do not repeat,
// also when generated concurrently.
func TestNewRequestID(t *testing.T) {
	t.Parallel()
	const workers, each = 4, 2500
	ids := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				ids[w] = append(ids[w], newRequestID())
			}
		})
	}
	wg.Wait()
	seen := make(map[string]bool, workers*each)
	for _, id := range slices.Concat(ids...) {
		if !generatedRequestID.MatchString(id) {
			t.Fatalf("newRequestID() = %q, want 32 hex characters", id)
		}
		if seen[id] {
			t.Fatalf("newRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}
