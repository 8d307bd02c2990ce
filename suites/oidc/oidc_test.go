package oidc_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/oauth2"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// app is a web app logging users in against the mock: a callback server on
// loopback, the confidential client registered for it, and x/oauth2 and
// go-oidc configured from the mock's discovery document.
type app struct {
	env      *harness.Env
	ctx      context.Context
	http     *http.Client // follows redirects to the callback
	raw      *http.Client // stops at the first redirect
	provider *oidc.Provider
	conf     oauth2.Config
	callback string

	mu    sync.Mutex
	calls []url.Values
}

func startApp(env *harness.Env) *app {
	GinkgoHelper()
	// The mock's transport: it trusts the mock's CA when the suites run over HTTPS.
	a := &app{env: env, http: &http.Client{Timeout: 10 * time.Second, Transport: env.MockHTTP.Transport}}
	a.raw = &http.Client{Timeout: 10 * time.Second, Transport: env.MockHTTP.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.calls = append(a.calls, r.URL.Query())
		a.mu.Unlock()
		io.WriteString(w, "callback reached")
	}))
	DeferCleanup(srv.Close)
	a.callback = srv.URL + "/callback"
	Expect(env.Mock.PutClient(context.Background(), mockclient.OAuthClient{ID: "suite-web-app", Secret: "suite-web-secret",
		ClientOIDC: mockidp.ClientOIDC{RedirectURIs: []string{a.callback}, PostLogoutRedirectURIs: []string{srv.URL + "/bye"}}})).To(Succeed())
	a.ctx = oidc.ClientContext(context.Background(), a.http)
	provider, err := oidc.NewProvider(a.ctx, strings.TrimSuffix(env.Mock.DiscoveryURL(), "/.well-known/openid-configuration"))
	Expect(err).NotTo(HaveOccurred(), "go-oidc discovery")
	a.provider = provider
	// HTTP Basic, named: x/oauth2's auto-detection repeats a refused
	// request with the credentials in the body, which would show each
	// refusal twice.
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	a.conf = oauth2.Config{ClientID: "suite-web-app", ClientSecret: "suite-web-secret", Endpoint: endpoint,
		RedirectURL: a.callback, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	return a
}

// now is the mock's clock in-process and the real one externally.
func (a *app) now() time.Time {
	if a.env.InProcess != nil {
		return a.env.InProcess.Now()
	}
	return time.Now()
}

// login follows an authorization URL to the callback and returns its code.
func (a *app) login(opts ...oauth2.AuthCodeOption) (code string, verifier string) {
	GinkgoHelper()
	verifier = oauth2.GenerateVerifier()
	opts = append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce("suite-nonce"),
		oauth2.SetAuthURLParam("login_hint", "alice@example.com")}, opts...)
	resp, err := a.http.Get(a.conf.AuthCodeURL("suite-state", opts...))
	Expect(err).NotTo(HaveOccurred())
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	Expect(string(body)).To(Equal("callback reached"), "status %d", resp.StatusCode)
	a.mu.Lock()
	q := a.calls[len(a.calls)-1]
	a.mu.Unlock()
	Expect(q.Get("state")).To(Equal("suite-state"))
	Expect(q.Get("code")).NotTo(BeEmpty())
	return q.Get("code"), verifier
}

func (a *app) exchange(code, verifier string) (*oauth2.Token, error) {
	return a.conf.Exchange(a.ctx, code, oauth2.VerifierOption(verifier))
}

func (a *app) verify(tok *oauth2.Token) *oidc.IDToken {
	GinkgoHelper()
	raw, _ := tok.Extra("id_token").(string)
	Expect(raw).NotTo(BeEmpty(), "id_token")
	idt, err := a.provider.Verifier(&oidc.Config{ClientID: a.conf.ClientID, Now: a.now}).Verify(a.ctx, raw)
	Expect(err).NotTo(HaveOccurred(), "go-oidc verifies the ID token")
	return idt
}

