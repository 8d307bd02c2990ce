package mockidp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// callback is an app's redirect endpoint on loopback: it remembers the
// query of every request.
type callback struct {
	*httptest.Server
	mu      sync.Mutex
	queries []url.Values
}

func startCallback(t *testing.T) *callback {
	t.Helper()
	cb := &callback{}
	cb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb.mu.Lock()
		cb.queries = append(cb.queries, r.URL.Query())
		cb.mu.Unlock()
		io.WriteString(w, "callback reached")
	}))
	t.Cleanup(cb.Close)
	return cb
}

func (cb *callback) last(t *testing.T) url.Values {
	t.Helper()
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.queries) == 0 {
		t.Fatal("the callback was never reached")
	}
	return cb.queries[len(cb.queries)-1]
}

// codeFlow is a mock with a confidential and a public client whose
// redirect URI is a loopback callback, and golang.org/x/oauth2 and go-oidc
// configured against it through discovery.
type codeFlow struct {
	m        *mockidptest.Mock
	cb       *callback
	ctx      context.Context
	provider *oidc.Provider
	web, spa oauth2.Config
}

func newCodeFlow(t *testing.T, rotation bool) *codeFlow {
	t.Helper()
	p := mockidp.DefaultProject()
	p.Sessions.RefreshRotation = rotation
	return newCodeFlowWith(t, mockidp.Config{Project: p})
}

func newCodeFlowWith(t *testing.T, cfg mockidp.Config) *codeFlow {
	t.Helper()
	m := mockidptest.Start(t, cfg)
	m.Clock().Freeze() // auth_time and iat are compared with the mock's now
	cb := startCallback(t)
	redirect := cb.URL + "/callback"
	for _, c := range []mockidp.Client{
		{ID: "web-app", Secret: "web-secret", ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{cb.URL + "/bye"}}},
		{ID: "spa-app", ClientOIDC: mockidp.ClientOIDC{Public: true, RedirectURIs: []string{redirect}, RequireNonce: true, RequireState: true}},
	} {
		if err := m.AddClient(c); err != nil {
			t.Fatal(err)
		}
	}
	ctx := oidc.ClientContext(t.Context(), m.Client())
	provider, err := oidc.NewProvider(ctx, m.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	scopes := []string{oidc.ScopeOpenID, "profile", "email"}
	return &codeFlow{m: m, cb: cb, ctx: ctx, provider: provider,
		web: oauth2.Config{ClientID: "web-app", ClientSecret: "web-secret", Endpoint: provider.Endpoint(), RedirectURL: redirect, Scopes: scopes},
		spa: oauth2.Config{ClientID: "spa-app", Endpoint: provider.Endpoint(), RedirectURL: redirect, Scopes: scopes},
	}
}

// authorize follows an authorization URL to the callback and returns the
// callback's query.
func (f *codeFlow) authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	resp, err := f.m.Client().Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "callback reached" {
		t.Fatalf("authorize: %d %s, want the callback", resp.StatusCode, truncateBody(body))
	}
	return f.cb.last(t)
}

func truncateBody(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func (f *codeFlow) verifyID(t *testing.T, tok *oauth2.Token, clientID string) *oidc.IDToken {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no id_token in the token response")
	}
	idt, err := f.provider.Verifier(&oidc.Config{ClientID: clientID, Now: f.m.Now}).Verify(f.ctx, raw)
	if err != nil {
		t.Fatalf("go-oidc Verify: %v", err)
	}
	return idt
}

// TestCodeFlowWithRealClients: x/oauth2 builds the authorization URL with
// PKCE S256 and a login_hint, exchanges the code with the verifier, go-oidc
// verifies the ID token and its nonce, userinfo answers per scope, and a
// refreshing TokenSource gets new tokens (with rotation, once the old
// refresh token is refused).
func TestCodeFlowWithRealClients(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		public   bool
		rotation bool
	}{
		{"confidential client", false, false},
		{"public client with rotation", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newCodeFlow(t, tt.rotation)
			conf := f.web
			if tt.public {
				conf = f.spa
			}
			verifier := oauth2.GenerateVerifier()
			authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1"),
				oauth2.SetAuthURLParam("login_hint", "alice@example.com"))
			q := f.authorize(t, authURL)
			if q.Get("state") != "state-1" || q.Get("code") == "" {
				t.Fatalf("callback query %v, want a code and state-1", q)
			}
			tok, err := conf.Exchange(f.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
				t.Fatalf("token %+v, want a Bearer token with a refresh token and an expiry", tok)
			}
			idt := f.verifyID(t, tok, conf.ClientID)
			var claims struct {
				Email         string   `json:"email"`
				EmailVerified bool     `json:"email_verified"`
				Name          string   `json:"name"`
				AMR           []string `json:"amr"`
				AuthTime      int64    `json:"auth_time"`
				TokenType     string   `json:"token_type"`
			}
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if idt.Nonce != "nonce-1" || idt.Subject != "U2MockUserAlice0000000000001" || claims.Email != "alice@example.com" ||
				!claims.EmailVerified || claims.Name != "Alice Example" || claims.TokenType != "id_token" ||
				len(claims.AMR) != 1 || claims.AMR[0] != "email" || claims.AuthTime != f.m.Now().Unix() {
				t.Fatalf("ID token nonce %q sub %q claims %+v", idt.Nonce, idt.Subject, claims)
			}
			info, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if info.Subject != idt.Subject || info.Email != "alice@example.com" || !info.EmailVerified {
				t.Fatalf("userinfo %+v", info)
			}

			// x/oauth2 refreshes once its token has expired (by the wall
			// clock it reads): mark it so.
			stale := *tok
			stale.Expiry = time.Now().Add(-time.Minute)
			ts := conf.TokenSource(f.ctx, &stale)
			f.m.Advance(time.Minute)
			fresh, err := ts.Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == tok.AccessToken {
				t.Fatal("refresh returned the same access token")
			}
			if again := f.verifyID(t, fresh, conf.ClientID); again.Subject != idt.Subject || again.Nonce != "" {
				t.Fatalf("refreshed ID token sub %q nonce %q, want the same sub and no nonce", again.Subject, again.Nonce)
			}
			rotated := fresh.RefreshToken != tok.RefreshToken
			if rotated != tt.rotation {
				t.Fatalf("refresh token rotated %v, want %v", rotated, tt.rotation)
			}
			_, err = conf.TokenSource(f.ctx, &stale).Token()
			if tt.rotation {
				var re *oauth2.RetrieveError
				if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
					t.Fatalf("reusing the rotated-away refresh token: %v, want invalid_grant", err)
				}
				// Reuse revoked the whole family: the current one fails too.
				if _, err := conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
					t.Fatal("the family's current refresh token still works after a reuse")
				}
			} else if err != nil {
				t.Fatalf("refreshing again without rotation: %v", err)
			}
		})
	}
}
