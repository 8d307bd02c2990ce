package mockidp_test

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// TestFlowLogsHoldNoSecrets runs the OTP and magic-link flows, with a
// wrong code and a replay, under a debug-level logger, then scans the logs
// and the request log for the codes, link tokens and JWTs.
func TestFlowLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	s, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://mockidp.test",
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pid := s.ProjectID()
	post := func(path string, body map[string]any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		r := httptest.NewRequest("POST", path, strings.NewReader(string(b)))
		r.Header.Set("Authorization", "Bearer "+pid)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		var v map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &v)
		return v
	}
	next := func(prev map[string]any, interaction string, input map[string]any) map[string]any {
		return post("/v1/flow/next", map[string]any{"executionId": prev["executionId"], "stepId": prev["stepId"], "interactionId": interaction, "input": input})
	}
	var secrets []string
	start := post("/v1/flow/start", map[string]any{"flowId": "sign-up-or-in"})
	code := next(start, "continue", map[string]any{"email": "scan@example.com"})
	otp := s.Outbox("scan@example.com")[0].Code
	secrets = append(secrets, otp)
	next(code, "verify", map[string]any{"code": otp + "9"})
	done := next(code, "verify", map[string]any{"code": otp})
	next(code, "verify", map[string]any{"code": otp})
	auth, _ := done["authInfo"].(map[string]any)
	secrets = append(secrets, auth["sessionJwt"].(string), auth["refreshJwt"].(string))

	if _, err := s.PutUser(mockidp.User{LoginIDs: []string{"link@example.com"}, Email: "link@example.com"}); err != nil {
		t.Fatal(err)
	}
	start = post("/v1/flow/start", map[string]any{"flowId": "sign-in", "options": map[string]any{"location": "http://app.test/login"}})
	sent := next(start, "send-link", map[string]any{"email": "link@example.com"})
	link, _ := url.Parse(s.Outbox("link@example.com")[0].Link)
	token := link.Query().Get("t")
	secrets = append(secrets, token)
	next(sent, "submit", map[string]any{"token": token + "x"})
	done = next(sent, "submit", map[string]any{"token": token})
	auth, _ = done["authInfo"].(map[string]any)
	secrets = append(secrets, auth["sessionJwt"].(string))

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/_mock/requests", nil))
	out := logs.String() + rec.Body.String()
	if !strings.Contains(out, "flow sent") {
		t.Fatal("no flow log line: the scan would prove nothing")
	}
	for _, sec := range secrets {
		if sec == "" || strings.Contains(out, sec) {
			t.Errorf("the logs or request log hold a secret (or it is empty): %.12q…", sec)
		}
	}
}
