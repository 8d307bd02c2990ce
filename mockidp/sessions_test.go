package mockidp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

const (
	mgmtKey   = "mock-management-key-secret"
	testLogin = "test-user@example.com"
	multiUser = "multi@example.com"
	acme      = "T2MockTenantAcme000000000001"
	globex    = "T2MockTenantGlobex0000000002"
)

// sessionServer is a Server and helpers to call it in-process.
type sessionServer struct {
	t *testing.T
	*mockidp.Server
}

func newSessionServer(t *testing.T, edit func(p *mockidp.Project)) sessionServer {
	t.Helper()
	p := mockidp.DefaultProject()
	if edit != nil {
		edit(p)
	}
	s, err := mockidp.New(mockidp.Config{Project: p, KeyPEM: fixtures.KeyPEMs(), PublicURL: "http://mockidp.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return sessionServer{t, s}
}

// do sends one request; auth is the Authorization header ("" for none).
func (s sessionServer) do(method, path, auth, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	return rec
}

func mgmt() string                { return "Bearer " + mockidp.DefaultProjectID + ":" + mgmtKey }
func withRefresh(t string) string { return "Bearer " + mockidp.DefaultProjectID + ":" + t }

// ok decodes a 200 body into v, failing otherwise.
func (s sessionServer) ok(rec *httptest.ResponseRecorder, v any) {
	s.t.Helper()
	if rec.Code != http.StatusOK {
		s.t.Fatalf("got %d %s, want 200", rec.Code, rec.Body.Bytes())
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			s.t.Fatalf("body %s: %v", rec.Body.Bytes(), err)
		}
	}
}

// refused checks a Descope error's status and code.
func (s sessionServer) refused(rec *httptest.ResponseRecorder, status int, code string) mockidp.Error {
	s.t.Helper()
	var e mockidp.Error
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Code != code || e.Message == "" {
		s.t.Fatalf("got %d %s, want %d %s", rec.Code, rec.Body.Bytes(), status, code)
	}
	return e
}

// login runs the test-user OTP flow and returns the tokens.
func (s sessionServer) login(loginID string) mockidp.JWTResponse {
	s.t.Helper()
	var gen struct{ LoginID, Code string }
	s.ok(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"`+loginID+`","deliveryMethod":"email"}`), &gen)
	var jr mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/auth/otp/verify/email", "Bearer "+mockidp.DefaultProjectID, `{"loginId":"`+loginID+`","code":"`+gen.Code+`"}`), &jr)
	return jr
}

// linkToken is the t= query parameter of a generated link.
func linkToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("t") == "" {
		t.Fatalf("link %q has no t= token", link)
	}
	return u.Query().Get("t")
}

func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	_, c, err := decodeSegments(token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Descope's documented test-user flow: create a test user, generate an OTP,
// verify it, refresh, delete all test users; the tokens have Descope's shapes.
func TestTestUserOTPFlow(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	var created struct{ User mockidp.UserResponse }
	s.ok(s.do("POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"ci@example.com","email":"ci@example.com","displayName":"CI","test":true,"roleNames":["user"]}`), &created)
	if !created.User.Test || created.User.UserID == "" || created.User.Name != "CI" || created.User.CustomAttributes == nil {
		t.Fatalf("created user %+v", created.User)
	}
	jr := s.login("ci@example.com")
	if !jr.FirstSeen || jr.User == nil || jr.User.UserID != created.User.UserID || jr.CookiePath != "/" || jr.CookieMaxAge <= 0 {
		t.Errorf("verify response %+v", jr)
	}
	sc, rc := claimsOf(t, jr.SessionJwt), claimsOf(t, jr.RefreshJwt)
	if sc["drn"] != "DS" || rc["drn"] != "DSR" || sc["tu"] != true || sc["sub"] != created.User.UserID {
		t.Errorf("session claims %v, refresh claims %v", sc, rc)
	}
	if amr, _ := sc["amr"].([]any); len(amr) != 1 || amr[0] != "email" {
		t.Errorf("amr %v, want [email]", sc["amr"])
	}
	if _, err := time.Parse(time.RFC3339, sc["rexp"].(string)); err != nil || sc["iss"] != "http://mockidp.test/"+mockidp.DefaultProjectID {
		t.Errorf("rexp %v iss %v", sc["rexp"], sc["iss"])
	}
	if got := sc["permissions"].([]any); len(got) != 1 || got[0] != "data.read" {
		t.Errorf("permissions %v, want the user role's [data.read]", got)
	}
	// The code is single use.
	var again mockidp.JWTResponse
	s.Advance(time.Second)
	s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(jr.RefreshJwt), `{}`), &again)
	if again.SessionJwt == "" || again.SessionJwt == jr.SessionJwt || again.RefreshJwt != "" {
		t.Errorf("refresh: session %q (want a new one), refresh %q (want none without rotation)", again.SessionJwt, again.RefreshJwt)
	}
	s.ok(s.do("DELETE", "/v1/mgmt/user/test/delete/all", mgmt(), ""), nil)
	s.refused(s.do("GET", "/v1/mgmt/user?loginId=ci@example.com", mgmt(), ""), http.StatusBadRequest, mockidp.CodeMgmtUserNotFound)
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(jr.RefreshJwt), `{}`), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	if _, ok := s.LookupUser("alice@example.com"); !ok {
		t.Error("delete all test users deleted an ordinary user")
	}
}

