package mockidp_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// authRecorder remembers how each token request authenticated the client.
type authRecorder struct {
	next http.RoundTripper

	mu    sync.Mutex
	basic []bool
}

func (a *authRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _, ok := r.BasicAuth()
	a.mu.Lock()
	a.basic = append(a.basic, ok)
	a.mu.Unlock()
	return a.next.RoundTrip(r)
}

// TestClientCredentials gets tokens with golang.org/x/oauth2/clientcredentials
// using each client authentication style, and checks which one went out.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		style     oauth2.AuthStyle
		wantBasic bool
	}{
		{name: "Basic", style: oauth2.AuthStyleInHeader, wantBasic: true},
		{name: "body", style: oauth2.AuthStyleInParams, wantBasic: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mockidptest.Start(t, mockidp.Config{})
			rec := &authRecorder{next: m.Client().Transport}
			ctx := context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Transport: rec})
			cfg := clientcredentials.Config{
				ClientID:     "admin-client",
				ClientSecret: "admin-secret",
				TokenURL:     m.TokenURL(),
				Scopes:       []string{"openid", "descope.claims"},
				AuthStyle:    tt.style,
			}
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if got := tok.Type(); got != "Bearer" {
				t.Errorf("token type: got %q, want Bearer", got)
			}
			if tok.Expiry.IsZero() {
				t.Errorf("expiry: got zero, want now+600s (expires_in parsed as seconds)")
			}
			if got := tok.Extra("scope"); got != "openid descope.claims" {
				t.Errorf("scope: got %v, want %q", got, "openid descope.claims")
			}
			claims, err := m.VerifyToken(tok.AccessToken)
			if err != nil {
				t.Fatalf("VerifyToken: %v", err)
			}
			if claims["sub"] != "admin-client" {
				t.Errorf("sub: got %v, want admin-client", claims["sub"])
			}
			if len(rec.basic) != 1 || rec.basic[0] != tt.wantBasic {
				t.Errorf("requests with Basic credentials: got %v, want [%v]", rec.basic, tt.wantBasic)
			}
		})
	}
}

// TestClientCredentialsWrongSecret checks that x/oauth2 surfaces the mock's
// Descope error as a *oauth2.RetrieveError with the 401 status.
func TestClientCredentialsWrongSecret(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, m.Client())
	cfg := clientcredentials.Config{ClientID: "admin-client", ClientSecret: "wrong", TokenURL: m.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cfg.Token(ctx)
	re, ok := err.(*oauth2.RetrieveError)
	if !ok {
		t.Fatalf("error: got %T %v, want *oauth2.RetrieveError", err, err)
	}
	if re.Response.StatusCode != http.StatusUnauthorized {
		t.Errorf("status: got %d, want 401", re.Response.StatusCode)
	}
}

// newVerifier discovers the mock with go-oidc and returns a verifier that
// uses the mock's clock. Each call builds a fresh provider, so a fresh
// remote key set with an empty cache.
func newVerifier(t *testing.T, m *mockidptest.Mock) *oidc.IDTokenVerifier {
	t.Helper()
	ctx := oidc.ClientContext(t.Context(), m.Client())
	provider, err := oidc.NewProvider(ctx, m.Issuer())
	if err != nil {
		t.Fatalf("NewProvider(%s): %v", m.Issuer(), err)
	}
	if got := provider.Endpoint().TokenURL; got != m.TokenURL() {
		t.Errorf("token endpoint: got %s, want %s", got, m.TokenURL())
	}
	return provider.Verifier(&oidc.Config{ClientID: m.ProjectID(), Now: m.Now})
}

// tokenVia gets a token from the token endpoint with x/oauth2.
func tokenVia(t *testing.T, m *mockidptest.Mock, clientID, secret string) string {
	t.Helper()
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, m.Client())
	cfg := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: m.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cfg.Token(ctx)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok.AccessToken
}

