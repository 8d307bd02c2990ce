package mockidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// TestDistinctGrantsGetDistinctTokens (issue 16, defect 1): two
// authorization-code logins of one user at one client in the same second
// (the clock is frozen), without a nonce, get different access, ID and
// refresh tokens, each with its own jti; revoking one access token (RFC
// 7009) leaves the other working at userinfo.
func TestDistinctGrantsGetDistinctTokens(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	login := func() mockidp.TokenResponse {
		return tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/authorize", f.authQuery("nonce", ""))))
	}
	first, second := login(), login()
	for _, pair := range []struct{ name, a, b string }{
		{"access token", first.AccessToken, second.AccessToken},
		{"ID token", first.IDToken, second.IDToken},
		{"refresh token", first.RefreshToken, second.RefreshToken},
	} {
		if pair.a == pair.b {
			t.Errorf("two grants got the same %s", pair.name)
		}
		_, a, errA := decodeSegments(pair.a)
		_, b, errB := decodeSegments(pair.b)
		if errA != nil || errB != nil {
			t.Fatalf("decoding the %ss: %v, %v", pair.name, errA, errB)
		}
		if a["iat"] != b["iat"] {
			t.Fatalf("%ss issued at %v and %v, want the same second (the clock is frozen)", pair.name, a["iat"], b["iat"])
		}
		if ja, _ := a["jti"].(string); ja == "" || ja == b["jti"] {
			t.Errorf("%s jti: got %v and %v, want two different non-empty IDs", pair.name, a["jti"], b["jti"])
		}
	}
	r := f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {first.AccessToken}, "client_id": {"web-app"}, "client_secret": {"web-secret"}})
	if r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+first.AccessToken); r.status != http.StatusUnauthorized {
		t.Errorf("userinfo with the revoked access token: got %d %s, want 401", r.status, r.body)
	}
	if r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+second.AccessToken); r.status != http.StatusOK {
		t.Errorf("userinfo with the other grant's access token: got %d %s, want 200", r.status, r.body)
	}
}

// TestUserinfoAcceptsAccessTokensOnly (issue 16, defect 8): OIDC Core §5.3
// protects userinfo with an access token; every other token the mock signs
// is refused with 401, as is a revoked access token.
func TestUserinfoAcceptsAccessTokensOnly(t *testing.T) {
	t.Parallel()
	f := newCodeFlow(t, false)
	login := tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/authorize", f.authQuery())))
	revoked := tokens(t, f.exchange(t, f.code(t, "/oauth2/v1/authorize", f.authQuery())))
	for _, tok := range []string{revoked.RefreshToken, revoked.AccessToken} {
		if r := f.do(t, http.MethodPost, "/oauth2/v1/revoke", url.Values{"token": {tok}, "client_id": {"web-app"}, "client_secret": {"web-secret"}}); r.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
	}
	session, err := f.m.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	exchange := f.do(t, http.MethodPost, "/v1/auth/accesskey/exchange", url.Values{},
		"Authorization", "Bearer "+f.m.ProjectID()+":mock-access-key-secret", "Content-Type", "application/json")
	var ex mockidp.ExchangeResponse
	if err := json.Unmarshal([]byte(exchange.body), &ex); err != nil || ex.SessionJWT == "" {
		t.Fatalf("access-key exchange: %d %s", exchange.status, exchange.body)
	}
	accessKeyJWT := ex.SessionJWT
	tests := []struct {
		name       string
		token      string
		wantStatus int
	}{
		{name: "OAuth access token of a user login", token: login.AccessToken, wantStatus: http.StatusOK},
		{name: "client-credentials access token", token: f.m.Token("admin-client"), wantStatus: http.StatusOK},
		{name: "ID token", token: login.IDToken, wantStatus: http.StatusUnauthorized},
		{name: "OAuth refresh token", token: login.RefreshToken, wantStatus: http.StatusUnauthorized},
		{name: "revoked OAuth refresh token", token: revoked.RefreshToken, wantStatus: http.StatusUnauthorized},
		{name: "revoked OAuth access token", token: revoked.AccessToken, wantStatus: http.StatusUnauthorized},
		{name: "Descope session JWT (DS)", token: session.SessionJWT, wantStatus: http.StatusUnauthorized},
		{name: "Descope refresh JWT (DSR)", token: session.RefreshJWT, wantStatus: http.StatusUnauthorized},
		{name: "access-key session JWT (DS)", token: accessKeyJWT, wantStatus: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, http.MethodGet, "/oauth2/v1/userinfo", nil, "Authorization", "Bearer "+tt.token)
			if r.status != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tt.wantStatus)
			}
		})
	}
}
