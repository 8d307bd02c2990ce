package mockidp_test

import (
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/descope-harness/harness/internal/servertest"
	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// TestBrowserBadInput: every bad input to the browser's endpoints gets a
// precise 4xx with a Descope-shaped body naming what was wrong.
func TestBrowserBadInput(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	long := strings.Repeat("a", 300)
	tests := []struct {
		name, method, path, token, body string
		hdr                             []string
		status                          int
		code, says                      string
	}{
		{"malformed JSON", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":`, nil, 400, mockidp.CodeBadRequest, "malformed JSON"},
		{"trailing data", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"a@b.c"} {}`, nil, 400, mockidp.CodeBadRequest, "trailing data"},
		{"wrong type", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":7}`, nil, 400, mockidp.CodeBadRequest, "loginId"},
		{"no login ID", "POST", "/v1/auth/otp/signup-in/email", "", `{}`, nil, 400, mockidp.CodeMissingArgument, "loginId is required"},
		{"login ID too long", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"` + long + `@x.test"}`, nil, 400, mockidp.CodeInvalidArgument, "loginId is"},
		{"control character", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"a\u0007@b.test"}`, nil, 400, mockidp.CodeInvalidArgument, "control character"},
		{"no address to send to", "POST", "/v1/auth/otp/signup-in/sms", "", `{"loginId":"not-a-phone"}`, nil, 400, mockidp.CodeInvalidArgument, "phone number"},
		{"bad user email", "POST", "/v1/auth/otp/signup/email", "", `{"loginId":"u1","user":{"email":"nope"}}`, nil, 400, mockidp.CodeInvalidArgument, "user.email"},
		{"bad user phone", "POST", "/v1/auth/otp/signup/sms", "", `{"loginId":"u2","user":{"phone":"555"}}`, nil, 400, mockidp.CodeInvalidArgument, "user.phone"},
		{"relative URI", "POST", "/v1/auth/magiclink/signup-in/email", "", `{"loginId":"a@b.test","URI":"/verify"}`, nil, 400, mockidp.CodeInvalidArgument, "URI"},
		{"javascript URI", "POST", "/v1/auth/magiclink/signup-in/email", "", `{"loginId":"a@b.test","URI":"javascript:alert(1)"}`, nil, 400, mockidp.CodeInvalidArgument, "URI"},
		{"reserved custom claim", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"a@b.test","loginOptions":{"customClaims":{"sub":"x"}}}`, nil, 400, mockidp.CodeInvalidArgument, "customClaims.sub"},
		{"oversized custom claims", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"a@b.test","loginOptions":{"customClaims":{"k":"` + strings.Repeat("x", 17<<10) + `"}}}`, nil, 400, mockidp.CodeInvalidArgument, "MaxClaimsBytes"},
		{"unknown tenant", "POST", "/v1/auth/otp/signin/email", "", `{"loginId":"alice@example.com","loginOptions":{"tenantId":"T-none"}}`, nil, 400, mockidp.CodeInvalidArgument, "tenantId"},
		{"step-up of a sign-up", "POST", "/v1/auth/otp/signup/email", "", `{"loginId":"n@b.test","loginOptions":{"stepup":true}}`, nil, 400, mockidp.CodeInvalidArgument, "existing user"},
		{"body too large", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, mockidp.CodeTooLarge, "65536"},
		{"unknown delivery method", "POST", "/v1/auth/otp/signup-in/pigeon", "", `{"loginId":"a@b.test"}`, nil, 404, mockidp.CodeNotFound, "no route"},
		{"enchanted link by sms", "POST", "/v1/auth/enchantedlink/signin/sms", "", `{"loginId":"a@b.test"}`, nil, 404, mockidp.CodeNotFound, "no route"},
		{"GET a sign-in", "GET", "/v1/auth/otp/signin/email", "", "", nil, 405, mockidp.CodeMethod, "POST"},
		{"wrong project", "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"a@b.test"}`, []string{"Authorization", "Bearer P2Other00000000000000000000000"}, 401, mockidp.CodeBadClient, "project"},
		{"wrong code", "POST", "/v1/auth/otp/verify/email", "", `{"loginId":"alice@example.com","code":"000000"}`, nil, 401, mockidp.CodeInvalidToken, "unknown"},
		{"verify for nobody", "POST", "/v1/auth/otp/verify/email", "", `{"loginId":"nobody@example.com","code":"000000"}`, nil, 400, mockidp.CodeUserNotFound, "nobody"},
		{"unknown link", "POST", "/v1/auth/magiclink/verify", "", `{"token":"nope"}`, nil, 401, mockidp.CodeInvalidToken, "unknown or already used"},
		{"password too long", "POST", "/v1/auth/password/signin", "", `{"loginId":"alice@example.com","password":"` + long + `"}`, nil, 400, mockidp.CodeInvalidArgument, "password"},
		{"no password", "POST", "/v1/auth/password/signin", "", `{"loginId":"alice@example.com"}`, nil, 400, mockidp.CodeMissingArgument, "password"},
		{"bad refresh cookie name", "POST", "/v1/auth/try-refresh", "", `{}`, []string{"X-Descope-Refresh-Cookie-Name", "a b"}, 400, mockidp.CodeBadRequest, "cookie name"},
		{"history without a token", "GET", "/v1/auth/me/history", "", "", nil, 401, mockidp.CodeInvalidToken, "refresh JWT"},
		{"outbox filter twice", "GET", "/_mock/outbox?login_id=a&login_id=b", "", "", nil, 400, mockidp.CodeMockBadRequest, "once"},
		{"outbox POST", "POST", "/_mock/outbox", "", `{}`, []string{"Content-Type", "application/json"}, 405, mockidp.CodeMethod, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := descope(t, m, tt.method, tt.path, tt.token, tt.body, tt.hdr...)
			e := a.refused(t, tt.status, tt.code)
			if !strings.Contains(e.Message, tt.says) {
				t.Errorf("message %q does not say %q", e.Message, tt.says)
			}
		})
	}
}

