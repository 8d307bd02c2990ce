package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

func TestLogPath(t *testing.T) {
	t.Parallel()
	const jws = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	const unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
	const jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn"
	long := strings.Repeat("a", maxLoggedPath+100)
	tests := []struct{ name, path, want string }{
		{"plain", "/api/me", "/api/me"},
		{"unclean kept", "//api/me/..", "//api/me/.."},
		{"docs asset names are not tokens", "/docs/assets/swagger-ui-bundle.js.LICENSE.txt", "/docs/assets/swagger-ui-bundle.js.LICENSE.txt"},
		{"three-part name that is no token", "/v1.2.3/x", "/v1.2.3/x"},
		{"token as a segment", "/api/" + jws, "/api/" + redactedJWT},
		{"token as the path", "/" + jws + "/", "/" + redactedJWT + "/"},
		{"token after other text", "/api/x=" + jws + ";y", "/api/x=" + redactedJWT + ";y"},
		{"alg none token", "/" + unsigned, "/" + redactedJWT},
		{"JWE", "/" + jwe, "/" + redactedJWT},
		{"long path cut", "/" + long, "/" + long[:maxLoggedPath-len("...(357 bytes)")-1] + "...(357 bytes)"},
		{"cut on a rune boundary", strings.Repeat("é", maxLoggedPath), strings.Repeat("é", (maxLoggedPath-len("...(512 bytes)"))/2) + "...(512 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := logPath(tt.path)
			if got != tt.want {
				t.Errorf("logPath(%q)\n got %q\nwant %q", tt.path, got, tt.want)
			}
			if len(got) > maxLoggedPath {
				t.Errorf("logPath(%q): %d bytes, want at most %d", tt.path, len(got), maxLoggedPath)
			}
			if again := logPath(got); again != got {
				t.Errorf("logPath twice: got %q, want %q", again, got)
			}
		})
	}
}

// TestLogLinesBounded: whatever path or method a caller sends, authenticated
// or not, routed or not, every log line of the API stays short and holds no
// token sent as a path segment.
func TestLogLinesBounded(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	var logs servertest.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	v, err := auth.New(auth.Config{DiscoveryURL: m.DiscoveryURL(), Audience: m.ProjectID(), Now: m.Now, HTTPClient: m.Client(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Auth: v, ProjectID: m.ProjectID(), DiscoveryURL: m.DiscoveryURL(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	tok := m.Token("admin-client")
	paths := []string{
		"/" + tok, "/api/" + tok, "/api/users/" + tok, "/docs/assets/" + tok, "/api/me/" + tok + "/..",
		"/" + strings.Repeat("x", 18<<10), "/api/" + strings.Repeat("%C3%A9", 3000),
	}
	methods := []string{http.MethodGet, http.MethodDelete, strings.Repeat("M", 4096)}
	for _, path := range paths {
		for _, method := range methods {
			for _, auth := range []string{"", "Bearer " + tok} {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				r.Method = method
				if auth != "" {
					r.Header.Set("Authorization", auth)
				}
				s.ServeHTTP(httptest.NewRecorder(), r)
			}
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) < len(paths)*len(methods)*2 {
		t.Fatalf("got %d log lines, want at least one per request", len(lines))
	}
	const maxLine = 1024
	for _, line := range lines {
		if len(line) > maxLine {
			t.Errorf("log line of %d bytes, want at most %d: %.200s...", len(line), maxLine, line)
		}
	}
	for j, part := range strings.Split(tok, ".") {
		if strings.Contains(logs.String(), part) {
			t.Errorf("logs contain segment %d of the token sent as a path", j)
		}
	}
}
