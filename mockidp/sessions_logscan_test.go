package mockidp_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
)

// TestSessionLogsHoldNoSecrets drives the session, test-user and management
// paths, failing and succeeding, with a debug-level logger, then scans the
// logs and the request log for every OTP code, link token, pending
// reference, refresh and session JWT and management key it handled.
func TestSessionLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	s, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://mockidp.test",
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pid := s.ProjectID()
	secrets := []string{mgmtKey, "guessed-mgmt-key-Z7"}
	var tokens []string
	do := func(method, path, auth, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		return rec
	}
	decode := func(rec *httptest.ResponseRecorder, v any) {
		t.Helper()
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), v) != nil {
			t.Fatalf("got %d %s", rec.Code, rec.Body.Bytes())
		}
	}
	good, bad := "Bearer "+pid+":"+mgmtKey, "Bearer "+pid+":guessed-mgmt-key-Z7"

	// Management calls with a wrong key, a key without the project ID, and a good one.
	do("POST", "/v1/mgmt/tests/generate/otp", bad, `{"loginId":"`+testLogin+`","deliveryMethod":"email"}`)
	do("POST", "/v1/mgmt/user/create/test", "Bearer "+mgmtKey, `{"loginId":"x@example.com"}`)
	var otp struct{ Code string }
	decode(do("POST", "/v1/mgmt/tests/generate/otp", good, `{"loginId":"`+testLogin+`","deliveryMethod":"email"}`), &otp)
	secrets = append(secrets, otp.Code)
	do("POST", "/v1/auth/otp/verify/email", "Bearer "+pid, `{"loginId":"`+testLogin+`","code":"`+otp.Code+`9"}`)
	var jr mockidp.JWTResponse
	decode(do("POST", "/v1/auth/otp/verify/email", "Bearer "+pid, `{"loginId":"`+testLogin+`","code":"`+otp.Code+`"}`), &jr)
	do("POST", "/v1/auth/otp/verify/email", "Bearer "+pid, `{"loginId":"`+testLogin+`","code":"`+otp.Code+`"}`)
	tokens = append(tokens, jr.SessionJwt, jr.RefreshJwt)

	var ml struct{ Link string }
	decode(do("POST", "/v1/mgmt/tests/generate/magiclink", good, `{"loginId":"`+testLogin+`","deliveryMethod":"email","URI":"http://app.test/v"}`), &ml)
	mlToken := linkToken(t, ml.Link)
	secrets = append(secrets, mlToken)
	do("POST", "/v1/auth/magiclink/verify", "Bearer "+pid, `{"token":"`+mlToken+`"}`)
	do("POST", "/v1/auth/magiclink/verify", "Bearer "+pid, `{"token":"`+mlToken+`"}`)
	var el struct{ Link, PendingRef string }
	decode(do("POST", "/v1/mgmt/tests/generate/enchantedlink", good, `{"loginId":"`+testLogin+`","URI":"http://app.test/e"}`), &el)
	elToken := linkToken(t, el.Link)
	secrets = append(secrets, elToken, el.PendingRef)
	do("POST", "/v1/auth/enchantedlink/pending-session", "Bearer "+pid, `{"pendingRef":"`+el.PendingRef+`"}`)
	do("POST", "/v1/auth/enchantedlink/verify", "Bearer "+pid, `{"token":"`+elToken+`"}`)
	do("POST", "/v1/auth/enchantedlink/pending-session", "Bearer "+pid, `{"pendingRef":"`+el.PendingRef+`"}`)

	// Refresh with good, session-typed, corrupted and logged-out tokens.
	do("POST", "/v1/auth/refresh", "Bearer "+pid+":"+jr.RefreshJwt, `{}`)
	do("POST", "/v1/auth/refresh", "Bearer "+pid+":"+jr.SessionJwt, `{}`)
	do("POST", "/v1/auth/refresh", "Bearer "+pid+":"+jr.RefreshJwt+"x", `{}`)
	do("POST", "/v1/auth/refresh", "Bearer "+jr.RefreshJwt, `{}`)
	do("POST", "/v1/auth/tenant/select", "Bearer "+pid+":"+jr.RefreshJwt, `{"tenant":"T-none"}`)
	do("GET", "/v1/auth/me", "Bearer "+pid+":"+jr.RefreshJwt, "")
	do("POST", "/v1/auth/logout", "Bearer "+pid+":"+jr.RefreshJwt, `{}`)
	do("POST", "/v1/auth/refresh", "Bearer "+pid+":"+jr.RefreshJwt, `{}`)
	var si mockidp.JWTResponse
	decode(do("POST", "/v1/mgmt/auth/signin", good, `{"loginId":"alice@example.com"}`), &si)
	tokens = append(tokens, si.SessionJwt, si.RefreshJwt)
	do("POST", "/v1/mgmt/jwt/update", good, `{"jwt":"`+si.SessionJwt+`x","customClaims":{"a":1}}`)
	do("POST", "/v1/mgmt/jwt/update", bad, `{"jwt":"`+si.SessionJwt+`"}`)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com", Preset: mockidp.SessionPresetLoggedOut})
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, m.SessionJWT, m.RefreshJWT)
	do("POST", "/v1/auth/logoutall", "Bearer "+pid+":"+m.RefreshJWT, `{}`)

	// Issue 19: a managed access key's cleartext, used, refused and
	// deactivated; impersonation.
	var key struct {
		Key       struct{ ID string }
		Cleartext string
	}
	decode(do("POST", "/v1/mgmt/accesskey/create", good, `{"name":"logged?"}`), &key)
	secrets = append(secrets, key.Cleartext)
	do("POST", "/v1/auth/accesskey/exchange", "Bearer "+pid+":"+key.Cleartext, `{}`)
	do("POST", "/v1/auth/accesskey/exchange", "Bearer "+pid+":"+key.Cleartext, `{"loginOptions":{"selectedTenant":"T-none"}}`)
	do("POST", "/v1/mgmt/accesskey/deactivate", good, `{"id":"`+key.Key.ID+`"}`)
	do("POST", "/v1/auth/accesskey/exchange", "Bearer "+pid+":"+key.Cleartext, `{}`)
	do("POST", "/v1/mgmt/accesskey/update", bad, `{"id":"`+key.Key.ID+`","name":"x"}`)
	// Rotation: the new cleartext is answered once and never logged; the
	// old one is refused; batches with a known and an unknown ID.
	var rot struct{ Cleartext string }
	do("POST", "/v1/mgmt/accesskey/activate/batch", good, `{"ids":["`+key.Key.ID+`"]}`)
	decode(do("POST", "/v1/mgmt/accesskey/rotate", good, `{"id":"`+key.Key.ID+`"}`), &rot)
	secrets = append(secrets, rot.Cleartext)
	do("POST", "/v1/auth/accesskey/exchange", "Bearer "+pid+":"+key.Cleartext, `{}`)
	do("POST", "/v1/auth/accesskey/exchange", "Bearer "+pid+":"+rot.Cleartext, `{}`)
	do("POST", "/v1/mgmt/accesskey/rotate", bad, `{"id":"`+key.Key.ID+`"}`)
	do("POST", "/v1/mgmt/accesskey/deactivate/batch", good, `{"ids":["`+key.Key.ID+`","K-none"]}`)
	do("POST", "/v1/mgmt/accesskey/delete/batch", good, `{"ids":["`+key.Key.ID+`"]}`)
	do("POST", "/v1/auth/accesskey/exchange", "Bearer "+pid+":"+rot.Cleartext, `{}`)
	var imp struct{ JWT string }
	decode(do("POST", "/v1/mgmt/impersonate", good, `{"loginId":"alice@example.com","impersonatorId":"admin@example.com"}`), &imp)
	tokens = append(tokens, imp.JWT)
	do("POST", "/v1/mgmt/stop/impersonation", good, `{"jwt":"`+imp.JWT+`x"}`)

	// Passwords set by the management API: single and batch create, a
	// batch user that fails, a password that is too short; sign-ins.
	secrets = append(secrets, "single-Pass-SECRET-1", "batch-Pass-SECRET-2", "failed-Pass-SECRET-3", "short7")
	do("POST", "/v1/mgmt/user/create", good, `{"loginId":"pw1@example.com","password":"single-Pass-SECRET-1"}`)
	do("POST", "/v1/mgmt/user/create/batch", good, `{"users":[{"loginId":"pw2@example.com","password":"batch-Pass-SECRET-2"},
		{"loginId":"alice@example.com","password":"failed-Pass-SECRET-3"},{"loginId":"pw3@example.com","password":"short7"}]}`)
	do("POST", "/v1/mgmt/user/create/batch", good, `{"users":[{"loginId":"pw4@example.com","password":"failed-Pass-SECRET-3","nick":1}]}`)
	do("POST", "/v1/mgmt/user/create/batch", bad, `{"users":[{"loginId":"pw5@example.com","password":"failed-Pass-SECRET-3"}]}`)
	do("POST", "/v1/auth/password/signin", "Bearer "+pid, `{"loginId":"pw2@example.com","password":"failed-Pass-SECRET-3"}`)
	do("POST", "/v1/auth/password/signin", "Bearer "+pid, `{"loginId":"pw2@example.com","password":"batch-Pass-SECRET-2"}`)
	secrets = append(secrets, "temp-Pass-SECRET-4", "active-Pass-SECRET-5")
	do("POST", "/v1/mgmt/user/password/set/temporary", good, `{"loginId":"pw2@example.com","password":"temp-Pass-SECRET-4"}`)
	do("POST", "/v1/auth/password/signin", "Bearer "+pid, `{"loginId":"pw2@example.com","password":"temp-Pass-SECRET-4"}`)
	do("POST", "/v1/mgmt/user/password/set/active", bad, `{"loginId":"pw2@example.com","password":"active-Pass-SECRET-5"}`)
	do("POST", "/v1/mgmt/user/password/set/active", good, `{"loginId":"ghost@example.com","password":"active-Pass-SECRET-5"}`)
	do("POST", "/v1/mgmt/user/password/set/active", good, `{"loginId":"pw2@example.com","password":"active-Pass-SECRET-5"}`)
	do("POST", "/v1/mgmt/user/password/expire", good, `{"loginId":"pw2@example.com"}`)
	do("POST", "/v1/auth/password/signin", "Bearer "+pid, `{"loginId":"pw2@example.com","password":"active-Pass-SECRET-5"}`)

	reqs := do("GET", "/_mock/requests", "", "")
	out := logs.String() + reqs.Body.String()
	if !strings.Contains(out, "request refused") {
		t.Fatalf("no refusal was logged; the scan would prove nothing:\n%s", out)
	}
	for _, sec := range secrets {
		if sec == "" || strings.Contains(out, sec) {
			t.Errorf("logs contain the secret %q (or it is empty)", sec)
		}
	}
	for _, tok := range tokens {
		dot := strings.LastIndexByte(tok, '.')
		if dot < 0 || strings.Contains(out, tok[dot+1:]) || strings.Contains(out, tok[:dot]) {
			t.Errorf("logs contain (part of) a token: %.20s…", tok)
		}
	}
}
