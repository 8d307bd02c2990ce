package harness

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/api"
	"github.com/descope-harness/harness/api/auth"
)

// Environment variables of the live target.
const (
	EnvDescopeProjectID    = "DESCOPE_PROJECT_ID"
	EnvDescopeClientID     = "DESCOPE_CLIENT_ID"
	EnvDescopeClientSecret = "DESCOPE_CLIENT_SECRET"
	EnvDescopeBaseURL      = "DESCOPE_BASE_URL"
	EnvDescopeScope        = "DESCOPE_SCOPE"
)

// DefaultDescopeBaseURL is where live specs find Descope unless DESCOPE_BASE_URL says otherwise.
const DefaultDescopeBaseURL = "https://api.descope.com"

// LiveConfig is the live Descope project the live specs use.
type LiveConfig struct {
	// ProjectID is DESCOPE_PROJECT_ID.
	ProjectID string
	// ClientID and ClientSecret are an inbound app's or access key's client credentials.
	ClientID, ClientSecret string
	// BaseURL is DESCOPE_BASE_URL, default https://api.descope.com.
	BaseURL string
	// Scope is DESCOPE_SCOPE (optional; empty asks for the client's defaults).
	Scope string
}

// DiscoveryURL is the project's OpenID configuration URL.
func (c LiveConfig) DiscoveryURL() string {
	return strings.TrimSuffix(c.BaseURL, "/") + "/" + c.ProjectID + "/.well-known/openid-configuration"
}

// Live reads the live configuration from getenv (os.Getenv when nil). When
// a required variable is unset it returns a message naming every missing one.
func Live(getenv func(string) string) (LiveConfig, string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := LiveConfig{
		ProjectID:    getenv(EnvDescopeProjectID),
		ClientID:     getenv(EnvDescopeClientID),
		ClientSecret: getenv(EnvDescopeClientSecret),
		BaseURL:      getenv(EnvDescopeBaseURL),
		Scope:        getenv(EnvDescopeScope),
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultDescopeBaseURL
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{EnvDescopeProjectID, cfg.ProjectID}, {EnvDescopeClientID, cfg.ClientID}, {EnvDescopeClientSecret, cfg.ClientSecret},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return cfg, "live specs need real Descope credentials: set " + strings.Join(missing, ", ") +
			" (optional: " + EnvDescopeBaseURL + ", " + EnvDescopeScope + ")"
	}
	return cfg, ""
}

// RequireLive returns the live configuration or skips the spec with the message naming what is missing.
func RequireLive() LiveConfig {
	GinkgoHelper()
	cfg, missing := Live(nil)
	if missing != "" {
		Skip(missing)
	}
	return cfg
}

// StartLiveAPI serves the API (in error-detail mode) on a loopback port,
// validating tokens against the live project's discovery document and
// audience (the project ID) on real time, and waits until it holds keys.
// The Env has no mock.
func StartLiveAPI(cfg LiveConfig) *Env {
	GinkgoHelper()
	logs := slog.New(slog.NewTextHandler(GinkgoWriter, nil))
	v, err := auth.New(auth.Config{DiscoveryURL: cfg.DiscoveryURL(), Audience: cfg.ProjectID, Logger: logs,
		ErrorRenderer: api.AuthErrorRenderer(true)})
	expectOK(err, "auth.New for the live project")
	handler, err := api.New(api.Config{Auth: v, ProjectID: cfg.ProjectID, DiscoveryURL: cfg.DiscoveryURL(), Logger: logs})
	expectOK(err, "api.New for the live project")
	srv := httptest.NewServer(handler)
	DeferCleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	DeferCleanup(cancel)
	v.Start(ctx)
	Eventually(ctx, v.Ready).WithTimeout(30*time.Second).WithPolling(50*time.Millisecond).
		Should(BeTrue(), "the API never loaded the live project's keys")
	return &Env{Target: LiveTarget, APIURL: srv.URL, Validator: v, Leeway: auth.DefaultLeeway,
		RefetchCooldown: auth.DefaultRefetchCooldown, http: &http.Client{Timeout: 30 * time.Second}}
}

// FetchJSON GETs url and decodes a JSON object, failing the spec on any error or a non-200 status.
func FetchJSON(url string) map[string]any {
	GinkgoHelper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
	expectOK(err, "GET "+url)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	expectOK(err, "reading "+url)
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "GET %s: %s", url, body)
	Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"), "GET %s", url)
	var m map[string]any
	Expect(json.Unmarshal(body, &m)).To(Succeed(), "GET %s: %s", url, body)
	return m
}

// ClientCredentials asks a token endpoint for a token with client_secret_basic
// (scope may be empty) and returns the token response.
func ClientCredentials(tokenURL, clientID, secret, scope string) map[string]any {
	GinkgoHelper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	expectOK(err, "token request")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	expectOK(err, "POST "+tokenURL)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	expectOK(err, "reading the token response")
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "POST %s: %s", tokenURL, body)
	var m map[string]any
	Expect(json.Unmarshal(body, &m)).To(Succeed(), "token response: %s", body)
	return m
}

// RepoRoot is the module's root folder (where go.mod is), found from the working directory.
func RepoRoot() string {
	GinkgoHelper()
	dir, err := os.Getwd()
	expectOK(err, "working directory")
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		Expect(parent).NotTo(Equal(dir), "no go.mod above the working directory")
		dir = parent
	}
}
