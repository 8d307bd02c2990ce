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

// TestAPILogsHoldNoTokens sends good and bad tokens (every failure preset,
// wrong roles, token-info and claims endpoints, tokens in query strings) to
// the whole API with one debug-level logger for access, error and auth logs,
// then scans the logs for any token segment.
func TestAPILogsHoldNoTokens(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	var logs servertest.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	v, err := auth.New(auth.Config{DiscoveryURL: m.DiscoveryURL(), Audience: m.ProjectID(), Now: m.Now, HTTPClient: m.Client(), Logger: logger,
		ErrorRenderer: AuthErrorRenderer(false)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Auth: v, ProjectID: m.ProjectID(), DiscoveryURL: m.DiscoveryURL(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	tokens := []string{m.Token("admin-client"), m.Token("reader-client"), m.Token("bare-client")}
	for _, preset := range mockidp.Presets {
		tokens = append(tokens, m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: preset}))
	}
	good := tokens[0]
	tokens = append(tokens, good[:len(good)-2]+"xx")
	paths := []string{"/api/me", "/api/claims", "/api/token-info", "/api/admin/users", "/api/data", "/api/nope", "/health"}
	for _, tok := range tokens {
		for _, path := range paths {
			r := httptest.NewRequest(http.MethodGet, path+"?access_token="+tok, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			s.ServeHTTP(httptest.NewRecorder(), r)
		}
		r := httptest.NewRequest(http.MethodPost, "/api/users?name=a&email="+tok, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		s.ServeHTTP(httptest.NewRecorder(), r)
		r = httptest.NewRequest(http.MethodGet, "/api/me", nil)
		r.Header.Set("Authorization", "Basic "+tok)
		s.ServeHTTP(httptest.NewRecorder(), r)
	}
	out := logs.String()
	if strings.Count(out, "\n") < len(tokens)*len(paths) {
		t.Fatalf("got %d log lines, want at least one per request; the scan would prove little", strings.Count(out, "\n"))
	}
	for i, tok := range tokens {
		for j, part := range strings.Split(tok, ".") {
			if len(part) >= 16 && strings.Contains(out, part) {
				t.Errorf("logs contain segment %d of token %d", j, i)
			}
		}
	}
}
