package project

import (
	"fmt"
	"slices"
)

// ProjectClientSettings configures the project ID as an OAuth client:
// web-js-sdk's OIDC mode (src/sdk/oidc/index.ts) uses {baseUrl}/{projectId}
// as the authority and the project ID as client_id, a public client that
// proves itself with PKCE S256 (oidc-client-ts). Project file:
// "project_client:".
type ProjectClientSettings struct {
	// RedirectURIs (optional, default ["loopback"]) - where the authorization
	// endpoint may send the user back: exact URIs, or "loopback" for any
	// http(s) URL on localhost, 127.0.0.1 or [::1] (any port and path, RFC
	// 8252 §7.3; web-js-sdk's default redirect_uri is the page's own URL).
	RedirectURIs []string `yaml:"redirect_uris" json:"redirect_uris,omitempty"`
	// PostLogoutRedirectURIs (optional, default ["loopback"]) - where the
	// end-session endpoint may send the user after logout, alike.
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris" json:"post_logout_redirect_uris,omitempty"`
	// Disabled (optional) - the project ID is no client (invalid_client).
	Disabled bool `yaml:"disabled" json:"disabled,omitempty"`
}

// RedirectLoopback is the keyword of any loopback redirect URI.
const RedirectLoopback = "loopback"

// Validate checks the redirect URIs.
func (p *ProjectClientSettings) Validate() error {
	for _, list := range []struct {
		name string
		uris []string
	}{{"redirect_uris", p.RedirectURIs}, {"post_logout_redirect_uris", p.PostLogoutRedirectURIs}} {
		if len(list.uris) > 100 {
			return &ConfigError{Field: "project_client." + list.name, Reason: "at most 100 URIs"}
		}
		for j, u := range list.uris {
			if u == RedirectLoopback {
				continue
			}
			if err := CheckRedirectURI(u); err != nil {
				return &ConfigError{Field: fmt.Sprintf("project_client.%s[%d]", list.name, j), Reason: err.Error()}
			}
		}
	}
	return nil
}

// ProjectIDClient is the project ID as a public client, unless disabled.
func (p *Project) ProjectIDClient() (Client, bool) {
	if p.ProjectClient.Disabled {
		return Client{}, false
	}
	or := func(list []string) []string {
		if len(list) == 0 {
			return []string{RedirectLoopback}
		}
		return slices.Clone(list)
	}
	return Client{ID: p.ID, ClientOIDC: ClientOIDC{Public: true,
		RedirectURIs: or(p.ProjectClient.RedirectURIs), PostLogoutRedirectURIs: or(p.ProjectClient.PostLogoutRedirectURIs)}}, true
}
