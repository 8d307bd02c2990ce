package mockidp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// answer is a response of the mock read in full over HTTP.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("status %d body %s: %v", a.status, a.body, err)
	}
	return v
}

// ok fails unless the answer is a 200 and returns its JSON object.
func (a answer) ok(t *testing.T) map[string]any {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", a.status, a.body)
	}
	return a.json(t)
}

// refused fails unless the answer is a Descope error of status and code.
func (a answer) refused(t *testing.T, status int, code string) mockidp.Error {
	t.Helper()
	e := errorBody(t, a.status, a.body)
	if a.status != status || e.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", a.status, e.Code, e.Message, status, code)
	}
	return e
}

// descope sends a Descope API call as the SDKs do: Authorization Bearer
// {projectId}[:{token}] and a JSON body.
func descope(t *testing.T, m *mockidptest.Mock, method, path, token, body string, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, m.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	bearer := mockidp.DefaultProjectID
	if token != "" {
		bearer += ":" + token
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := m.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOTPSignUpOrInEveryMethod: sign-up-or-in of a new login ID on every
// delivery method sends a code to the outbox, answers the masked address,
// and the verify endpoint of the method creates the user and signs it in.
func TestOTPSignUpOrInEveryMethod(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	for _, tt := range []struct{ method, loginID, masked, maskedKey string }{
		{"email", "new.person@example.com", "n***@example.com", "maskedEmail"},
		{"sms", "+15550001111", "+*******1111", "maskedPhone"},
		{"voice", "+15550002222", "+*******2222", "maskedPhone"},
		{"whatsapp", "+15550003333", "+*******3333", "maskedPhone"},
		{"im", "+15550004444", "+*******4444", "maskedPhone"},
	} {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			start := descope(t, m, "POST", "/v1/auth/otp/signup-in/"+tt.method, "", jsonBody(t, map[string]any{"loginId": tt.loginID})).ok(t)
			if start[tt.maskedKey] != tt.masked || len(start) != 1 {
				t.Fatalf("start answered %v, want only %s %q", start, tt.maskedKey, tt.masked)
			}
			if _, ok := m.LookupUser(tt.loginID); ok {
				t.Fatal("the user exists before the code is used")
			}
			msgs := m.Outbox(tt.loginID)
			if len(msgs) != 1 || msgs[0].Kind != mockidp.OutboxOTP || msgs[0].Method != tt.method || len(msgs[0].Code) != 6 || msgs[0].To != tt.loginID || msgs[0].SentAt.IsZero() {
				t.Fatalf("outbox %+v", msgs)
			}
			jr := descope(t, m, "POST", "/v1/auth/otp/verify/"+tt.method, "", jsonBody(t, map[string]any{"loginId": tt.loginID, "code": msgs[0].Code})).ok(t)
			if jr["firstSeen"] != true || jr["sessionJwt"] == "" || jr["refreshJwt"] == "" {
				t.Fatalf("verify answered %v", jr)
			}
			u, ok := m.LookupUser(tt.loginID)
			if !ok {
				t.Fatal("no user after the code was used")
			}
			if tt.method == "email" && (!u.VerifiedEmail || u.Email != tt.loginID) || tt.method != "email" && (!u.VerifiedPhone || u.Phone != tt.loginID) {
				t.Errorf("created user %+v", u)
			}
			claims := verifiedClaimsT(t, m, jr["sessionJwt"].(string))
			if claims["sub"] != u.ID {
				t.Errorf("sub %v, want %s", claims["sub"], u.ID)
			}
			// Signed up: sign-in now finds the user, and sign-up refuses it.
			descope(t, m, "POST", "/v1/auth/otp/signin/"+tt.method, "", jsonBody(t, map[string]any{"loginId": tt.loginID})).ok(t)
			descope(t, m, "POST", "/v1/auth/otp/signup/"+tt.method, "", jsonBody(t, map[string]any{"loginId": tt.loginID})).refused(t, 400, mockidp.CodeUserExists)
		})
	}
}

