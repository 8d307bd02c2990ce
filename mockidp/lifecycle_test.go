package mockidp_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// Issue 16: what logout, revoke and delete end, across the Descope session
// store and the OAuth stores, and the races between those stores.

const appCallback = "http://app.test/cb"

// newOIDCServer is a session server with a confidential OAuth client
// "web-app" (secret "web-secret") and a public one "spa-app".
func newOIDCServer(t *testing.T, rotation bool) sessionServer {
	t.Helper()
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.RefreshRotation = rotation })
	for _, c := range []mockidp.Client{
		{ID: "web-app", Secret: "web-secret", ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{appCallback}}},
		{ID: "spa-app", ClientOIDC: mockidp.ClientOIDC{Public: true, RedirectURIs: []string{appCallback}}},
	} {
		if err := s.AddClient(c); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// form posts a form body.
func (s sessionServer) form(path string, v url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	return rec
}

// authCode logs user in at web-app through the authorization endpoint and
// returns the code.
func (s sessionServer) authCode(user string) string {
	s.t.Helper()
	q := url.Values{"client_id": {"web-app"}, "redirect_uri": {appCallback}, "response_type": {"code"},
		"scope": {"openid email offline_access"}, "login_hint": {user}}
	rec := s.do(http.MethodGet, "/oauth2/v1/authorize?"+q.Encode(), "", "")
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		s.t.Fatalf("authorize: got %d %q, want a redirect with a code", rec.Code, rec.Header().Get("Location"))
	}
	return loc.Query().Get("code")
}

func (s sessionServer) exchange(code string) *httptest.ResponseRecorder {
	return s.form("/oauth2/v1/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appCallback},
		"client_id": {"web-app"}, "client_secret": {"web-secret"}})
}

func (s sessionServer) oauthRefresh(refresh string) *httptest.ResponseRecorder {
	return s.form("/oauth2/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
		"client_id": {"web-app"}, "client_secret": {"web-secret"}})
}

func (s sessionServer) userinfo(access string) *httptest.ResponseRecorder {
	return s.do(http.MethodGet, "/oauth2/v1/userinfo", "Bearer "+access, "")
}

// oauthLogin runs the code flow for user at web-app.
func (s sessionServer) oauthLogin(user string) mockidp.TokenResponse {
	s.t.Helper()
	var tr mockidp.TokenResponse
	s.ok(s.exchange(s.authCode(user)), &tr)
	return tr
}

// wantEnded checks that an OAuth login's tokens, an unexchanged code and a
// Descope refresh JWT no longer work.
func (s sessionServer) wantEnded(tr mockidp.TokenResponse, code, refreshJWT string) {
	s.t.Helper()
	if rec := s.oauthRefresh(tr.RefreshToken); rec.Code != http.StatusBadRequest {
		s.t.Errorf("OAuth refresh token: got %d %s, want 400 invalid_grant", rec.Code, truncateBody(rec.Body.Bytes()))
	}
	if rec := s.userinfo(tr.AccessToken); rec.Code != http.StatusUnauthorized {
		s.t.Errorf("userinfo with the OAuth access token: got %d %s, want 401", rec.Code, truncateBody(rec.Body.Bytes()))
	}
	if rec := s.exchange(code); rec.Code != http.StatusBadRequest {
		s.t.Errorf("exchanging a code issued before: got %d %s, want 400 invalid_grant", rec.Code, truncateBody(rec.Body.Bytes()))
	}
	if rec := s.do(http.MethodPost, "/v1/auth/refresh", withRefresh(refreshJWT), `{}`); rec.Code != http.StatusUnauthorized {
		s.t.Errorf("Descope refresh JWT: got %d %s, want 401", rec.Code, truncateBody(rec.Body.Bytes()))
	}
}