// Codes are single use and expire on the mock's clock; wrong codes are
// counted; only test users get codes.
func TestCodesSingleUseAndExpiring(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	pidOnly := "Bearer " + mockidp.DefaultProjectID
	gen := func() string {
		var g struct{ Code string }
		s.ok(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"`+testLogin+`","deliveryMethod":"sms"}`), &g)
		return g.Code
	}
	code := gen()
	verify := func(c string) *httptest.ResponseRecorder {
		return s.do("POST", "/v1/auth/otp/verify/sms", pidOnly, `{"loginId":"`+testLogin+`","code":"`+c+`"}`)
	}
	s.refused(s.do("POST", "/v1/auth/otp/verify/email", pidOnly, `{"loginId":"`+testLogin+`","code":"`+code+`"}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	s.refused(verify(wrong), http.StatusUnauthorized, mockidp.CodeWrongOTP)
	var jr mockidp.JWTResponse
	s.ok(verify(code), &jr)
	if amr := claimsOf(t, jr.SessionJwt)["amr"].([]any); amr[0] != "sms" {
		t.Errorf("amr %v, want [sms]", amr)
	}
	s.refused(verify(code), http.StatusUnauthorized, mockidp.CodeInvalidToken)

	code = gen()
	s.Advance(3*time.Minute + time.Second)
	s.refused(verify(code), http.StatusUnauthorized, mockidp.CodeWrongOTP)

	code = gen()
	for range 4 {
		s.refused(verify(wrong), http.StatusUnauthorized, mockidp.CodeWrongOTP)
	}
	s.refused(verify(wrong), http.StatusUnauthorized, mockidp.CodeOTPAttempts)
	s.refused(verify(code), http.StatusUnauthorized, mockidp.CodeInvalidToken)

	s.refused(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"alice@example.com","deliveryMethod":"email"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"nobody@example.com","deliveryMethod":"email"}`), http.StatusBadRequest, mockidp.CodeMgmtUserNotFound)
	s.refused(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"`+testLogin+`","deliveryMethod":"pigeon"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
}

// Magic links carry the token in t= of the URI the SDKs send; enchanted
// links are pending until verified, then give the session once.
func TestLinks(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	pidOnly := "Bearer " + mockidp.DefaultProjectID
	var ml struct{ LoginID, Link string }
	s.ok(s.do("POST", "/v1/mgmt/tests/generate/magiclink", mgmt(), `{"loginId":"`+testLogin+`","deliveryMethod":"email","URI":"https://app.test/verify?x=1"}`), &ml)
	if !strings.HasPrefix(ml.Link, "https://app.test/verify?") || !strings.Contains(ml.Link, "x=1") {
		t.Fatalf("link %q does not keep the URI", ml.Link)
	}
	token := linkToken(t, ml.Link)
	var jr mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/auth/magiclink/verify", pidOnly, `{"token":"`+token+`"}`), &jr)
	if claimsOf(t, jr.RefreshJwt)["drn"] != "DSR" {
		t.Errorf("magic link gave no refresh JWT: %+v", jr)
	}
	s.refused(s.do("POST", "/v1/auth/magiclink/verify", pidOnly, `{"token":"`+token+`"}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)

	var el struct{ LoginID, Link, PendingRef string }
	s.ok(s.do("POST", "/v1/mgmt/tests/generate/enchantedlink", mgmt(), `{"loginId":"`+testLogin+`","URI":"https://app.test/e"}`), &el)
	pending := `{"pendingRef":"` + el.PendingRef + `"}`
	s.refused(s.do("POST", "/v1/auth/enchantedlink/pending-session", pidOnly, pending), http.StatusUnauthorized, mockidp.CodePendingLink)
	etoken := linkToken(t, el.Link)
	s.refused(s.do("POST", "/v1/auth/magiclink/verify", pidOnly, `{"token":"`+etoken+`"}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	s.ok(s.do("POST", "/v1/auth/enchantedlink/verify", pidOnly, `{"token":"`+etoken+`"}`), nil)
	s.ok(s.do("POST", "/v1/auth/enchantedlink/pending-session", pidOnly, pending), &jr)
	s.refused(s.do("POST", "/v1/auth/enchantedlink/pending-session", pidOnly, pending), http.StatusUnauthorized, mockidp.CodeInvalidToken)
}

// Refresh, rotation and reuse, logout, logout-all, tenant select, me.
func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.RefreshRotation = true })
	jr := s.login(testLogin)
	var next mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(jr.RefreshJwt)+":auth-mgmt-key", ""), &next)
	if next.RefreshJwt == "" || next.RefreshJwt == jr.RefreshJwt {
		t.Fatalf("rotation gave refresh %q", next.RefreshJwt)
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(jr.RefreshJwt), `{}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(next.SessionJwt), `{}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)

	var me mockidp.UserResponse
	s.ok(s.do("GET", "/v1/auth/me", withRefresh(next.RefreshJwt), ""), &me)
	if me.UserID != "U2MockUserTest00000000000004" || !me.Test || me.LoginIDs[0] != testLogin {
		t.Errorf("me %+v", me)
	}
	s.ok(s.do("POST", "/v1/auth/logout", withRefresh(next.RefreshJwt), `{}`), nil)
	e := s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(next.RefreshJwt), `{}`), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	if !strings.Contains(e.Message, "logout") {
		t.Errorf("message %q does not say logout", e.Message)
	}

	// Logout-all ends every session of the user.
	a, b := s.login(testLogin), s.login(testLogin)
	s.ok(s.do("POST", "/v1/auth/logoutall", withRefresh(a.RefreshJwt), `{}`), nil)
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(b.RefreshJwt), `{}`), http.StatusUnauthorized, mockidp.CodeLoggedOut)

	// Tenant select: dct and the tenant's grants.
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: multiUser})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pair.SessionClaims["dct"]; ok {
		t.Errorf("a two-tenant user's session has dct %v before a selection", pair.SessionClaims["dct"])
	}
	var sel mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/auth/tenant/select", withRefresh(pair.RefreshJWT), `{"tenant":"`+globex+`"}`), &sel)
	if c := claimsOf(t, sel.SessionJwt); c["dct"] != globex || claimsOf(t, sel.RefreshJwt)["dct"] != globex {
		t.Errorf("after select: session dct %v", c["dct"])
	}
	var mt struct{ Tenants []mockidp.MeTenant }
	s.ok(s.do("POST", "/v1/auth/me/tenants", withRefresh(sel.RefreshJwt), `{"dct":true}`), &mt)
	if len(mt.Tenants) != 1 || mt.Tenants[0].ID != globex || mt.Tenants[0].Name != "Globex" {
		t.Errorf("me/tenants dct: %+v", mt.Tenants)
	}
	s.ok(s.do("POST", "/v1/auth/me/tenants", withRefresh(sel.RefreshJwt), `{}`), &mt)
	if len(mt.Tenants) != 2 {
		t.Errorf("me/tenants: %+v, want both", mt.Tenants)
	}
	s.refused(s.do("POST", "/v1/auth/tenant/select", withRefresh(sel.RefreshJwt), `{"tenant":"T-none"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("POST", "/v1/auth/tenant/select", withRefresh(sel.RefreshJwt), `{}`), http.StatusBadRequest, mockidp.CodeMissingArgument)
}

// The control plane's presets break exactly what they name.
func TestSessionPresets(t *testing.T) {
	t.Parallel()
	// A refresh lifetime of an hour: advancing the clock past it rotates
	// the signing key once, not the 28 times four weeks would.
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.RefreshTTL = mockidp.Duration(time.Hour) })
	refresh := func(token string) *httptest.ResponseRecorder {
		return s.do("POST", "/v1/auth/refresh", withRefresh(token), `{}`)
	}
	mint := func(preset string) mockidp.SessionMintResponse {
		rec := s.do("POST", "/_mock/sessions", "", `{"user":"alice@example.com","preset":"`+preset+`"}`)
		var m mockidp.SessionMintResponse
		s.ok(rec, &m)
		return m
	}
	now := s.Now().Unix()
	m := mint(mockidp.SessionPresetExpiredSession)
	if exp := int64(m.SessionClaims["exp"].(float64)); exp >= now {
		t.Errorf("expired_session: session exp %d not before now %d", exp, now)
	}
	s.ok(refresh(m.RefreshJWT), nil)
	m = mint(mockidp.SessionPresetExpiredRefresh)
	s.refused(refresh(m.RefreshJWT), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	s.refused(refresh(mint(mockidp.SessionPresetLoggedOut).RefreshJWT), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	m = mint(mockidp.SessionPresetWrongProject)
	if !strings.HasSuffix(m.SessionClaims["iss"].(string), "/"+mockidp.OtherProjectID) {
		t.Errorf("wrong_project iss %v", m.SessionClaims["iss"])
	}
	s.refused(refresh(m.RefreshJWT), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	m = mint("")
	s.ok(refresh(m.RefreshJWT), nil)
	// Descope's management logout ends the user's sessions too.
	m2 := mint("")
	s.ok(s.do("POST", "/v1/mgmt/user/logout", mgmt(), `{"loginId":"alice@example.com"}`), nil)
	s.refused(refresh(m2.RefreshJWT), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	m = mint("")
	var rv struct{ Revoked int }
	s.ok(s.do("POST", "/_mock/sessions/revoke", "", `{"user":"alice@example.com"}`), &rv)
	if rv.Revoked != 1 {
		t.Errorf("revoked %d sessions, want 1 (the management logout ended the others)", rv.Revoked)
	}
	s.refused(refresh(m.RefreshJWT), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	// A refresh JWT that refreshed before is refused once its signing key is revoked.
	m = mint("")
	s.ok(refresh(m.RefreshJWT), nil)
	if err := s.RevokeKey(s.KeysState().Current); err != nil {
		t.Fatal(err)
	}
	s.refused(refresh(m.RefreshJWT), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	// Refresh expiry on the mock's clock, also for a token that refreshed before.
	m = mint("")
	s.ok(refresh(m.RefreshJWT), nil)
	s.Advance(time.Hour + time.Second)
	s.refused(refresh(m.RefreshJWT), http.StatusUnauthorized, mockidp.CodeInvalidToken)
}

// Management calls need the management key; a third Bearer part is accepted
// on auth calls; the cookie token response method sends DS and DSR cookies.
func TestManagementKeyAndCookies(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.TokenResponse = mockidp.TokenResponseCookies })
	for _, auth := range []string{"", "Bearer " + mockidp.DefaultProjectID, "Bearer " + mockidp.DefaultProjectID + ":wrong", "Bearer P0ther:" + mgmtKey} {
		s.refused(s.do("GET", "/v1/mgmt/user?loginId=alice@example.com", auth, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	}
	var load struct{ User mockidp.UserResponse }
	s.ok(s.do("GET", "/v1/mgmt/user?loginId=alice@example.com", mgmt(), ""), &load)
	if load.User.UserID != "U2MockUserAlice0000000000001" || load.User.CustomAttributes["department"] != "engineering" {
		t.Errorf("load: %+v", load.User)
	}
	s.ok(s.do("GET", "/v1/mgmt/user?userId=U2MockUserAlice0000000000001", mgmt(), ""), nil)

	var gen struct{ Code string }
	s.ok(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"`+testLogin+`","deliveryMethod":"email"}`), &gen)
	rec := s.do("POST", "/v1/auth/otp/verify/email", "Bearer "+mockidp.DefaultProjectID+"::auth-key", `{"loginId":"`+testLogin+`","code":"`+gen.Code+`"}`)
	var jr mockidp.JWTResponse
	s.ok(rec, &jr)
	cookies := map[string]*http.Cookie{}
	for _, c := range rec.Result().Cookies() {
		cookies[c.Name] = c
	}
	// Descope's cookie mode: both JWTs only in HttpOnly cookies (auth_cookies.go).
	if cookies["DS"] == nil || cookies["DSR"] == nil || !cookies["DSR"].HttpOnly || !cookies["DS"].HttpOnly || jr.RefreshJwt != "" || jr.SessionJwt != "" {
		t.Fatalf("cookie mode: cookies %v, body %+v", cookies, jr)
	}
	// The refresh cookie alone refreshes.
	r := httptest.NewRequest("POST", "/v1/auth/refresh", strings.NewReader(`{}`))
	r.Header.Set("Authorization", "Bearer "+mockidp.DefaultProjectID)
	r.AddCookie(&http.Cookie{Name: "DSR", Value: cookies["DSR"].Value})
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	s.ok(rec, nil)

	// Management sign-in tokens are always in the body (the Go SDK validates both).
	var si mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"alice@example.com","customClaims":{"plan":"gold"}}`), &si)
	if claimsOf(t, si.RefreshJwt)["plan"] != "gold" || claimsOf(t, si.SessionJwt)["plan"] != "gold" {
		t.Errorf("signin custom claims missing: %+v", si)
	}
	s.refused(s.do("POST", "/v1/mgmt/auth/signup", mgmt(), `{"loginId":"alice@example.com"}`), http.StatusBadRequest, mockidp.CodeUserExists)
	s.ok(s.do("POST", "/v1/mgmt/auth/signup-in", mgmt(), `{"loginId":"new@example.com","user":{"name":"New"}}`), &si)
	if si.User.Name != "New" || !si.FirstSeen {
		t.Errorf("signup-in user %+v firstSeen %v", si.User, si.FirstSeen)
	}
	var upd struct{ JWT string }
	s.ok(s.do("POST", "/v1/mgmt/jwt/update", mgmt(), `{"jwt":"`+si.SessionJwt+`","customClaims":{"k":"v"}}`), &upd)
	if c := claimsOf(t, upd.JWT); c["k"] != "v" || c["drn"] != "DS" {
		t.Errorf("jwt/update claims %v", c)
	}
	s.refused(s.do("POST", "/v1/mgmt/jwt/update", mgmt(), `{"jwt":"`+si.SessionJwt+`","customClaims":{"sub":"x"}}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)

	var found struct {
		Users []mockidp.UserResponse
		Total int
	}
	s.ok(s.do("POST", "/v2/mgmt/user/search/test", mgmt(), `{}`), &found)
	if found.Total != 1 || found.Users[0].LoginIDs[0] != testLogin {
		t.Errorf("test-user search: %+v", found)
	}
	s.ok(s.do("POST", "/v2/mgmt/user/search", mgmt(), `{"tenantIds":["`+acme+`"]}`), &found)
	if found.Total != 1 || !slices.Contains(found.Users[0].LoginIDs, multiUser) {
		t.Errorf("tenant search: %+v", found)
	}
}

// The test-user limit is a project setting.
func TestTestUserLimit(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.TestUserLimit = 2 })
	s.ok(s.do("POST", "/v1/mgmt/user/create/test", mgmt(), `{"loginId":"t2@example.com"}`), nil)
	s.refused(s.do("POST", "/v1/mgmt/user/create/test", mgmt(), `{"loginId":"t3@example.com"}`), http.StatusBadRequest, mockidp.CodeTestUserLimit)
	s.refused(s.do("POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"t2@example.com"}`), http.StatusBadRequest, mockidp.CodeUserExists)
	s.ok(s.do("POST", "/v1/mgmt/user/delete", mgmt(), `{"loginId":"t2@example.com"}`), nil)
	s.ok(s.do("POST", "/v1/mgmt/user/create/test", mgmt(), `{"loginId":"t3@example.com"}`), nil)
}

// Faults, request counters and metrics reach the session surface's
// endpoints through the shared machinery.
func TestSessionEndpointsFaultsAndCounters(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InjectFault(mockidp.Fault{Endpoint: mockidp.EndpointRefresh, Status: http.StatusServiceUnavailable, Count: 1}); err != nil {
		t.Fatal(err)
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(pair.RefreshJWT), `{}`), http.StatusServiceUnavailable, mockidp.CodeServerError)
	s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(pair.RefreshJWT), `{}`), nil)
	s.ok(s.do("GET", "/v1/mgmt/user?loginId=alice@example.com", mgmt(), ""), nil)
	st := s.Requests()
	if st.Counts[mockidp.EndpointRefresh] != 2 || st.Counts[mockidp.EndpointMgmtUser] != 1 {
		t.Errorf("counts %v, want refresh 2 and mgmt_user 1", st.Counts)
	}
	rec := s.do("GET", "/metrics", "", "")
	if !strings.Contains(rec.Body.String(), `endpoint="refresh",status="503"`) {
		t.Errorf("metrics lack the faulted refresh:\n%s", rec.Body.String())
	}
}

// With rotation, one refresh JWT sent by several callers at once is
// exchanged once: the others are refused as rotated.
func TestRotationRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.RefreshRotation = true })
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	const callers = 8
	codes := make(chan int, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			r := httptest.NewRequest("POST", "/v1/auth/refresh", strings.NewReader(`{}`))
			r.Header.Set("Authorization", withRefresh(pair.RefreshJWT))
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, r)
			codes <- rec.Code
		})
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusUnauthorized:
		default:
			t.Errorf("status %d, want 200 or 401", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d refreshes succeeded, want exactly 1", ok)
	}
}

