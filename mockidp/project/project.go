// Package project is the mock's configuration model: a Descope project with
// its OAuth clients, access keys, roles, tenants, users, management keys and
// session settings, read from a YAML project file (Load, Parse) and checked
// once (Project.Validate) with errors that name the file, line and field.
// It holds no run-time state and serves nothing: the mock's stores copy what
// they need from a validated Project.
package project

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Project is the mock's configured state: the project, its clients and access
// keys, token lifetimes and key rotation. It is read from a YAML project file
// (see fixtures/project.yaml for a commented example).
type Project struct {
	// ID (required) - the Descope project ID, "P" + 27 alphanumerics by convention.
	ID string `yaml:"project_id" json:"project_id"`
	// IssuerForm (optional, default "url") - "url" ({base}/{pid}), "apps"
	// ({base}/v1/apps/{pid}) or "project" (the bare project ID).
	IssuerForm string `yaml:"issuer_form" json:"issuer_form"`
	// TokenTTL (optional, default 600s) - lifetime of issued tokens.
	TokenTTL Duration `yaml:"token_ttl" json:"token_ttl"`
	// AccessKeyTTL (optional, default 600s) - lifetime of access-key session tokens.
	AccessKeyTTL Duration `yaml:"access_key_ttl" json:"access_key_ttl"`
	// Keys (optional) - signing keys and their rotation.
	Keys KeySettings `yaml:"keys" json:"keys"`
	// Clients (optional) - OAuth clients allowed the client-credentials grant.
	Clients []Client `yaml:"clients" json:"clients"`
	// AccessKeys (optional) - Descope access keys for /v1/auth/accesskey/exchange.
	AccessKeys []AccessKey `yaml:"access_keys" json:"access_keys"`
	// Directory (optional) - roles, tenants, users, management keys and
	// session settings.
	Directory `yaml:",inline"`
	// CORS (optional) - browser origins allowed to call the Descope surface.
	CORS CORSSettings `yaml:"cors" json:"cors"`
	// ProjectClient (optional) - the project ID as a public OAuth client,
	// web-js-sdk's OIDC mode (project_client.go).
	ProjectClient ProjectClientSettings `yaml:"project_client" json:"project_client"`
	// FlowList (optional) - flows for the <descope-wc> web component,
	// beside the built-ins (flows.go; Flows lists both).
	FlowList []Flow `yaml:"flows" json:"flows,omitempty"`
	// FlowSettings (optional) - the components version and execution
	// lifetime of flows.
	FlowSettings FlowSettings `yaml:"flow_settings" json:"flow_settings"`
}

// KeySettings configures the signing keys.
type KeySettings struct {
	// RotateEvery (optional, default 24h) - scheduled rotation interval, at least
	// 1s; "never" or a negative value disables scheduled rotation.
	RotateEvery Duration `yaml:"rotate_every" json:"rotate_every"`
	// Keep (optional, default 12) - previous keys published beside the current one.
	Keep int `yaml:"keep" json:"keep"`
	// PEMFiles (optional) - RSA private keys, relative to the project file; the
	// first is the initial key, the rest serve the next rotations.
	PEMFiles []string `yaml:"pem_files" json:"pem_files,omitempty"`
}

// Client is an OAuth client of the project.
type Client struct {
	ID     string `yaml:"id" json:"id"`
	Secret string `yaml:"secret" json:"secret,omitempty"`
	// Scopes (optional) - scopes the client may request.
	Scopes []string `yaml:"scopes" json:"scopes,omitempty"`
	// DefaultScopes (optional) - scopes granted when a request names none.
	DefaultScopes []string `yaml:"default_scopes" json:"default_scopes,omitempty"`
	Roles         []string `yaml:"roles" json:"roles,omitempty"`
	Permissions   []string `yaml:"permissions" json:"permissions,omitempty"`
	// Tenants (optional) - tenant ID to the client's roles and permissions there.
	Tenants map[string]TenantGrant `yaml:"tenants" json:"tenants,omitempty"`
	// CurrentTenant (optional) - sent as the dct claim; must be one of Tenants.
	CurrentTenant string `yaml:"current_tenant" json:"current_tenant,omitempty"`
	// Audience (optional, default [project ID]) - the aud claim.
	Audience []string `yaml:"audience" json:"audience,omitempty"`
	// TTL (optional, default the project's TokenTTL) - token lifetime.
	TTL Duration `yaml:"ttl" json:"ttl,omitempty"`
	// Claims (optional) - custom claims added to every token.
	Claims map[string]any `yaml:"claims" json:"claims,omitempty"`
	// ClientOIDC (optional) - redirect URIs and the like for user logins (client_oidc.go).
	ClientOIDC `yaml:",inline"`
}

