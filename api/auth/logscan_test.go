package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/api/auth"
	"github.com/descope-harness/harness/internal/servertest"
)

// TestLogsHoldNoTokens drives every failure path of the middleware (no
// header, bad header, each token failure, an unknown kid refetch, a key-set
// outage) and the success path with a debug-level logger, then scans the
// logs: no token, no signed part of one, no signature and no private key.
func TestLogsHoldNoTokens(t *testing.T) {
	t.Parallel()
	p := newFuzzProvider(t)
	var logs servertest.Buffer
	v, err := auth.New(auth.Config{
		DiscoveryURL: p.srv.URL + "/.well-known/openid-configuration", Audience: fuzzAudience, HTTPClient: p.http,
		Now: func() time.Time { return fuzzNow }, RefetchCooldown: time.Nanosecond,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	hdr := func(kid, alg string) []byte { return []byte(`{"alg":"` + alg + `","kid":"` + kid + `","typ":"JWT"}`) }
	claims := func(change map[string]any) []byte {
		c := p.validClaims()
		for k, val := range change {
			if val == nil {
				delete(c, k)
			} else {
				c[k] = val
			}
		}
		b, _ := json.Marshal(c)
		return b
	}
	good := p.validToken(t)
	tokens := []string{
		good,
		p.signJSON(t, hdr(fuzzKid, "RS256"), claims(map[string]any{"exp": fuzzNow.Add(-time.Hour).Unix()})),
		p.signJSON(t, hdr(fuzzKid, "RS256"), claims(map[string]any{"nbf": fuzzNow.Add(time.Hour).Unix()})),
		p.signJSON(t, hdr(fuzzKid, "RS256"), claims(map[string]any{"iss": "https://evil.example"})),
		p.signJSON(t, hdr(fuzzKid, "RS256"), claims(map[string]any{"aud": "someone-else"})),
		p.signJSON(t, hdr(fuzzKid, "RS256"), claims(map[string]any{"exp": nil})),
		p.signJSON(t, hdr("SK2Unknown", "RS256"), claims(nil)),
		p.signJSON(t, hdr(fuzzKid, "RS256"), []byte(`not json`)),
		good[:len(good)-4] + "AAAA",
		base64.RawURLEncoding.EncodeToString(hdr(fuzzKid, "none")) + "." + base64.RawURLEncoding.EncodeToString(claims(nil)) + ".",
	}
	status := func(authz ...string) int {
		r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		for _, a := range authz {
			r.Header.Add("Authorization", a)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	if got := status("Bearer " + good); got != http.StatusOK {
		t.Fatalf("valid token: got %d, want 200", got)
	}
	for i, tok := range tokens[1:] {
		if got := status("Bearer " + tok); got != http.StatusUnauthorized {
			t.Errorf("bad token %d: got %d, want 401", i+1, got)
		}
	}
	status()
	status("Basic " + good)
	status("Bearer " + good + " trailing")
	status("Bearer "+good, "Bearer "+good)
	// An outage: a fresh validator whose provider serves no usable keys.
	p2 := newFuzzProvider(t)
	p2.setJWKS([]byte(`{"keys":[]}`))
	v2, err := auth.New(auth.Config{DiscoveryURL: p2.srv.URL + "/.well-known/openid-configuration", Audience: fuzzAudience,
		HTTPClient: p2.http, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Validate(t.Context(), good); err == nil {
		t.Errorf("a provider with no keys: got a valid token, want ErrUnavailable")
	}

	out := logs.String()
	if strings.Count(out, "\n") < len(tokens) {
		t.Fatalf("got %d log lines, want at least one per failure; the scan would prove little", strings.Count(out, "\n"))
	}
	for i, tok := range tokens {
		parts := strings.Split(tok, ".")
		for j, part := range parts {
			if len(part) >= 16 && strings.Contains(out, part) {
				t.Errorf("logs contain segment %d of token %d", j, i)
			}
		}
	}
	d := base64.RawURLEncoding.EncodeToString(p.key.D.Bytes())
	if strings.Contains(out, d[:32]) || strings.Contains(out, "PRIVATE KEY") {
		t.Errorf("logs contain private key material")
	}
}
