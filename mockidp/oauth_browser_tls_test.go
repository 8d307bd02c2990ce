//go:build browser

// The login page over HTTPS in headless Chromium: make test-browser runs it
// with the plain-HTTP test (oauth_browser_test.go). Chromium is told to
// trust the mock's serving certificate alone with
// --ignore-certificate-errors-spki-list (honoured because chromedp gives
// every browser its own --user-data-dir), the hook browser tests of a web
// app use against `mockidp serve --tls` too.

package mockidp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
	"github.com/descope-harness/harness/mockidp/tlsca"
)

func TestLoginPageInChromiumOverTLS(t *testing.T) {
	chromium := chromiumPath(t)
	m := mockidptest.StartTLS(t, mockidp.Config{})
	codes := make(chan url.Values, 4)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
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
	if !strings.HasPrefix(conf.Endpoint.AuthURL, "https://") {
		t.Fatalf("authorization endpoint %s, want https", conf.Endpoint.AuthURL)
	}

	browser := func(t *testing.T, flags ...chromedp.ExecAllocatorOption) context.Context {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-gpu", true))
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), append(opts, flags...)...)
		t.Cleanup(cancelAlloc)
		b, cancel := chromedp.NewContext(allocCtx)
		t.Cleanup(cancel)
		return b
	}

	t.Run("trusting the mock's certificate, a user signs in", func(t *testing.T) {
		b := browser(t, chromedp.Flag("ignore-certificate-errors-spki-list", tlsca.SPKIHash(m.Certificate)))
		verifier := oauth2.GenerateVerifier()
		button := chromedp.CSS(`button[value="admin@example.com"]`)
		if err := chromedp.Do(b, chromedp.Navigate(conf.AuthCodeURL("tls-state", oauth2.S256ChallengeOption(verifier))),
			chromedp.WaitVisible(button), chromedp.Click(button), chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
			t.Fatalf("chromium: %v", err)
		}
		q := <-codes
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("Exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := provider.Verifier(&oidc.Config{ClientID: "browser-app", Now: m.Now}).Verify(ctx, raw)
		if err != nil || idt.Subject != "U2MockUserAdmin0000000000002" || !strings.HasPrefix(idt.Issuer, "https://") {
			t.Fatalf("Verify: %v (subject %v)", err, idt)
		}
	})

	t.Run("without it, Chromium refuses the page", func(t *testing.T) {
		err := chromedp.Do(browser(t), chromedp.Navigate(m.URL+"/_mock/health"))
		if err == nil || !strings.Contains(err.Error(), "ERR_CERT_AUTHORITY_INVALID") {
			t.Fatalf("navigate without trusting the certificate: %v, want net::ERR_CERT_AUTHORITY_INVALID", err)
		}
	})
}