// TestExpiredAndReusedLinks: the mock's clock expires codes and links;
// each is used once.
func TestExpiredAndReusedLinks(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	ctx := t.Context()
	descope(t, m, "POST", "/v1/auth/magiclink/signin/email", "", `{"loginId":"alice@example.com","URI":"http://localhost:3000/v"}`).ok(t)
	descope(t, m, "POST", "/v1/auth/otp/signin/email", "", `{"loginId":"alice@example.com"}`).ok(t)
	link := m.NextLink(ctx, "alice@example.com", mockidp.OutboxMagicLink)
	code := m.NextCode(ctx, "alice@example.com")
	if err := m.Advance(mockidp.DefaultCodeTTL + 1e9); err != nil {
		t.Fatal(err)
	}
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": link.Token})).refused(t, 401, mockidp.CodeWrongOTP)
	descope(t, m, "POST", "/v1/auth/otp/verify/email", "", jsonBody(t, map[string]any{"loginId": "alice@example.com", "code": code})).refused(t, 401, mockidp.CodeWrongOTP)
	// Expired once, gone afterwards.
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": link.Token})).refused(t, 401, mockidp.CodeInvalidToken)
	// Five wrong codes void a code.
	descope(t, m, "POST", "/v1/auth/otp/signin/email", "", `{"loginId":"alice@example.com"}`).ok(t)
	good := m.NextCode(ctx, "alice@example.com")
	for i := 0; i < 4; i++ {
		descope(t, m, "POST", "/v1/auth/otp/verify/email", "", `{"loginId":"alice@example.com","code":"x"}`).refused(t, 401, mockidp.CodeWrongOTP)
	}
	descope(t, m, "POST", "/v1/auth/otp/verify/email", "", `{"loginId":"alice@example.com","code":"x"}`).refused(t, 401, mockidp.CodeOTPAttempts)
	descope(t, m, "POST", "/v1/auth/otp/verify/email", "", jsonBody(t, map[string]any{"loginId": "alice@example.com", "code": good})).refused(t, 401, mockidp.CodeInvalidToken)
}