// verifiedClaimsT checks a token's signature against the mock's key set.
func verifiedClaimsT(t *testing.T, m *mockidptest.Mock, token string) map[string]any {
	t.Helper()
	claims, err := m.VerifyToken(token)
	if err != nil {
		t.Fatalf("token refused: %v", err)
	}
	return claims
}

// TestSignInModes: Descope's semantics of sign-in, sign-up and
// sign-up-or-in for a known and an unknown login ID, on each way to sign in.
func TestSignInModes(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	known := "alice@example.com"
	for _, kind := range []string{"otp", "magiclink", "enchantedlink"} {
		for _, tt := range []struct {
			mode     string
			loginID  string
			wantCode string
		}{
			{"signin", known, ""},
			{"signin", "nobody-" + kind + "@example.com", mockidp.CodeUserNotFound},
			{"signup", known, mockidp.CodeUserExists},
			{"signup", "fresh-" + kind + "@example.com", ""},
			{"signup-in", known, ""},
			{"signup-in", "other-" + kind + "@example.com", ""},
		} {
			before := len(m.Outbox(tt.loginID))
			a := descope(t, m, "POST", "/v1/auth/"+kind+"/"+tt.mode+"/email", "", jsonBody(t, map[string]any{"loginId": tt.loginID, "URI": "http://localhost:5173/verify"}))
			if tt.wantCode != "" {
				a.refused(t, 400, tt.wantCode)
				if len(m.Outbox(tt.loginID)) != before {
					t.Errorf("%s %s %s: a refused sign-in left a message", kind, tt.mode, tt.loginID)
				}
				continue
			}
			if got := a.ok(t)["maskedEmail"]; got == "" || got == nil {
				t.Errorf("%s %s: no maskedEmail in %s", kind, tt.mode, a.body)
			}
		}
	}
}

func TestMagicLinkSignIn(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	ctx := t.Context()
	descope(t, m, "POST", "/v1/auth/magiclink/signup-in/email", "", `{"loginId":"ml@example.com","URI":"http://localhost:5173/verify?from=mail"}`).ok(t)
	msg := m.NextLink(ctx, "ml@example.com", mockidp.OutboxMagicLink)
	link, err := url.Parse(msg.Link)
	if err != nil || link.Host != "localhost:5173" || link.Path != "/verify" || link.Query().Get("from") != "mail" || link.Query().Get("t") != msg.Token || msg.Token == "" {
		t.Fatalf("link %q token %q", msg.Link, msg.Token)
	}
	jr := descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": msg.Token})).ok(t)
	if jr["user"].(map[string]any)["email"] != "ml@example.com" {
		t.Errorf("user %v", jr["user"])
	}
	// Used: refused again.
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": msg.Token})).refused(t, 401, mockidp.CodeInvalidToken)
	// SMS magic link of a user with a phone.
	descope(t, m, "POST", "/v1/auth/magiclink/signup-in/sms", "", `{"loginId":"+15557654321"}`).ok(t)
	sms := m.NextLink(ctx, "+15557654321", mockidp.OutboxMagicLink)
	if sms.Method != "sms" || !strings.HasPrefix(sms.Link, m.URL+"/magiclink?t=") {
		t.Errorf("sms link %+v", sms)
	}
	// voice has no magic link in core-js-sdk.
	descope(t, m, "POST", "/v1/auth/magiclink/signup-in/voice", "", `{"loginId":"+15557654321"}`).refused(t, 404, mockidp.CodeNotFound)
}

