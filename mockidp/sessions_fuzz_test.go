package mockidp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// sessionFuzzRoutes are the session, test-user, management and
// control-plane calls that read a request body.
var sessionFuzzRoutes = []struct{ method, path string }{
	{http.MethodPost, "/v1/auth/refresh"},
	{http.MethodPost, "/v1/auth/logout"},
	{http.MethodPost, "/v1/auth/tenant/select"},
	{http.MethodPost, "/v1/auth/me/tenants"},
	{http.MethodPost, "/v1/auth/otp/verify/email"},
	{http.MethodPost, "/v1/auth/magiclink/verify"},
	{http.MethodPost, "/v1/auth/enchantedlink/pending-session"},
	{http.MethodPost, "/v1/mgmt/user/create"},
	{http.MethodPost, "/v1/mgmt/user/delete"},
	{http.MethodPost, "/v2/mgmt/user/search/test"},
	{http.MethodPost, "/v1/mgmt/tests/generate/otp"},
	{http.MethodPost, "/v1/mgmt/tests/generate/magiclink"},
	{http.MethodPost, "/v1/mgmt/auth/signup-in"},
	{http.MethodPost, "/v1/mgmt/jwt/update"},
	{http.MethodPost, "/_mock/users"},
	{http.MethodPost, "/_mock/roles"},
	{http.MethodPost, "/_mock/sessions"},
}

// FuzzSessionEndpoints sends any body and Authorization secret to every
// session-surface call that reads a body. auth selects the credential: the
// management key, a live refresh JWT, a session JWT or the fuzzed bytes.
// Invariants: no panic, never a 5xx, every failure a JSON body with a
// non-empty errorCode. The mock is reset after each input.
func FuzzSessionEndpoints(f *testing.F) {
	seeds := []struct {
		route, auth uint8
		body        string
	}{
		{0, 1, `{}`}, {0, 2, ``}, {1, 1, `{"logoutType":["x"]}`}, {2, 1, `{"tenant":"T2MockTenantAcme000000000001"}`},
		{2, 1, `{"tenant":7}`}, {3, 1, `{"dct":true,"ids":["a"]}`}, {4, 0, `{"loginId":"test-user@example.com","code":"123456"}`},
		{5, 0, `{"token":""}`}, {6, 0, `{"pendingRef":null}`}, {7, 0, `{"loginId":"a@b","userTenants":[{"tenantId":"T-x"}]}`},
		{7, 0, `{"loginId":"a@b","test":true,"customAttributes":{"k":[1,2]}}`}, {8, 0, `{"userId":"U2MockUserAlice0000000000001"}`},
		{9, 0, `{"limit":-1}`}, {10, 0, `{"loginId":"test-user@example.com","deliveryMethod":"voice"}`},
		{11, 0, `{"loginId":"test-user@example.com","deliveryMethod":"email","URI":"::"}`},
		{12, 0, `{"loginId":"n@b","refreshDuration":1e12}`}, {13, 0, `{"jwt":"a.b.c"}`},
		{14, 0, `{"login_ids":["z"],"roles":["admin"]}`}, {15, 0, `{"name":"r","tenant_id":"T-none"}`},
		{16, 0, `{"user":"multi@example.com","preset":"wrong_project"}`}, {16, 0, `{"user":"x","custom_claims":{"exp":1}}`},
		{0, 3, `{}`}, {7, 0, `[`}, {7, 0, `{} {}`},
	}
	for _, sd := range seeds {
		f.Add(sd.route, sd.auth, []byte(sd.body))
	}
	s := newFuzzServer(f, "")
	f.Fuzz(func(t *testing.T, route, auth uint8, body []byte) {
		defer func() {
			if err := s.Reset(); err != nil {
				t.Fatalf("Reset: %v", err)
			}
		}()
		rt := sessionFuzzRoutes[int(route)%len(sessionFuzzRoutes)]
		pair, err := s.MintSession(mockidp.SessionMintRequest{User: "multi@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		secret := []string{mgmtKey, pair.RefreshJWT, pair.SessionJWT, string(body)}[int(auth)%4]
		r := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if h := "Bearer " + s.ProjectID() + ":" + secret; len(h) < 8<<10 && !bytes.ContainsAny([]byte(h), "\r\n\x00") {
			r.Header.Set("Authorization", h)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: got status %d (body %q), want no 5xx", rt.method, rt.path, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 300 {
			checkDescopeError(t, rec)
		}
	})
}
