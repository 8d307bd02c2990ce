package mockidp_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// TestOIDCLogsHoldNoSecrets runs the code flow's success and failure paths
// (authorize, exchange with a wrong verifier and a reused code, refresh with
// rotation, revocation, logout) with a debug-level logger and scans the logs
// for every code, verifier, token and client secret involved.
func TestOIDCLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	p := mockidp.DefaultProject()
	p.Sessions.RefreshRotation = true
	f := newCodeFlowWith(t, mockidp.Config{Project: p,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	verifier := oauth2.GenerateVerifier()
	secrets := []string{"web-secret", "wrong-secret-Q7", verifier}
	q := f.authQuery("code_challenge", oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method", "S256")
	code := f.code(t, "/oauth2/v1/authorize", q)
	secrets = append(secrets, code)
	f.exchange(t, code, "code_verifier", oauth2.GenerateVerifier())
	f.exchange(t, code, "code_verifier", verifier, "client_secret", "wrong-secret-Q7")
	tr := tokens(t, f.exchange(t, code, "code_verifier", verifier))
	f.exchange(t, code, "code_verifier", verifier) // reuse
	code2 := f.code(t, "/oauth2/v1/authorize", f.authQuery())
	tr2 := tokens(t, f.exchange(t, code2))
	tr3 := tokens(t, f.refresh(t, tr2.RefreshToken))
	f.refresh(t, tr2.RefreshToken) // rotated away
	f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {tr3.AccessToken}, "client_id": {"web-app"}, "client_secret": {"wrong-secret-Q7"}})
	f.do(t, http.MethodGet, "/oauth2/v1/logout?"+url.Values{"id_token_hint": {tr3.IDToken}, "post_logout_redirect_uri": {"http://evil.example/"}}.Encode(), nil)
	f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+tr.AccessToken)
	f.do(t, http.MethodGet, "/oauth2/v1/authorize?"+f.authQuery("code_challenge_method", "plain", "code_challenge", verifier).Encode(), nil)
	for _, x := range []mockidp.TokenResponse{tr, tr2, tr3} {
		secrets = append(secrets, x.AccessToken, x.IDToken, x.RefreshToken)
	}
	out := logs.String()
	if !strings.Contains(out, "refused") {
		t.Fatalf("the debug log has no refusals; the scan would prove nothing:\n%s", out)
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(out, s) {
			t.Errorf("the log holds a secret (%.12s…)", s)
		}
		// A token's signature alone is as bad as the token.
		if i := strings.LastIndexByte(s, '.'); i > 0 && strings.Contains(out, s[i+1:]) {
			t.Errorf("the log holds a token signature (%.12s…)", s[i+1:])
		}
	}
}
