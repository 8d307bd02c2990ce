package mockidp_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// Every session-surface call refuses bad input with a precise status, a
// Descope code and a message saying what was wrong.
func TestSessionBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: multiUser})
	if err != nil {
		t.Fatal(err)
	}
	forge := func(preset string) string {
		t.Helper()
		m, err := s.Mint(mockidp.MintRequest{Preset: preset, Claims: map[string]any{"drn": "DSR", "sub": "U2MockUserMulti0000000000003", "jti": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		return m.Token
	}
	unsignedJTI, err := s.Mint(mockidp.MintRequest{Claims: map[string]any{"drn": "DSR", "sub": "U2MockUserMulti0000000000003", "jti": "never-issued"}})
	if err != nil {
		t.Fatal(err)
	}
	access, err := s.Mint(mockidp.MintRequest{ClientID: "admin-client"})
	if err != nil {
		t.Fatal(err)
	}
	pidOnly := "Bearer " + mockidp.DefaultProjectID
	refresh := withRefresh(pair.RefreshJWT)
	for _, tc := range []struct {
		name, method, path, auth, body string
		wantStatus                     int
		wantCode, wantMessage          string
	}{
		{"malformed JSON", "POST", "/v1/auth/refresh", refresh, `{`, 400, mockidp.CodeBadRequest, "malformed JSON"},
		{"trailing data", "POST", "/v1/auth/tenant/select", refresh, `{"tenant":"x"} []`, 400, mockidp.CodeBadRequest, "trailing data"},
		{"wrong type", "POST", "/v1/auth/tenant/select", refresh, `{"tenant":7}`, 400, mockidp.CodeBadRequest, "tenant"},
		{"no refresh JWT", "POST", "/v1/auth/refresh", pidOnly, `{}`, 401, mockidp.CodeInvalidToken, "refresh JWT is required"},
		{"no Authorization", "POST", "/v1/auth/refresh", "", `{}`, 401, mockidp.CodeBadClient, "Bearer"},
		{"wrong project", "POST", "/v1/auth/refresh", "Bearer P0ther:" + pair.RefreshJWT, `{}`, 401, mockidp.CodeBadClient, "unknown project ID"},
		{"session JWT as refresh", "POST", "/v1/auth/refresh", withRefresh(pair.SessionJWT), `{}`, 401, mockidp.CodeInvalidToken, "session JWT"},
		{"access token as refresh", "POST", "/v1/auth/refresh", withRefresh(access.Token), `{}`, 401, mockidp.CodeInvalidToken, "not a refresh JWT"},
		{"wrong method", "POST", "/v1/auth/me", refresh, ``, 405, mockidp.CodeMethod, "GET"},
		{"forged signature", "POST", "/v1/auth/refresh", withRefresh(forge(mockidp.PresetBadSignature)), `{}`, 401, mockidp.CodeInvalidToken, "signature"},
		{"alg none", "POST", "/v1/auth/refresh", withRefresh(forge(mockidp.PresetAlgNone)), `{}`, 401, mockidp.CodeInvalidToken, "refused"},
		{"unpublished key", "POST", "/v1/auth/logout", withRefresh(forge(mockidp.PresetUnpublishedKey)), `{}`, 401, mockidp.CodeInvalidToken, "unknown key"},
		{"never issued", "POST", "/v1/auth/refresh", withRefresh(unsignedJTI.Token), `{}`, 401, mockidp.CodeInvalidToken, "not issued by this mock"},
		{"garbage token", "GET", "/v1/auth/me", withRefresh("not-a-jwt"), ``, 401, mockidp.CodeInvalidToken, "malformed"},
		{"four Bearer parts", "POST", "/v1/auth/refresh", refresh + ":a:b", `{}`, 401, mockidp.CodeBadClient, "three parts"},
		{"unknown tenant", "POST", "/v1/auth/tenant/select", refresh, `{"tenant":"T2Nope"}`, 400, mockidp.CodeInvalidArgument, "not a tenant"},
		{"both dct and ids", "POST", "/v1/auth/me/tenants", refresh, `{"dct":true,"ids":["x"]}`, 400, mockidp.CodeInvalidArgument, "not both"},
		{"OTP unknown login", "POST", "/v1/auth/otp/verify/email", pidOnly, `{"loginId":"ghost@example.com","code":"123456"}`, 400, mockidp.CodeUserNotFound, "ghost"},
		{"OTP no code generated", "POST", "/v1/auth/otp/verify/email", pidOnly, `{"loginId":"` + testLogin + `","code":"123456"}`, 401, mockidp.CodeInvalidToken, "unknown"},
		{"OTP without code", "POST", "/v1/auth/otp/verify/whatsapp", pidOnly, `{"loginId":"` + testLogin + `"}`, 400, mockidp.CodeMissingArgument, "code"},
		{"OTP unknown method", "POST", "/v1/auth/otp/verify/pigeon", pidOnly, `{}`, 404, mockidp.CodeNotFound, "no route"},
		{"magic link unknown token", "POST", "/v1/auth/magiclink/verify", pidOnly, `{"token":"nope"}`, 401, mockidp.CodeInvalidToken, "unknown"},
		{"magic link without token", "POST", "/v1/auth/magiclink/verify", pidOnly, `{}`, 400, mockidp.CodeMissingArgument, "token"},
		{"pending unknown", "POST", "/v1/auth/enchantedlink/pending-session", pidOnly, `{"pendingRef":"nope"}`, 401, mockidp.CodeInvalidToken, "unknown"},
		{"create without login", "POST", "/v1/mgmt/user/create", mgmt(), `{"email":"a@b"}`, 400, mockidp.CodeMissingArgument, "loginId"},
		{"create unknown role", "POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"a@b","roleNames":["nope"]}`, 400, mockidp.CodeInvalidArgument, "nope"},
		{"create unknown tenant", "POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"a@b","userTenants":[{"tenantId":"T2Nope"}]}`, 400, mockidp.CodeInvalidArgument, "T2Nope"},
		{"load without ID", "GET", "/v1/mgmt/user", mgmt(), ``, 400, mockidp.CodeMissingArgument, "loginId or userId"},
		{"delete unknown", "POST", "/v1/mgmt/user/delete", mgmt(), `{"userId":"U2Ghost"}`, 400, mockidp.CodeMgmtUserNotFound, "U2Ghost"},
		{"search limit", "POST", "/v2/mgmt/user/search", mgmt(), `{"limit":5000}`, 400, mockidp.CodeInvalidArgument, "limit"},
		{"generate without method", "POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"` + testLogin + `"}`, 400, mockidp.CodeMissingArgument, "deliveryMethod"},
		{"link with relative URI", "POST", "/v1/mgmt/tests/generate/magiclink", mgmt(), `{"loginId":"` + testLogin + `","deliveryMethod":"email","URI":"/x"}`, 400, mockidp.CodeInvalidArgument, "absolute"},
		{"signin unknown", "POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"ghost@example.com"}`, 400, mockidp.CodeMgmtUserNotFound, "ghost"},
		{"signin refresh duration", "POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"alice@example.com","refreshDuration":-5}`, 400, mockidp.CodeInvalidArgument, "refreshDuration"},
		{"jwt update forged", "POST", "/v1/mgmt/jwt/update", mgmt(), `{"jwt":"` + forge(mockidp.PresetBadSignature) + `"}`, 401, mockidp.CodeInvalidToken, "signature"},
		{"custom claims over 16 KiB", "POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"alice@example.com","customClaims":{"big":"` + strings.Repeat("x", 40<<10) + `"}}`, 400, mockidp.CodeInvalidArgument, "MaxClaimsBytes"},
		{"jwt update without jwt", "POST", "/v1/mgmt/jwt/update", mgmt(), `{}`, 400, mockidp.CodeMissingArgument, "jwt"},
		{"too large", "POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"` + strings.Repeat("a", 70<<10) + `"}`, 413, mockidp.CodeTooLarge, "exceeds"},
		{"control mint unknown user", "POST", "/_mock/sessions", "", `{"user":"ghost"}`, 404, mockidp.CodeMockNotFound, "ghost"},
		{"signin reserved claim", "POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"alice@example.com","customClaims":{"drn":"DSR"}}`, 400, mockidp.CodeInvalidArgument, "customClaims.drn"},
		{"control mint reserved claim", "POST", "/_mock/sessions", "", `{"user":"alice@example.com","custom_claims":{"tu":false}}`, 400, mockidp.CodeMockBadRequest, "custom_claims.tu"},
		{"control mint preset", "POST", "/_mock/sessions", "", `{"user":"alice@example.com","preset":"nope"}`, 400, mockidp.CodeMockBadRequest, "preset"},
		{"control mint tenant", "POST", "/_mock/sessions", "", `{"user":"alice@example.com","tenant":"` + acme + `"}`, 400, mockidp.CodeMockBadRequest, "not a member"},
		{"control user unknown field", "POST", "/_mock/users", "", `{"login_ids":["a"],"emial":"x"}`, 400, mockidp.CodeMockBadRequest, "emial"},
		{"control user unknown role", "POST", "/_mock/users", "", `{"login_ids":["a"],"roles":["nope"]}`, 400, mockidp.CodeMockBadRequest, "nope"},
		{"control role unknown tenant", "POST", "/_mock/roles", "", `{"name":"r","tenant_id":"T2Nope"}`, 400, mockidp.CodeMockBadRequest, "T2Nope"},
		{"control revoke unknown", "POST", "/_mock/sessions/revoke", "", `{"user":"ghost"}`, 404, mockidp.CodeMockNotFound, "ghost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := s.do(tc.method, tc.path, tc.auth, tc.body)
			var e mockidp.Error
			if rec.Code != tc.wantStatus || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Code != tc.wantCode {
				t.Fatalf("got %d %.300s, want %d %s", rec.Code, rec.Body.Bytes(), tc.wantStatus, tc.wantCode)
			}
			if !strings.Contains(e.Message, tc.wantMessage) {
				t.Errorf("message %q does not say %q", e.Message, tc.wantMessage)
			}
		})
	}
}