// refresh runs x/oauth2's refreshing TokenSource from a token it considers expired.
func (a *app) refresh(refreshToken string) (*oauth2.Token, error) {
	return a.conf.TokenSource(a.ctx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
}

func invalidGrant(err error) {
	GinkgoHelper()
	var re *oauth2.RetrieveError
	Expect(err).To(BeAssignableToTypeOf(re), "%v", err)
	re = err.(*oauth2.RetrieveError)
	Expect(re.ErrorCode).To(Equal("invalid_grant"), "%s", re.Body)
	Expect(string(re.Body)).To(ContainSubstring(`"errorCode":"E`))
}

var _ = Describe("OIDC login against the mock", Label("offline", "oidc"), func() {
	var (
		env *harness.Env
		a   *app
	)

	When("the project does not rotate refresh tokens", func() {
		BeforeEach(func() {
			env = harness.Start(harness.Options{})
			a = startApp(env)
		})

		It("runs the code flow with PKCE and nonce, userinfo and a refresh", func() {
			code, verifier := a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			idt := a.verify(tok)
			Expect(idt.Nonce).To(Equal("suite-nonce"))
			Expect(idt.Subject).To(Equal("U2MockUserAlice0000000000001"))
			info, err := a.provider.UserInfo(a.ctx, oauth2.StaticTokenSource(tok))
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Email).To(Equal("alice@example.com"))
			fresh, err := a.refresh(tok.RefreshToken)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.verify(fresh).Subject).To(Equal(idt.Subject))
			_, err = a.refresh(tok.RefreshToken)
			Expect(err).NotTo(HaveOccurred(), "without rotation the refresh token stays good")
		})

		It("refuses a wrong or missing PKCE verifier and keeps the code for its client", func() {
			code, verifier := a.login()
			_, err := a.exchange(code, oauth2.GenerateVerifier())
			invalidGrant(err)
			_, err = a.conf.Exchange(a.ctx, code)
			invalidGrant(err)
			_, err = a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
		})

		It("redirects plain PKCE back to the app as invalid_request", func() {
			resp, err := a.raw.Get(a.conf.AuthCodeURL("suite-state", oauth2.SetAuthURLParam("code_challenge", "x"),
				oauth2.SetAuthURLParam("code_challenge_method", "plain")))
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusFound))
			loc, err := url.Parse(resp.Header.Get("Location"))
			Expect(err).NotTo(HaveOccurred())
			Expect(strings.HasPrefix(loc.String(), a.callback+"?")).To(BeTrue(), loc.String())
			Expect(loc.Query().Get("error")).To(Equal("invalid_request"))
			Expect(loc.Query().Get("state")).To(Equal("suite-state"))
		})

		It("refuses a reused code and revokes the tokens its first exchange issued", func() {
			code, verifier := a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			_, err = a.exchange(code, verifier)
			invalidGrant(err)
			_, err = a.refresh(tok.RefreshToken)
			invalidGrant(err)
			_, err = a.provider.UserInfo(a.ctx, oauth2.StaticTokenSource(tok))
			Expect(err).To(HaveOccurred(), "userinfo with the revoked access token")
		})

		It("logs out to the registered post-logout URI with state and ends the session", func() {
			code, verifier := a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			var endSession struct {
				URL string `json:"end_session_endpoint"`
			}
			Expect(a.provider.Claims(&endSession)).To(Succeed())
			bye := strings.TrimSuffix(a.callback, "/callback") + "/bye"
			resp, err := a.raw.Get(endSession.URL + "?" + url.Values{"id_token_hint": {tok.Extra("id_token").(string)},
				"post_logout_redirect_uri": {bye}, "state": {"out-1"}}.Encode())
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusFound))
			Expect(resp.Header.Get("Location")).To(Equal(bye + "?state=out-1"))
			_, err = a.refresh(tok.RefreshToken)
			invalidGrant(err)

			resp, err = a.raw.Get(endSession.URL + "?" + url.Values{"client_id": {"suite-web-app"}, "post_logout_redirect_uri": {"http://evil.example/"}}.Encode())
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusBadRequest))
			Expect(resp.Header.Get("Location")).To(BeEmpty(), "never a redirect to an unregistered URI")
		})

		It("revokes a refresh token (RFC 7009) and answers 200 for unknown tokens", func() {
			code, verifier := a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			var rev struct {
				URL string `json:"revocation_endpoint"`
			}
			Expect(a.provider.Claims(&rev)).To(Succeed())
			for _, token := range []string{tok.RefreshToken, "not-a-token-the-mock-knows"} {
				resp, err := a.http.PostForm(rev.URL, url.Values{"token": {token}, "client_id": {"suite-web-app"}, "client_secret": {"suite-web-secret"}})
				Expect(err).NotTo(HaveOccurred())
				resp.Body.Close()
				Expect(resp.StatusCode).To(Equal(http.StatusOK))
			}
			_, err = a.refresh(tok.RefreshToken)
			invalidGrant(err)
		})

		It("logs in the user the control plane queued, with its amr", func() {
			Expect(env.Mock.QueueLogin(context.Background(), mockclient.QueuedLogin{User: "admin@example.com", AMR: []string{"pwd"}})).To(Succeed())
			code, verifier := a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			var claims struct {
				Sub string   `json:"sub"`
				AMR []string `json:"amr"`
			}
			Expect(a.verify(tok).Claims(&claims)).To(Succeed())
			Expect(claims.Sub).To(Equal("U2MockUserAdmin0000000000002"))
			Expect(claims.AMR).To(Equal([]string{"pwd"}))
		})

	})

	When("refresh tokens live an hour", func() {
		BeforeEach(func() {
			// Shorter than the key rotation interval: a refresh token fails
			// by its expiry, not by its key leaving the key set.
			p := mockidp.DefaultProject()
			p.Sessions.RefreshTTL = mockidp.Duration(time.Hour)
			env = harness.Start(harness.Options{Project: p})
			a = startApp(env)
		})

		It("expires codes and refresh tokens on the mock's clock", func() {
			code, verifier := a.login()
			env.Advance(mockidp.AuthorizationCodeTTL)
			_, err := a.exchange(code, verifier)
			invalidGrant(err)
			Expect(string(err.(*oauth2.RetrieveError).Body)).To(ContainSubstring("expired"))
			code, verifier = a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			env.Advance(time.Hour - time.Second)
			_, err = a.refresh(tok.RefreshToken)
			Expect(err).NotTo(HaveOccurred(), "a second before its expiry")
			env.Advance(time.Second)
			_, err = a.refresh(tok.RefreshToken)
			invalidGrant(err)
			Expect(string(err.(*oauth2.RetrieveError).Body)).To(ContainSubstring("expired"))
		})
	})

	When("the project rotates refresh tokens", func() {
		BeforeEach(func() {
			p := mockidp.DefaultProject()
			p.Sessions.RefreshRotation = true
			env = harness.Start(harness.Options{Project: p})
			a = startApp(env)
		})

		It("issues a new refresh token per refresh, refuses the old one and then revokes the family", func() {
			code, verifier := a.login()
			tok, err := a.exchange(code, verifier)
			Expect(err).NotTo(HaveOccurred())
			fresh, err := a.refresh(tok.RefreshToken)
			Expect(err).NotTo(HaveOccurred())
			Expect(fresh.RefreshToken).NotTo(Equal(tok.RefreshToken))
			_, err = a.refresh(tok.RefreshToken)
			invalidGrant(err)
			_, err = a.refresh(fresh.RefreshToken)
			invalidGrant(err)
		})
	})
})
