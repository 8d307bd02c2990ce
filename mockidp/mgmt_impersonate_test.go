package mockidp_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// Impersonation answers a refresh JWT of the impersonated user whose
// sessions carry act {sub: impersonator}; stopping it ends that session
// and answers a refresh JWT of the impersonator.
func TestImpersonation(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	var imp struct{ JWT string }
	s.ok(s.do("POST", "/v1/mgmt/impersonate", mgmt(), `{"loginId":"alice@example.com","impersonatorId":"`+adminID+`","validateConsent":false,"customClaims":{"ticket":"T-1"},"selectedTenant":"","refreshDuration":0}`), &imp)
	rc := claimsOf(t, imp.JWT)
	if rc["drn"] != "DSR" || rc["sub"] != "U2MockUserAlice0000000000001" {
		t.Fatalf("impersonate answered %v, want a refresh JWT of alice", rc)
	}
	c := s.refreshClaims(imp.JWT)
	act, _ := c["act"].(map[string]any)
	if act["sub"] != adminID || c["ticket"] != "T-1" || c["su"] != nil || !slices.Equal(strs(c["roles"]), []string{"user"}) {
		t.Errorf("impersonated session: %v, want act.sub %s, ticket, alice's roles", c, adminID)
	}

	var stopped struct{ JWT string }
	s.ok(s.do("POST", "/v1/mgmt/stop/impersonation", mgmt(), `{"jwt":"`+imp.JWT+`"}`), &stopped)
	if sc := claimsOf(t, stopped.JWT); sc["sub"] != adminID || sc["act"] != nil {
		t.Errorf("stop answered %v, want a refresh JWT of the admin without act", sc)
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(imp.JWT), ""), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	s.refused(s.do("POST", "/v1/mgmt/stop/impersonation", mgmt(), `{"jwt":"`+stopped.JWT+`"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)

	s.ok(s.do("POST", "/v1/mgmt/impersonate/stepup", mgmt(), `{"loginId":"`+multiUser+`","impersonatorId":"admin@example.com","selectedTenant":"`+acme+`"}`), &imp)
	c = s.refreshClaims(imp.JWT)
	if c["su"] != true || c["dct"] != acme || c["act"] == nil {
		t.Errorf("impersonate/stepup session: %v, want su, dct and act", c)
	}

	for _, tc := range []struct{ name, body, code string }{
		{"no impersonator", `{"loginId":"alice@example.com"}`, mockidp.CodeMissingArgument},
		{"self", `{"loginId":"alice@example.com","impersonatorId":"U2MockUserAlice0000000000001"}`, mockidp.CodeInvalidArgument},
		{"unknown user", `{"loginId":"nobody","impersonatorId":"` + adminID + `"}`, mockidp.CodeMgmtUserNotFound},
		{"act sent", `{"loginId":"alice@example.com","impersonatorId":"` + adminID + `","customClaims":{"act":{"sub":"x"}}}`, mockidp.CodeInvalidArgument},
		{"reserved claim", `{"loginId":"alice@example.com","impersonatorId":"` + adminID + `","customClaims":{"sub":"x"}}`, mockidp.CodeInvalidArgument},
		{"foreign tenant", `{"loginId":"alice@example.com","impersonatorId":"` + adminID + `","selectedTenant":"` + acme + `"}`, mockidp.CodeInvalidArgument},
	} {
		rec := s.do("POST", "/v1/mgmt/impersonate", mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) { sessionServer{t, s.Server}.refused(rec, http.StatusBadRequest, tc.code) })
	}
}

// Management sign-in's loginOptions: stepup adds su, mfa a second factor
// in amr, both extending the session of jwt; revokeOtherSessions ends the
// user's other sessions.
func TestMgmtSignInStepUpAndMFA(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	first := s.login(testLogin)
	var jr mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"`+testLogin+`","stepup":true,"jwt":"`+first.RefreshJwt+`","customClaims":{"k":"v"}}`), &jr)
	c := claimsOf(t, jr.SessionJwt)
	if c["su"] != true || c["k"] != "v" || !slices.Equal(strs(c["amr"]), []string{"email"}) {
		t.Errorf("stepup: %v, want su, k and the extended session's amr", c)
	}
	if c := s.refreshClaims(jr.RefreshJwt); c["su"] != true {
		t.Errorf("stepup's refresh lost su: %v", c)
	}
	s.ok(s.do("POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"`+testLogin+`","mfa":true,"jwt":"`+first.RefreshJwt+`","revokeOtherSessions":true}`), &jr)
	if got := strs(claimsOf(t, jr.SessionJwt)["amr"]); !slices.Equal(got, []string{"email", "mfa"}) {
		t.Errorf("mfa: amr %v, want [email mfa]", got)
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(first.RefreshJwt), ""), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(jr.RefreshJwt), ""), nil)

	s.refused(s.do("POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"`+testLogin+`","stepup":true}`), http.StatusBadRequest, mockidp.CodeMissingArgument)
	other, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.refused(s.do("POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"`+testLogin+`","mfa":true,"jwt":"`+other.RefreshJWT+`"}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	s.refused(s.do("POST", "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"`+testLogin+`","deliveryMethod":"email","loginOptions":{"stepup":true}}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
}

// The session presets for the claims Descope adds.
func TestSessionClaimPresets(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, tc := range []struct {
		req   mockidp.SessionMintRequest
		check func(c map[string]any) bool
	}{
		{mockidp.SessionMintRequest{User: "alice@example.com", Preset: mockidp.SessionPresetStepUp}, func(c map[string]any) bool { return c["su"] == true }},
		{mockidp.SessionMintRequest{User: "alice@example.com", Preset: mockidp.SessionPresetMFA, Method: "sms"}, func(c map[string]any) bool {
			return slices.Equal(strs(c["amr"]), []string{"sms", "totp"})
		}},
		{mockidp.SessionMintRequest{User: "alice@example.com", Preset: mockidp.SessionPresetImpersonated, Impersonator: "admin@example.com"}, func(c map[string]any) bool {
			act, _ := c["act"].(map[string]any)
			return act["sub"] == adminID
		}},
	} {
		m, err := s.MintSession(tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.req.Preset, err)
		}
		if !tc.check(m.SessionClaims) || !tc.check(claimsOf(t, m.SessionJWT)) || !tc.check(s.refreshClaims(m.RefreshJWT)) {
			t.Errorf("%s: session claims %v", tc.req.Preset, m.SessionClaims)
		}
	}
	for _, req := range []mockidp.SessionMintRequest{
		{User: "alice@example.com", Preset: mockidp.SessionPresetImpersonated},
		{User: "alice@example.com", Preset: mockidp.SessionPresetImpersonated, Impersonator: "alice@example.com"},
		{User: "alice@example.com", Impersonator: "admin@example.com"},
		{User: "alice@example.com", CustomClaims: map[string]any{"act": "x"}},
	} {
		if _, err := s.MintSession(req); err == nil {
			t.Errorf("%+v: minted, want refused", req)
		} else if e, ok := err.(*mockidp.Error); !ok || e.Status != http.StatusBadRequest {
			t.Errorf("%+v: %v, want a 400", req, fmt.Sprint(err))
		}
	}
}