// Defect 2: logout-all, the management logout and the control plane's
// revocation end the user's OAuth refresh-token families (and their access
// tokens and outstanding codes) as well as its Descope refresh JWTs.
func TestLogoutEndsEverySession(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		logout func(s sessionServer, refreshJWT string) *httptest.ResponseRecorder
	}{
		{"logoutall", func(s sessionServer, refreshJWT string) *httptest.ResponseRecorder {
			return s.do(http.MethodPost, "/v1/auth/logoutall", withRefresh(refreshJWT), `{}`)
		}},
		{"management logout", func(s sessionServer, _ string) *httptest.ResponseRecorder {
			return s.do(http.MethodPost, "/v1/mgmt/user/logout", mgmt(), `{"loginId":"alice@example.com"}`)
		}},
		{"control-plane revoke", func(s sessionServer, _ string) *httptest.ResponseRecorder {
			return s.do(http.MethodPost, "/_mock/sessions/revoke", "", `{"user":"alice@example.com"}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newOIDCServer(t, false)
			tr := s.oauthLogin("alice@example.com")
			code := s.authCode("alice@example.com")
			pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			other := s.oauthLogin("multi@example.com")
			s.ok(tc.logout(s, pair.RefreshJWT), nil)
			s.wantEnded(tr, code, pair.RefreshJWT)
			if rec := s.oauthRefresh(other.RefreshToken); rec.Code != http.StatusOK {
				t.Errorf("another user's refresh token: got %d %s, want 200", rec.Code, truncateBody(rec.Body.Bytes()))
			}
		})
	}
}

// Defect 3: a deleted user's sessions, families, codes, links and queued
// logins end with it, and a new user of the same login ID is another user
// with another ID.
func TestDeletedUserDoesNotComeBack(t *testing.T) {
	t.Parallel()
	s := newOIDCServer(t, false)
	create := func() string {
		t.Helper()
		var out struct{ User mockidp.UserResponse }
		s.ok(s.do(http.MethodPost, "/v1/mgmt/user/create/test", mgmt(), `{"loginId":"bob@example.com"}`), &out)
		return out.User.UserID
	}
	first := create()
	tr := s.oauthLogin("bob@example.com")
	code := s.authCode("bob@example.com")
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var gen struct{ Code string }
	s.ok(s.do(http.MethodPost, "/v1/mgmt/tests/generate/otp", mgmt(), `{"loginId":"bob@example.com","deliveryMethod":"email"}`), &gen)
	if err := s.QueueLogin(mockidp.QueuedLogin{User: "bob@example.com"}); err != nil {
		t.Fatal(err)
	}

	s.ok(s.do(http.MethodPost, "/v1/mgmt/user/delete", mgmt(), `{"loginId":"bob@example.com"}`), nil)
	second := create()
	if second == first {
		t.Fatalf("the new bob has the deleted bob's user ID %s", first)
	}
	s.wantEnded(tr, code, pair.RefreshJWT)
	if rec := s.do(http.MethodPost, "/v1/auth/otp/verify/email", "Bearer "+mockidp.DefaultProjectID,
		`{"loginId":"bob@example.com","code":"`+gen.Code+`"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("the deleted bob's OTP code: got %d %s, want 401", rec.Code, truncateBody(rec.Body.Bytes()))
	}
	var queue struct{ Logins []mockidp.QueuedLogin }
	s.ok(s.do(http.MethodGet, "/_mock/logins", "", ""), &queue)
	if len(queue.Logins) != 0 {
		t.Errorf("queued logins after the delete: %v, want none", queue.Logins)
	}

	// Delete and create again (through the Go API): a third ID, never an earlier one.
	if err := s.RemoveUser("bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if third := create(); third == first || third == second {
		t.Fatalf("user IDs %s, %s, %s: one was given twice", first, second, third)
	}
	// A reset restores the file's users with their IDs, and forgets the deletions.
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if again := create(); again != first {
		t.Errorf("after a reset bob's ID is %s, want the derived %s", again, first)
	}
}

// race runs n copies of f at once and returns their statuses.
func race(n int, f func() int) map[int]int {
	var (
		mu  sync.Mutex
		got = map[int]int{}
		wg  sync.WaitGroup
		go_ = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-go_
			status := f()
			mu.Lock()
			got[status]++
			mu.Unlock()
		})
	}
	close(go_)
	wg.Wait()
	return got
}

// Defect 4: one rotating OAuth refresh token sent by many callers at once
// is exchanged once, and the others' reuse revokes the family, the
// winner's new tokens included, every time.
func TestOAuthRotationRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	s := newOIDCServer(t, true)
	for round := range 30 {
		tr := s.oauthLogin("alice@example.com")
		var (
			mu     sync.Mutex
			winner mockidp.TokenResponse
		)
		got := race(16, func() int {
			rec := s.oauthRefresh(tr.RefreshToken)
			if rec.Code == http.StatusOK {
				mu.Lock()
				_ = json.Unmarshal(rec.Body.Bytes(), &winner)
				mu.Unlock()
			}
			return rec.Code
		})
		if got[http.StatusOK] != 1 || got[http.StatusBadRequest] != 15 {
			t.Fatalf("round %d: statuses %v, want one 200 and fifteen 400", round, got)
		}
		if rec := s.oauthRefresh(winner.RefreshToken); rec.Code != http.StatusBadRequest {
			t.Fatalf("round %d: the winner's refresh token after the reuse: got %d, want 400 (family revoked)", round, rec.Code)
		}
		if rec := s.userinfo(winner.AccessToken); rec.Code != http.StatusUnauthorized {
			t.Fatalf("round %d: the winner's access token after the reuse: got %d, want 401", round, rec.Code)
		}
	}
}

