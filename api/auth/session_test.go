package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// sessionClaims are a Descope user-session JWT's claims (drn "DS", sub the
// user ID, amr, rexp, tu) issued by iss.
func sessionClaims(iss string) map[string]any {
	return with(claimsAt(fixedNow), map[string]any{
		"iss": iss, "sub": "U2sessionuser", "drn": "DS", "amr": []string{"email"},
		"rexp": fixedNow.Add(720 * 3600e9).Format("2006-01-02T15:04:05Z07:00"), "tu": true,
		"roles": []string{"admin"}, "tenants": map[string]any{"T1": map[string]any{"roles": []string{"editor"}}}, "dct": "T1",
	})
}

// TestSessionTokensAcceptedAsAccessTokens: a Descope session JWT is
// validated as an access token is, in each of Descope's issuer forms
// (the discovered one, the others as ExtraIssuers); its claims read as an
// access token's do.
func TestSessionTokensAcceptedAsAccessTokens(t *testing.T) {
	t.Parallel()
	forms := []string{testIssuer, testAudience, "https://idp.test/v1/apps/" + testAudience}
	v := newValidationValidator(t, Config{ExtraIssuers: forms[1:]})
	for _, iss := range forms {
		c, err := v.Validate(t.Context(), sign(t, testKeys[0], "k0", jose.RS256, sessionClaims(iss)))
		if err != nil {
			t.Fatalf("session token issued by %q: %v", iss, err)
		}
		if c.Subject != "U2sessionuser" || c.Raw["drn"] != "DS" || !c.HasRole("admin") || !c.HasRole("editor") {
			t.Errorf("session token issued by %q: got %+v", iss, c)
		}
	}
	if _, err := v.Validate(t.Context(), sign(t, testKeys[0], "k0", jose.RS256, sessionClaims("https://idp.test/P2other"))); err == nil {
		t.Error("session token of another project: accepted, want ErrInvalidIssuer")
	}
}

// TestSessionCookie: with SessionCookie set, a request without an
// Authorization header is authenticated from that cookie; the header wins
// when both are there; without the option, or with an empty cookie, the
// cookie is not read.
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	session := sign(t, testKeys[0], "k0", jose.RS256, sessionClaims(testIssuer))
	other := sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"sub": "U2header"}))
	withCookie := newValidationValidator(t, Config{SessionCookie: "DS"})
	without := newValidationValidator(t, Config{})
	tests := []struct {
		name       string
		v          *Validator
		cookie     string // DS cookie value ("" sends none)
		header     string
		wantStatus int
		wantBody   string
	}{
		{"cookie only", withCookie, session, "", http.StatusOK, "hello U2sessionuser"},
		{"header wins over the cookie", withCookie, session, "Bearer " + other, http.StatusOK, "hello U2header"},
		{"a bad header is not replaced by the cookie", withCookie, session, "Basic x", http.StatusUnauthorized, wantInvalidHdr},
		{"an invalid cookie is a token failure", withCookie, "not-a-jwt", "", http.StatusUnauthorized, wantInvalidTok},
		{"no cookie, no header", withCookie, "", "", http.StatusUnauthorized, wantMissing},
		{"option off: the cookie is not read", without, session, "", http.StatusUnauthorized, wantMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "DS", Value: tt.cookie})
			}
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			tt.v.Middleware(echoSubject).ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
		})
	}
	if _, err := New(Config{DiscoveryURL: "https://idp.test/x", Audience: "a", SessionCookie: "D S"}); err == nil {
		t.Error(`SessionCookie "D S": accepted, want a config error`)
	}
}
