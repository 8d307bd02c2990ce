package mockidp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// With the default project (keys rotated every 24h, 12 kept; refresh JWTs
// living 672h) a refresh JWT outlives its signing key: it refreshes after
// 12 rotations and is refused after the 13th, though unexpired, with a
// message that names the key window and the refresh lifetime. Descope
// documents the same: after 12 rotations users with active sessions must
// log in again (README, "Refresh JWTs and key rotation").
func TestRefreshOutlivesKeyWindow(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	p := mockidp.DefaultProject()
	if p.Keys.Keep != 12 || time.Duration(p.Keys.RotateEvery) != 24*time.Hour || time.Duration(p.Sessions.RefreshTTL) != 672*time.Hour {
		t.Fatalf("default project keys %+v sessions %+v: the test assumes 24h, 12 kept, 672h", p.Keys, p.Sessions)
	}
	m := s.do("POST", "/_mock/sessions", "", `{"user":"alice@example.com"}`)
	var pair mockidp.SessionMintResponse
	s.ok(m, &pair)
	refresh := func() *httptest.ResponseRecorder {
		return s.do("POST", "/v1/auth/refresh", withRefresh(pair.RefreshJWT), `{}`)
	}
	rotate := time.Duration(p.Keys.RotateEvery)
	if err := s.Advance(time.Duration(p.Keys.Keep) * rotate); err != nil {
		t.Fatal(err)
	}
	s.ok(refresh(), nil) // signing key is the oldest one still published
	if err := s.Advance(rotate); err != nil {
		t.Fatal(err)
	}
	if exp := int64(pair.RefreshClaims["exp"].(float64)); s.Now().Unix() >= exp {
		t.Fatalf("refresh JWT expired (exp %d, now %d): the test needs it alive", exp, s.Now().Unix())
	}
	e := s.refused(refresh(), http.StatusUnauthorized, mockidp.CodeInvalidToken)
	for _, want := range []string{"unknown key id", "keys.keep", "keys.rotate_every", "sessions.refresh_ttl"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not name %q", e.Message, want)
		}
	}
}
