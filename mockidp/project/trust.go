package project

import "strings"

// Trust is what a token validator needs to accept every token a mock serving
// the project at a base URL issues: the discovery document of the project's
// issuer form, and the issuers its tokens carry besides that document's.
// bin/api takes it as DESCOPE_PROJECT_ID, DISCOVERY_URL and EXTRA_ISSUERS
// (`mockidp api-env` prints them).
type Trust struct {
	ProjectID    string
	DiscoveryURL string
	// ExtraIssuers: the bare project ID with issuer_form project (no
	// discovery document names it), and the inbound-apps issuer that
	// access-key session tokens always carry, whatever the form.
	ExtraIssuers []string
}

// Trust returns what a validator must trust to accept every token this
// project's mock issues when it is served at base (e.g.
// "http://127.0.0.1:8080").
func (p *Project) Trust(base string) Trust {
	base = strings.TrimSuffix(base, "/")
	const wellKnown = "/.well-known/openid-configuration"
	urlForm := base + "/" + p.ID
	appsForm := base + "/v1/apps/" + p.ID
	switch p.IssuerForm {
	case IssuerApps:
		return Trust{ProjectID: p.ID, DiscoveryURL: appsForm + wellKnown}
	case IssuerProject:
		return Trust{ProjectID: p.ID, DiscoveryURL: urlForm + wellKnown, ExtraIssuers: []string{p.ID, appsForm}}
	default:
		return Trust{ProjectID: p.ID, DiscoveryURL: urlForm + wellKnown, ExtraIssuers: []string{appsForm}}
	}
}