func TestEnchantedLinkSignIn(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	start := descope(t, m, "POST", "/v1/auth/enchantedlink/signin/email", "", `{"loginId":"alice@example.com","URI":"http://localhost:5173/verify"}`).ok(t)
	ref, _ := start["pendingRef"].(string)
	if ref == "" || start["linkId"] == "" || start["maskedEmail"] != "a***@example.com" {
		t.Fatalf("start answered %v", start)
	}
	msg := m.NextLink(t.Context(), "alice@example.com", mockidp.OutboxEnchantedLink)
	if msg.LinkID != start["linkId"] {
		t.Errorf("outbox link_id %q, answer linkId %v", msg.LinkID, start["linkId"])
	}
	poll := func() answer {
		return descope(t, m, "POST", "/v1/auth/enchantedlink/pending-session", "", jsonBody(t, map[string]any{"pendingRef": ref}))
	}
	poll().refused(t, 401, mockidp.CodePendingLink)
	descope(t, m, "POST", "/v1/auth/enchantedlink/verify", "", jsonBody(t, map[string]any{"token": msg.Token})).ok(t)
	jr := poll().ok(t)
	if jr["sessionJwt"] == "" || jr["user"].(map[string]any)["userId"] != "U2MockUserAlice0000000000001" {
		t.Fatalf("pending session %v", jr)
	}
	poll().refused(t, 401, mockidp.CodeInvalidToken)
}

// TestOutboxControlPlane: GET lists oldest first and filters by login ID,
// DELETE empties, reset empties, and the mockclient reads the same.
func TestOutboxControlPlane(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	for _, l := range []string{"a@example.com", "b@example.com", "a@example.com"} {
		descope(t, m, "POST", "/v1/auth/otp/signup-in/email", "", jsonBody(t, map[string]any{"loginId": l})).ok(t)
	}
	var all struct{ Messages []map[string]any }
	r := descope(t, m, "GET", "/_mock/outbox", "", "")
	if err := json.Unmarshal(r.body, &all); err != nil || len(all.Messages) != 3 {
		t.Fatalf("GET /_mock/outbox: %d %s", r.status, r.body)
	}
	for i, want := range []string{"a@example.com", "b@example.com", "a@example.com"} {
		msg := all.Messages[i]
		if msg["login_id"] != want || msg["kind"] != "otp" || msg["method"] != "email" || msg["code"] == "" || msg["sent_at"] == "" {
			t.Errorf("message %d: %v", i, msg)
		}
		for _, k := range []string{"link", "token"} {
			if _, ok := msg[k]; ok {
				t.Errorf("message %d of an OTP has %s", i, k)
			}
		}
	}
	mc := &mockclient.Client{BaseURL: m.URL, HTTP: m.Client()}
	ctx := context.Background()
	as, err := mc.Outbox(ctx, "a@example.com")
	if err != nil || len(as) != 2 || as[0].ID >= as[1].ID {
		t.Fatalf("mockclient Outbox(a): %v %+v", err, as)
	}
	// The second code replaced the first (a resend): only it verifies.
	descope(t, m, "POST", "/v1/auth/otp/verify/email", "", jsonBody(t, map[string]any{"loginId": "a@example.com", "code": as[1].Code})).ok(t)
	next, err := mc.WaitOutbox(ctx, "b@example.com", mockclient.OutboxOTP, 0)
	if err != nil || next.LoginID != "b@example.com" {
		t.Fatalf("WaitOutbox: %v %+v", err, next)
	}
	descope(t, m, "GET", "/_mock/outbox?user=x", "", "").refused(t, 400, mockidp.CodeMockBadRequest)
	if err := mc.ClearOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := mc.Outbox(ctx, ""); len(got) != 0 {
		t.Fatalf("after DELETE: %+v", got)
	}
	descope(t, m, "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"c@example.com"}`).ok(t)
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := m.Outbox(""); len(got) != 0 {
		t.Fatalf("after reset: %+v", got)
	}
}

// TestNextCodeWaits: NextCode returns a code sent after it began waiting,
// and each call the following one.
func TestNextCodeWaits(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	got := make(chan string)
	go func() { got <- m.NextCode(t.Context(), "w@example.com") }()
	// The waiter may not be waiting yet: whichever comes first, the code is found.
	descope(t, m, "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"w@example.com"}`).ok(t)
	first := <-got
	if first != m.Outbox("w@example.com")[0].Code {
		t.Fatalf("NextCode %q, outbox %+v", first, m.Outbox("w@example.com"))
	}
	descope(t, m, "POST", "/v1/auth/otp/signup-in/email", "", `{"loginId":"w@example.com"}`).ok(t)
	if second := m.NextCode(t.Context(), "w@example.com"); second != m.Outbox("w@example.com")[1].Code {
		t.Fatalf("second NextCode %q", second)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.WaitOutbox(ctx, "w@example.com", mockidp.OutboxOTP, m.Outbox("w@example.com")[1].ID); err == nil {
		t.Fatal("WaitOutbox with an ended context and nothing new: no error")
	}
}

func TestPasswordSignUpAndIn(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	for i := range p.Users {
		if p.Users[i].LoginIDs[0] == "alice@example.com" {
			p.Users[i].Password = "correct horse"
		}
	}
	m := mockidptest.Start(t, mockidp.Config{Project: p})
	jr := descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"alice@example.com","password":"correct horse"}`).ok(t)
	if c := verifiedClaimsT(t, m, jr["sessionJwt"].(string)); c["amr"].([]any)[0] != "pwd" {
		t.Errorf("amr %v", c["amr"])
	}
	descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"alice@example.com","password":"wrong horse"}`).refused(t, 401, mockidp.CodeWrongPassword)
	descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"admin@example.com","password":"anything"}`).refused(t, 401, mockidp.CodeWrongPassword)
	descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"nobody@example.com","password":"anything"}`).refused(t, 400, mockidp.CodeUserNotFound)
	descope(t, m, "POST", "/v1/auth/password/signup", "", `{"loginId":"alice@example.com","password":"longenough"}`).refused(t, 400, mockidp.CodeUserExists)
	descope(t, m, "POST", "/v1/auth/password/signup", "", `{"loginId":"pw@example.com","password":"short"}`).refused(t, 400, mockidp.CodeInvalidArgument)
	up := descope(t, m, "POST", "/v1/auth/password/signup", "", `{"loginId":"pw@example.com","password":"longenough","user":{"name":"Pat W"},"loginOptions":{"customClaims":{"plan":"pro"}}}`).ok(t)
	if up["firstSeen"] != true || up["user"].(map[string]any)["name"] != "Pat W" {
		t.Errorf("sign-up answered %v", up)
	}
	if c := verifiedClaimsT(t, m, up["sessionJwt"].(string)); c["plan"] != "pro" {
		t.Errorf("custom claim plan %v", c["plan"])
	}
	descope(t, m, "POST", "/v1/auth/password/signin", "", `{"loginId":"pw@example.com","password":"longenough"}`).ok(t)
	// The password is never shown.
	if r := descope(t, m, "GET", "/_mock/users/pw@example.com", "", ""); strings.Contains(string(r.body), "longenough") {
		t.Errorf("control plane shows the password: %s", r.body)
	}
}