// Defect 4: one authorization code exchanged by many callers at once is
// exchanged once, and the reuse revokes what the winner got, every time.
func TestCodeExchangeRaceRevokes(t *testing.T) {
	t.Parallel()
	s := newOIDCServer(t, false)
	for round := range 30 {
		code := s.authCode("alice@example.com")
		var (
			mu     sync.Mutex
			winner mockidp.TokenResponse
		)
		got := race(16, func() int {
			rec := s.exchange(code)
			if rec.Code == http.StatusOK {
				mu.Lock()
				_ = json.Unmarshal(rec.Body.Bytes(), &winner)
				mu.Unlock()
			}
			return rec.Code
		})
		if got[http.StatusOK] != 1 || got[http.StatusBadRequest] != 15 {
			t.Fatalf("round %d: statuses %v, want one 200 and fifteen 400", round, got)
		}
		if rec := s.oauthRefresh(winner.RefreshToken); rec.Code != http.StatusBadRequest {
			t.Fatalf("round %d: the winner's refresh token after the reuse: got %d, want 400 (family revoked)", round, rec.Code)
		}
		if rec := s.userinfo(winner.AccessToken); rec.Code != http.StatusUnauthorized {
			t.Fatalf("round %d: the winner's access token after the reuse: got %d, want 401", round, rec.Code)
		}
	}
}

// Defect 9: a used code replayed by another client is refused without
// revoking what its own client got.
func TestCodeReplayByAnotherClient(t *testing.T) {
	t.Parallel()
	s := newOIDCServer(t, false)
	code := s.authCode("alice@example.com")
	var tr mockidp.TokenResponse
	s.ok(s.exchange(code), &tr)
	rec := s.form("/oauth2/v1/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appCallback},
		"client_id": {"spa-app"}, "code_verifier": {strings.Repeat("v", 43)}})
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("replay by another client: got %d %s, want 400", rec.Code, rec.Body.Bytes())
	}
	if rec := s.oauthRefresh(tr.RefreshToken); rec.Code != http.StatusOK {
		t.Errorf("web-app's refresh token after another client's replay: got %d %s, want 200", rec.Code, truncateBody(rec.Body.Bytes()))
	}
}

// Defect 9, decided: reusing a rotated-away Descope refresh JWT is refused
// (401 E061005) and leaves its descendant alone (README, "Choices").
func TestRotatedAwayRefreshJWTReuse(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, func(p *mockidp.Project) { p.Sessions.RefreshRotation = true })
	pair, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var next mockidp.JWTResponse
	s.ok(s.do(http.MethodPost, "/v1/auth/refresh", withRefresh(pair.RefreshJWT), `{}`), &next)
	s.refused(s.do(http.MethodPost, "/v1/auth/refresh", withRefresh(pair.RefreshJWT), `{}`), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	s.ok(s.do(http.MethodPost, "/v1/auth/refresh", withRefresh(next.RefreshJwt), `{}`), nil)
}

// Defect 9: a client_id the mock does not know (perhaps a secret sent in
// its place) never reaches the log.
func TestTokenEndpointLogsNoUnknownClientID(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s, err := mockidp.New(mockidp.Config{KeyPEM: fixtures.KeyPEMs(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	const swapped = "s3cr3t-sent-as-client-id"
	rec := sessionServer{t, s}.form("/oauth2/v1/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {swapped}, "client_secret": {"admin-client"}})
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("got %d %s, want 401", rec.Code, truncateBody(rec.Body.Bytes()))
	}
	if !strings.Contains(logs.String(), "token request refused") || strings.Contains(logs.String(), swapped) {
		t.Errorf("the log names the unknown client_id:\n%s", logs.String())
	}
}
