package harness

import (
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported
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