// A role changed at run time changes what sessions issued afterwards grant;
// a reset restores the file's roles.
func TestRoleChangeReachesNewSessions(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	perms := func() []any {
		t.Helper()
		m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := claimsOf(t, m.SessionJWT)["permissions"].([]any)
		return p
	}
	if got := perms(); len(got) != 1 || got[0] != "data.read" {
		t.Fatalf("permissions %v, want [data.read]", got)
	}
	s.ok(s.do("POST", "/_mock/roles", "", `{"name":"user","permissions":["data.read","reports.view"]}`), nil)
	if got := perms(); len(got) != 2 || got[1] != "reports.view" {
		t.Errorf("after the role change: permissions %v, want [data.read reports.view]", got)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := perms(); len(got) != 1 {
		t.Errorf("after reset: permissions %v, want the file's [data.read]", got)
	}
}

// Session and refresh JWTs carry iss per the project's issuer_form, and
// refresh accepts each form.
func TestSessionIssuerForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ form, wantIss string }{
		{mockidp.IssuerURL, "http://mockidp.test/" + mockidp.DefaultProjectID},
		{mockidp.IssuerApps, "http://mockidp.test/v1/apps/" + mockidp.DefaultProjectID},
		{mockidp.IssuerProject, mockidp.DefaultProjectID},
	} {
		t.Run(tc.form, func(t *testing.T) {
			t.Parallel()
			s := newSessionServer(t, func(p *mockidp.Project) { p.IssuerForm = tc.form })
			m, err := s.MintSession(mockidp.SessionMintRequest{User: "admin@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if m.SessionClaims["iss"] != tc.wantIss || m.RefreshClaims["iss"] != tc.wantIss {
				t.Errorf("iss %v / %v, want %s", m.SessionClaims["iss"], m.RefreshClaims["iss"], tc.wantIss)
			}
			var jr mockidp.JWTResponse
			s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(m.RefreshJWT), `{}`), &jr)
			if got := claimsOf(t, jr.SessionJwt)["iss"]; got != tc.wantIss {
				t.Errorf("refreshed iss %v, want %s", got, tc.wantIss)
			}
			w, err := s.MintSession(mockidp.SessionMintRequest{User: "admin@example.com", Preset: mockidp.SessionPresetWrongProject})
			if err != nil {
				t.Fatal(err)
			}
			if iss := w.SessionClaims["iss"].(string); !strings.HasSuffix(iss, mockidp.OtherProjectID) || strings.Contains(iss, mockidp.DefaultProjectID) {
				t.Errorf("wrong_project iss %q", iss)
			}
		})
	}
}
