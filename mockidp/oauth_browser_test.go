//go:build browser

// The login page in a real browser: headless Chromium (Debian's chromium
// package) driven by chromedp. Run with `make test-browser`; .ci/run runs it
// with CI=true, where a missing chromium fails the test instead of skipping.

package mockidp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not on PATH: .ci/run installs it (apt-get install chromium); CI must run this test")
	}
	t.Skip("chromium is not on PATH; install it (apt-get install chromium) to run the browser test")
	return ""
}

// TestLoginPageInChromium clicks through the login page: the browser opens
// the authorization URL, picks a user (by its button, then by typing a
// login ID), follows the redirect to the app's callback on loopback, and the
// app exchanges the code and verifies the ID token.
func TestLoginPageInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	m := mockidptest.Start(t, mockidp.Config{})
	codes := make(chan url.Values, 4)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r) // the browser's /favicon.ico
			return
		}
		codes <- r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><title>app</title><p id="done">signed in</p>`)
	}))
	t.Cleanup(cb.Close)
	if err := m.AddClient(mockidp.Client{ID: "browser-app", Secret: "browser-secret",
		ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{cb.URL + "/callback"}}}); err != nil {
		t.Fatal(err)
	}
	ctx := oidc.ClientContext(t.Context(), m.Client())
	provider, err := oidc.NewProvider(ctx, m.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "browser-app", ClientSecret: "browser-secret", Endpoint: provider.Endpoint(),
		RedirectURL: cb.URL + "/callback", Scopes: []string{oidc.ScopeOpenID, "email"}}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-gpu", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)

	for _, tt := range []struct {
		name    string
		actions func(authURL string) []chromedp.Action[chromedp.Void]
		wantSub string
	}{
		{"a user's button", func(authURL string) []chromedp.Action[chromedp.Void] {
			button := chromedp.CSS(`button[value="admin@example.com"]`)
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(authURL), chromedp.WaitVisible(button),
				chromedp.Click(button), chromedp.WaitVisible(chromedp.ID("done"))}
		}, "U2MockUserAdmin0000000000002"},
		{"a typed login ID", func(authURL string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.ID("login-id")),
				chromedp.SendKeys(chromedp.ID("login-id"), "alice@example.com"), chromedp.Click(chromedp.ID("submit")),
				chromedp.WaitVisible(chromedp.ID("done"))}
		}, "U2MockUserAlice0000000000001"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			verifier := oauth2.GenerateVerifier()
			authURL := conf.AuthCodeURL("browser-state", oauth2.S256ChallengeOption(verifier), oidc.Nonce("browser-nonce"))
			if err := chromedp.Do(browser, tt.actions(authURL)...); err != nil {
				t.Fatalf("chromium: %v", err)
			}
			q := <-codes
			if q.Get("state") != "browser-state" || q.Get("code") == "" {
				t.Fatalf("callback query %v", q)
			}
			tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := provider.Verifier(&oidc.Config{ClientID: "browser-app", Now: m.Now}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if idt.Subject != tt.wantSub || idt.Nonce != "browser-nonce" {
				t.Fatalf("logged in %q (nonce %q), want %q", idt.Subject, idt.Nonce, tt.wantSub)
			}
		})
	}
}