// TenantGrant is a client's or access key's authorization in one tenant.
type TenantGrant struct {
	Roles       []string `yaml:"roles" json:"roles"`
	Permissions []string `yaml:"permissions" json:"permissions"`
}

// MarshalJSON writes the grant as Descope tokens carry it: keys in
// alphabetical order, like every other claim, and an absent list as []
// rather than null (SDKs iterate these lists without a nil check).
func (g TenantGrant) MarshalJSON() ([]byte, error) {
	type wire struct {
		Permissions []string `json:"permissions"`
		Roles       []string `json:"roles"`
	}
	w := wire{Permissions: g.Permissions, Roles: g.Roles}
	if w.Permissions == nil {
		w.Permissions = []string{}
	}
	if w.Roles == nil {
		w.Roles = []string{}
	}
	return json.Marshal(w)
}

// AccessKey is a Descope access key (machine-to-machine credential).
type AccessKey struct {
	// ID - the key ID returned as keyId and used as sub ("K" + 27 alphanumerics).
	ID string `yaml:"id" json:"id"`
	// Secret - the cleartext key a caller sends as Bearer {pid}:{secret}.
	Secret      string                 `yaml:"secret" json:"secret,omitempty"`
	Roles       []string               `yaml:"roles" json:"roles,omitempty"`
	Permissions []string               `yaml:"permissions" json:"permissions,omitempty"`
	Tenants     map[string]TenantGrant `yaml:"tenants" json:"tenants,omitempty"`
	Claims      map[string]any         `yaml:"claims" json:"claims,omitempty"`
	TTL         Duration               `yaml:"ttl" json:"ttl,omitempty"`
}

// Defaults of a project.
const (
	DefaultProjectID   = "P2MockDescopeHarness00000001"
	DefaultTokenTTL    = 600 * time.Second
	DefaultRotateEvery = 24 * time.Hour
	DefaultKeep        = 12
)

var scopePattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`) // RFC 6749 scope-token

// ValidScope reports whether s is an RFC 6749 §3.3 scope-token:
// one or more of %x21 / %x23-5B / %x5D-7E.
func ValidScope(s string) bool { return scopePattern.MatchString(s) }

// projectIDLength is the length of a Descope project ID: "P" and 27 letters
// or digits, as every real token and the console show them. The SDKs check only that one is set; 32-character IDs carry a region
// (P + 4 region characters + 27), from which the Go, Python and .NET SDKs
// derive an api.<region>.descope.com host when no base URL is configured,
// so the mock refuses them rather than let an SDK leave the mock.
const projectIDLength = 28

// validProjectID is ^P[A-Za-z0-9]{27}$ and validID ^[A-Za-z0-9._:@-]{1,128}$,
// checked without regular expressions: compiling the counted repetitions
// cost almost a millisecond at every process start.
func validProjectID(s string) bool {
	return len(s) == projectIDLength && s[0] == 'P' && asciiWord(s[1:], projectIDLength-1, "")
}

func validID(s string) bool { return asciiWord(s, 128, "._:@-") }

// asciiWord reports whether s has 1 to maxLen bytes, each an ASCII letter,
// digit or a byte of extra.
func asciiWord(s string, maxLen int, extra string) bool {
	if len(s) == 0 || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// Validate checks the project and fills in defaults.
func (p *Project) Validate() error {
	if p.ID == "" {
		p.ID = DefaultProjectID
	}
	if !validProjectID(p.ID) {
		reason := fmt.Sprintf(`%q is not a Descope project ID: want "P" followed by 27 letters or digits (28 characters, like %s)`, truncate(p.ID, 64), DefaultProjectID)
		if len(p.ID) >= 32 {
			reason += "; 32-character regional IDs are refused because Descope SDKs derive a regional host from them"
		}
		return &ConfigError{Field: "project_id", Reason: reason}
	}
	switch p.IssuerForm {
	case "":
		p.IssuerForm = IssuerURL
	case IssuerURL, IssuerApps, IssuerProject:
	default:
		return &ConfigError{Field: "issuer_form", Reason: fmt.Sprintf("%q is not one of url, apps, project", p.IssuerForm)}
	}
	if p.TokenTTL == 0 {
		p.TokenTTL = Duration(DefaultTokenTTL)
	}
	if time.Duration(p.TokenTTL) < time.Second {
		return &ConfigError{Field: "token_ttl", Reason: "must be at least 1s"}
	}
	if p.AccessKeyTTL == 0 {
		p.AccessKeyTTL = p.TokenTTL
	}
	if time.Duration(p.AccessKeyTTL) < time.Second {
		return &ConfigError{Field: "access_key_ttl", Reason: "must be at least 1s"}
	}
	if p.Keys.RotateEvery == 0 {
		p.Keys.RotateEvery = Duration(DefaultRotateEvery)
	}
	if p.Keys.RotateEvery > 0 && time.Duration(p.Keys.RotateEvery) < time.Second {
		return &ConfigError{Field: "keys.rotate_every", Reason: "must be at least 1s (or \"never\")"}
	}
	if p.Keys.Keep == 0 {
		p.Keys.Keep = DefaultKeep
	}
	if p.Keys.Keep < 0 || p.Keys.Keep > 1000 {
		return &ConfigError{Field: "keys.keep", Reason: "must be between 1 and 1000"}
	}
	if len(p.Clients) > MaxClients {
		return &ConfigError{Field: "clients", Reason: fmt.Sprintf("%d clients, over the limit of %d (MaxClients)", len(p.Clients), MaxClients)}
	}
	if len(p.AccessKeys) > MaxAccessKeys {
		return &ConfigError{Field: "access_keys", Reason: fmt.Sprintf("%d access keys, over the limit of %d (MaxAccessKeys)", len(p.AccessKeys), MaxAccessKeys)}
	}
	seen := map[string]bool{}
	for i := range p.Clients {
		field := fmt.Sprintf("clients[%d]", i)
		if err := p.Clients[i].Validate(field); err != nil {
			return err
		}
		if seen[p.Clients[i].ID] {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("duplicate client ID %q", p.Clients[i].ID)}
		}
		seen[p.Clients[i].ID] = true
	}
	seenKeys := map[string]bool{}
	secretOf := map[string]string{} // secret to the ID of the key that has it
	for i := range p.AccessKeys {
		field := fmt.Sprintf("access_keys[%d]", i)
		if err := p.AccessKeys[i].Validate(field); err != nil {
			return err
		}
		if seenKeys[p.AccessKeys[i].ID] {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("duplicate access key ID %q", p.AccessKeys[i].ID)}
		}
		seenKeys[p.AccessKeys[i].ID] = true
		// The exchange finds a key by its secret alone.
		if other, ok := secretOf[p.AccessKeys[i].Secret]; ok {
			return &ConfigError{Field: field + ".secret", Reason: fmt.Sprintf("access key %q has the same secret", other)}
		}
		secretOf[p.AccessKeys[i].Secret] = p.AccessKeys[i].ID
	}
	if err := p.CORS.Validate(); err != nil {
		return err
	}
	if err := p.ProjectClient.Validate(); err != nil {
		return err
	}
	if err := p.validateFlows(); err != nil {
		return err
	}
	return p.Directory.validate()
}

// Validate checks a client; field prefixes the Field of the ConfigError it
// returns ("clients[2]" in a project file, "" for a client added at run time).
func (c *Client) Validate(field string) error {
	if err := checkID(field, c.ID); err != nil {
		return err
	}
	if err := c.ClientOIDC.validate(field, c.Secret); err != nil {
		return err
	}
	for j, s := range c.Scopes {
		if !ValidScope(s) {
			return &ConfigError{Field: fmt.Sprintf("%s.scopes[%d]", field, j), Reason: fmt.Sprintf("%q is not a valid scope token", s)}
		}
	}
	for j, s := range c.DefaultScopes {
		if !slices.Contains(c.Scopes, s) {
			return &ConfigError{Field: fmt.Sprintf("%s.default_scopes[%d]", field, j), Reason: fmt.Sprintf("%q is not in the client's scopes", s)}
		}
	}
	if c.CurrentTenant != "" {
		if _, ok := c.Tenants[c.CurrentTenant]; !ok {
			return &ConfigError{Field: field + ".current_tenant", Reason: fmt.Sprintf("%q is not one of the client's tenants", c.CurrentTenant)}
		}
	}
	if c.TTL < 0 || (c.TTL > 0 && time.Duration(c.TTL) < time.Second) {
		return &ConfigError{Field: field + ".ttl", Reason: "must be at least 1s"}
	}
	return validateClaims(field+".claims", c.Claims)
}

// Validate checks an access key; field is as for Client.Validate.
func (k *AccessKey) Validate(field string) error {
	if err := checkID(field, k.ID); err != nil {
		return err
	}
	if k.Secret == "" {
		return &ConfigError{Field: field + ".secret", Reason: "is required"}
	}
	if strings.Contains(k.Secret, ":") {
		return &ConfigError{Field: field + ".secret", Reason: "must not contain ':' (it is sent as Bearer {pid}:{secret})"}
	}
	if k.TTL < 0 || (k.TTL > 0 && time.Duration(k.TTL) < time.Second) {
		return &ConfigError{Field: field + ".ttl", Reason: "must be at least 1s"}
	}
	return validateClaims(field+".claims", k.Claims)
}

// checkID checks a client or access key ID: it is a path segment of the
// control plane (DELETE /_mock/clients/{id}), so "." and "..", which path
// cleaning removes, are refused.
func checkID(field, id string) error {
	if !validID(id) {
		return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 128 characters of letters, digits and ._:@-", id)}
	}
	if id == "." || id == ".." {
		return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q cannot be addressed in a URL path (path cleaning removes it)", id)}
	}
	return nil
}

// reservedClaims are set by the mock and cannot be overridden by configuration.
var reservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "azp", "scope", "token_type", "roles", "permissions", "tenants", "dct", "drn"}

// IsReservedClaim reports whether configuration may not set claim name: the
// mock sets it on every token.
func IsReservedClaim(name string) bool { return slices.Contains(reservedClaims, name) }

// ReservedClaims returns the claims configuration may not set, in a new slice.
func ReservedClaims() []string { return slices.Clone(reservedClaims) }

func validateClaims(field string, claims map[string]any) error {
	for k := range claims {
		if IsReservedClaim(k) {
			return &ConfigError{Field: field + "." + k, Reason: "is a reserved claim set by the mock"}
		}
	}
	if len(claims) == 0 {
		return nil
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return &ConfigError{Field: field, Reason: fmt.Sprintf("cannot be encoded as JSON: %v", err)}
	}
	if len(b) > MaxClaimsBytes {
		return &ConfigError{Field: field, Reason: fmt.Sprintf("%d bytes as JSON, over the limit of %d (MaxClaimsBytes)", len(b), MaxClaimsBytes)}
	}
	return nil
}

// Issuer forms.
const (
	IssuerURL     = "url"
	IssuerApps    = "apps"
	IssuerProject = "project"
)

// Clone returns a copy of p whose slices can be changed without changing p.
func (p *Project) Clone() *Project {
	c := *p
	c.Clients = append([]Client(nil), p.Clients...)
	c.AccessKeys = append([]AccessKey(nil), p.AccessKeys...)
	c.Keys.PEMFiles = append([]string(nil), p.Keys.PEMFiles...)
	c.Directory = p.Directory.Clone()
	c.CORS.AllowedOrigins = append([]string(nil), p.CORS.AllowedOrigins...)
	c.ProjectClient.RedirectURIs = append([]string(nil), p.ProjectClient.RedirectURIs...)
	c.ProjectClient.PostLogoutRedirectURIs = append([]string(nil), p.ProjectClient.PostLogoutRedirectURIs...)
	c.FlowList = cloneFlows(p.FlowList)
	return &c
}
