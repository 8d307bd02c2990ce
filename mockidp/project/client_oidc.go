package project

import "fmt"

// ClientOIDC is the part of a client about user logins (the authorization
// code flow); it is inlined in the client's entry of the project file and
// of POST /_mock/clients.
type ClientOIDC struct {
	// RedirectURIs (optional) - where the authorization endpoint may send
	// the user back; a request's redirect_uri must equal one exactly. A
	// client without any cannot use the authorization code flow.
	RedirectURIs []string `yaml:"redirect_uris" json:"redirect_uris,omitempty"`
	// PostLogoutRedirectURIs (optional) - where the end-session endpoint
	// may send the user after logout (exact match).
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris" json:"post_logout_redirect_uris,omitempty"`
	// Public (optional) - a client without a secret (a browser or native
	// app): it must use PKCE S256 and cannot use client_credentials.
	Public bool `yaml:"public" json:"public,omitempty"`
	// RequireState, RequireNonce (optional) - refuse authorization requests
	// without state or nonce.
	RequireState bool `yaml:"require_state" json:"require_state,omitempty"`
	RequireNonce bool `yaml:"require_nonce" json:"require_nonce,omitempty"`
}

// validate checks the OIDC settings of a client with the given secret.
func (o *ClientOIDC) validate(field, secret string) error {
	if o.Public && secret != "" {
		return &ConfigError{Field: field + ".secret", Reason: "a public client has no secret (remove it, or public: false)"}
	}
	if !o.Public && secret == "" {
		return &ConfigError{Field: field + ".secret", Reason: "is required (or public: true for a client that authenticates by PKCE alone)"}
	}
	if o.Public && len(o.RedirectURIs) == 0 {
		return &ConfigError{Field: field + ".redirect_uris", Reason: "a public client needs at least one redirect URI (it can only use the authorization code flow)"}
	}
	for _, list := range []struct {
		name string
		uris []string
	}{{"redirect_uris", o.RedirectURIs}, {"post_logout_redirect_uris", o.PostLogoutRedirectURIs}} {
		if len(list.uris) > 100 {
			return &ConfigError{Field: field + "." + list.name, Reason: "at most 100 URIs"}
		}
		for j, u := range list.uris {
			if err := CheckRedirectURI(u); err != nil {
				return &ConfigError{Field: fmt.Sprintf("%s.%s[%d]", field, list.name, j), Reason: err.Error()}
			}
		}
	}
	return nil
}