// TestLoginOptions: custom claims reach the tokens; step-up and MFA extend
// the session of the refresh JWT sent, and need it; tenantId sets dct.
func TestLoginOptions(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	ctx := t.Context()
	signIn := func(method, loginID, token, options string) map[string]any {
		t.Helper()
		descope(t, m, "POST", "/v1/auth/otp/signin/"+method, token, `{"loginId":"`+loginID+`","loginOptions":`+options+`}`).ok(t)
		return descope(t, m, "POST", "/v1/auth/otp/verify/"+method, "", jsonBody(t, map[string]any{"loginId": loginID, "code": m.NextCode(ctx, loginID)})).ok(t)
	}
	first := signIn("email", "alice@example.com", "", `{"customClaims":{"plan":"gold"}}`)
	if c := verifiedClaimsT(t, m, first["sessionJwt"].(string)); c["plan"] != "gold" || c["su"] != nil {
		t.Fatalf("claims %v", c)
	}
	descope(t, m, "POST", "/v1/auth/otp/signin/email", "", `{"loginId":"alice@example.com","loginOptions":{"stepup":true}}`).refused(t, 401, mockidp.CodeInvalidToken)
	descope(t, m, "POST", "/v1/auth/otp/signin/email", "", `{"loginId":"alice@example.com","loginOptions":{"customClaims":{"amr":["x"]}}}`).refused(t, 400, mockidp.CodeInvalidArgument)
	up := signIn("email", "alice@example.com", first["refreshJwt"].(string), `{"stepup":true}`)
	c := verifiedClaimsT(t, m, up["sessionJwt"].(string))
	if c["su"] != true || c["plan"] != "gold" {
		t.Errorf("step-up claims %v", c)
	}
	// Another user's refresh JWT does not step this one up.
	admin, err := m.MintSession(mockidp.SessionMintRequest{User: "admin@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	descope(t, m, "POST", "/v1/auth/otp/signin/email", admin.RefreshJWT, `{"loginId":"alice@example.com","loginOptions":{"mfa":true}}`).refused(t, 401, mockidp.CodeInvalidToken)
	// MFA: a second factor by SMS adds sms to the amr of the email session.
	multi := signIn("email", "multi@example.com", "", `{}`)
	mfa := signIn("sms", "+15555550123", multi["refreshJwt"].(string), `{"mfa":true}`)
	if c := verifiedClaimsT(t, m, mfa["sessionJwt"].(string)); jsonBody(t, c["amr"]) != `["email","sms"]` || c["su"] != nil {
		t.Errorf("MFA claims amr %v su %v", c["amr"], c["su"])
	}
	// tenantId: the session's dct, a tenant of the user.
	acme := signIn("email", "multi@example.com", "", `{"tenantId":"T2MockTenantGlobex0000000002"}`)
	if c := verifiedClaimsT(t, m, acme["sessionJwt"].(string)); c["dct"] != "T2MockTenantGlobex0000000002" {
		t.Errorf("dct %v", c["dct"])
	}
	descope(t, m, "POST", "/v1/auth/otp/signin/email", "", `{"loginId":"alice@example.com","loginOptions":{"tenantId":"T2MockTenantGlobex0000000002"}}`).refused(t, 400, mockidp.CodeInvalidArgument)
}

// TestEmbeddedLink: the management API's way to sign in any user from a
// test: a token that magic-link verify turns into a session, once.
func TestEmbeddedLink(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	const key = "mock-management-key-secret"
	gen := descope(t, m, "POST", "/v1/mgmt/user/signin/embeddedlink", key, `{"loginId":"alice@example.com","customClaims":{"k":"v"},"timeout":60}`).ok(t)
	token, _ := gen["token"].(string)
	if token == "" {
		t.Fatalf("answer %v", gen)
	}
	jr := descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": token})).ok(t)
	if c := verifiedClaimsT(t, m, jr["sessionJwt"].(string)); c["k"] != "v" || c["sub"] != "U2MockUserAlice0000000000001" {
		t.Errorf("claims %v", c)
	}
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": token})).refused(t, 401, mockidp.CodeInvalidToken)
	descope(t, m, "POST", "/v1/mgmt/user/signin/embeddedlink", "", `{"loginId":"alice@example.com"}`).refused(t, 401, mockidp.CodeBadClient)
	descope(t, m, "POST", "/v1/mgmt/user/signin/embeddedlink", key, `{"loginId":"nobody@example.com"}`).refused(t, 400, mockidp.CodeMgmtUserNotFound)
	descope(t, m, "POST", "/v1/mgmt/user/signin/embeddedlink", key, `{"loginId":"alice@example.com","timeout":-1}`).refused(t, 400, mockidp.CodeInvalidArgument)
	// Expiry on the mock's clock.
	gen = descope(t, m, "POST", "/v1/mgmt/user/signin/embeddedlink", key, `{"loginId":"alice@example.com","timeout":30}`).ok(t)
	if err := m.Advance(31 * 1e9); err != nil {
		t.Fatal(err)
	}
	descope(t, m, "POST", "/v1/auth/magiclink/verify", "", jsonBody(t, map[string]any{"token": gen["token"]})).refused(t, 401, mockidp.CodeWrongOTP)
}