// TestOIDCDiscoveryAndVerification discovers the issuer with go-oidc and
// verifies a token from the token endpoint.
func TestOIDCDiscoveryAndVerification(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	v := newVerifier(t, m)
	idt, err := v.Verify(t.Context(), tokenVia(t, m, "reader-client", "reader-secret"))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if idt.Subject != "reader-client" || idt.Issuer != m.Issuer() {
		t.Errorf("subject, issuer: got %q, %q, want reader-client, %s", idt.Subject, idt.Issuer, m.Issuer())
	}
	var claims struct {
		Roles []string `json:"roles"`
	}
	if err := idt.Claims(&claims); err != nil || len(claims.Roles) != 1 || claims.Roles[0] != "viewer" {
		t.Errorf("roles: got %v (%v), want [viewer]", claims.Roles, err)
	}

	t.Run("refuses the classic bad tokens", func(t *testing.T) {
		for _, preset := range mockidp.Presets {
			token := m.MustMint(mockidp.MintRequest{ClientID: "admin-client", Preset: preset})
			if _, err := v.Verify(t.Context(), token); err == nil {
				t.Errorf("preset %s: got a verified token, want an error", preset)
			}
		}
	})

	t.Run("expires with the mock's clock", func(t *testing.T) {
		m := mockidptest.Start(t, mockidp.Config{})
		m.Clock().Set(m.Now(), true)
		v := newVerifier(t, m)
		token := tokenVia(t, m, "admin-client", "admin-secret")
		m.Advance(601e9)
		if _, err := v.Verify(t.Context(), token); err == nil {
			t.Errorf("after exp: got a verified token, want an expiry error")
		}
	})
}

// TestOIDCAcrossRotation checks go-oidc against rotation: after a rotation
// old and new tokens verify; after Keep+1 rotations the oldest does not.
//
// go-oidc's RemoteKeySet caches the key set and refetches it only when a
// token's kid is not in its cache. So the same verifier verifies the new
// token (unknown kid: refetch, which still holds the old key), while the
// "oldest fails" check needs a fresh provider: a cached verifier would still
// hold the dropped key and accept the token, which is exactly the staleness
// that go-oidc's caching allows against real Descope too.
func TestOIDCAcrossRotation(t *testing.T) {
	t.Parallel()
	m := mockidptest.Start(t, mockidp.Config{})
	v := newVerifier(t, m)
	oldToken := tokenVia(t, m, "admin-client", "admin-secret")
	if _, err := v.Verify(t.Context(), oldToken); err != nil {
		t.Fatalf("old token before rotation: %v", err)
	}

	if err := m.RotateKeys(1); err != nil {
		t.Fatal(err)
	}
	jwksBefore := m.RequestCount(mockidp.EndpointJWKS)
	newToken := tokenVia(t, m, "admin-client", "admin-secret")
	if _, err := v.Verify(t.Context(), newToken); err != nil {
		t.Errorf("new token after rotation (refetch on unknown kid): %v", err)
	}
	if got := m.RequestCount(mockidp.EndpointJWKS) - jwksBefore; got != 1 {
		t.Errorf("key-set fetches for the new kid: got %d, want 1", got)
	}
	if _, err := v.Verify(t.Context(), oldToken); err != nil {
		t.Errorf("old token after one rotation: %v", err)
	}
	if _, err := newVerifier(t, m).Verify(t.Context(), oldToken); err != nil {
		t.Errorf("old token after one rotation, fresh provider: %v", err)
	}

	keep := m.KeysState().Keep
	if err := m.RotateKeys(keep); err != nil { // Keep+1 rotations in all
		t.Fatal(err)
	}
	fresh := newVerifier(t, m)
	if _, err := fresh.Verify(t.Context(), oldToken); err == nil {
		t.Errorf("oldest token after %d rotations: got verified, want an error", keep+1)
	}
	if _, err := fresh.Verify(t.Context(), newToken); err != nil {
		t.Errorf("token of the second key after %d rotations: %v", keep+1, err)
	}
}