// TestBrowserLogsHoldNoSecrets: sign-ins of every kind, failing and
// succeeding, at debug level: no code, link token, pending reference,
// password or JWT in any log line or the request log.
func TestBrowserLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs servertest.Buffer
	p := mockidp.DefaultProject()
	p.Users[0].Password = "s3cret-Pass-Z9"
	m := mockidptest.Start(t, mockidp.Config{Project: p, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := t.Context()
	secrets := []string{"s3cret-Pass-Z9", "wr0ng-Pass-Q8", "longenough-pw-K7"}
	var tokens []string
	for _, method := range []string{"email", "sms"} {
		login := map[string]string{"email": "alice@example.com", "sms": "+15555550123"}[method]
		descope(t, m, "POST", "/v1/auth/otp/signin/"+method, "", jsonBody(t, map[string]any{"loginId": login}))
		code := m.NextCode(ctx, login)
		secrets = append(secrets, code)
		descope(t, m, "POST", "/v1/auth/otp/verify/"+method, "", jsonBody(t, map[string]any{"loginId": login, "code": code + "1"}))
		a := descope(t, m, "POST", "/v1/auth/otp/verify/"+method, "", jsonBody(t, map[string]any{"loginId": login, "code": code}))
		tokens = append(tokens, a.json(t)["sessionJwt"].(string), a.json(t)["refreshJwt"].(string))
		descope(t, m, "POST", "/v1/auth/otp/verify/"+method, "", jsonBody(t, map[string]any{"loginId": login, "code": code}))
	}
	descope(t, m, "POST", "/v1/auth/magiclink/signup-in/email", "", `{"loginId":"new@example.com","URI":"http://localhost:1/v"}`)
	ml := m.NextLink(ctx, "new@example.com", mockidp.OutboxMagicLink)
	secrets = append(secrets, ml.Token)
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": ml.Token}))
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": ml.Token}))
	start := descope(t, m, "POST", "/v1/auth/enchantedlink/signin/email", "", `{"loginId":"alice@example.com"}`).json(t)
	el := m.NextLink(ctx, "alice@example.com", mockidp.OutboxEnchantedLink)
	ref := start["pendingRef"].(string)
	secrets = append(secrets, el.Token, ref)
	descope(t, m, "POST", "/v1/auth/enchantedlink/pending-session", "", jsonBody(t, map[string]any{"pendingRef": ref}))
	descope(t, m, "POST", "/v1/auth/enchantedlink/verify", "", jsonBody(t, map[string]any{"token": el.Token}))
	descope(t, m, "POST", "/v1/auth/enchantedlink/pending-session", "", jsonBody(t, map[string]any{"pendingRef": ref}))
	descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"alice@example.com","password":"wr0ng-Pass-Q8"}`)
	descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"alice@example.com","password":"s3cret-Pass-Z9"}`)
	descope(t, m, "POST", "/v1/auth/password/signup", "", `{"loginId":"pw@example.com","password":"longenough-pw-K7"}`)
	emb := descope(t, m, "POST", "/v1/mgmt/user/signin/embeddedlink", "mock-management-key-secret", `{"loginId":"alice@example.com"}`).json(t)
	secrets = append(secrets, emb["token"].(string))
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": emb["token"]}))
	descope(t, m, "POST", "/v1/auth/try-refresh", tokens[1], "{}")
	descope(t, m, "GET", "/v1/auth/me/history", tokens[1], "")

	reqs := descope(t, m, "GET", "/_mock/requests", "", "")
	out := logs.String() + string(reqs.body)
	if !strings.Contains(out, "request refused") || !strings.Contains(out, "sign-in started") {
		t.Fatalf("no refusal or sign-in was logged; the scan would prove nothing:\n%s", out)
	}
	for _, sec := range secrets {
		// A six-digit code is looked for as a number of its own: inside
		// a timestamp's digits it is no leak.
		if sec == "" || regexp.MustCompile(`(^|[^0-9])`+regexp.QuoteMeta(sec)+`([^0-9]|$)`).MatchString(out) {
			t.Errorf("logs contain the secret %q (or it is empty)", sec)
		}
	}
	for _, tok := range tokens {
		dot := strings.LastIndexByte(tok, '.')
		if dot < 0 || strings.Contains(out, tok[dot+1:]) || strings.Contains(out, tok[:dot]) {
			t.Errorf("logs contain (part of) a token: %.20s…", tok)
		}
	}
	var lines int
	for _, l := range strings.Split(logs.String(), "\n") {
		if json.Valid([]byte(l)) {
			lines++
		}
	}
	if lines == 0 {
		t.Fatal("no log lines")
	}
}
