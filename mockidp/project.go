package mockidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
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
	// session settings (directory.go).
	Directory `yaml:",inline"`
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
	// ClientOIDC (optional) - redirect URIs and the like for user logins (oauth_clients.go).
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

// Duration is a time.Duration written as a Go duration string ("10m") or a
// whole number of seconds. "never" is -1.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n.Value)
	if err != nil {
		// A TypeError with a line is how yaml.v3 reports decode failures
		// with their position; a bare error would lose it.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*d = v
	return nil
}

// UnmarshalJSON accepts "10m", "never" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	v, err := parseDuration(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	if d < 0 {
		return []byte(`"never"`), nil
	}
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

func parseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "never" {
		return -1, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Duration(time.Duration(n) * time.Second), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a Go duration like \"10m\" or whole seconds", s)
	}
	return Duration(v), nil
}

// Defaults of a project.
const (
	DefaultProjectID   = "P2MockDescopeHarness00000001"
	DefaultTokenTTL    = 600 * time.Second
	DefaultRotateEvery = 24 * time.Hour
	DefaultKeep        = 12
)

var scopePattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`) // RFC 6749 scope-token

// validProjectID is ^[A-Za-z0-9]{1,31}$ and validID ^[A-Za-z0-9._:@-]{1,128}$,
// checked without regular expressions: compiling the counted repetitions
// cost almost a millisecond at every process start.
func validProjectID(s string) bool { return asciiWord(s, 31, "") }

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

// ConfigError is a project-file problem: which file, line and field, and why.
type ConfigError struct {
	File   string
	Line   int
	Field  string
	Reason string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("project")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	return b.String()
}

// LoadProject reads and validates a project file.
func LoadProject(path string) (*Project, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading project file: %w", err)
	}
	return ParseProject(path, data)
}

// ParseProject decodes and validates a YAML project; name is used in errors.
// Unknown fields are errors, so a typo cannot silently drop a setting.
func ParseProject(name string, data []byte) (*Project, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, &root, err)
	}
	var p Project
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, errEmpty) || err.Error() == "EOF" {
			return nil, &ConfigError{File: name, Reason: "file is empty"}
		}
		return nil, yamlError(name, &root, err)
	}
	if err := p.Validate(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = name
			ce.Line = lineOf(&root, ce.Field)
		}
		return nil, err
	}
	return &p, nil
}

var errEmpty = errors.New("empty")

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// yamlError turns yaml's "yaml: line 3: field x not found in type ..." into
// a ConfigError naming the line and the dotted path of the field on it.
func yamlError(name string, root *yaml.Node, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		reason := yamlTypeReason(m[2])
		field := ""
		if f := regexp.MustCompile(`field (\S+) not found`).FindStringSubmatch(reason); f != nil {
			field, reason = f[1], "unknown field"
		}
		if path := pathAtLine(root, line); path != "" && (field == "" || strings.HasSuffix(path, field)) {
			field = path
		}
		return &ConfigError{File: name, Line: line, Field: field, Reason: reason}
	}
	return &ConfigError{File: name, Reason: msg}
}

// yamlTypeReason restates yaml's "cannot unmarshal !!str `x` into []string"
// in the file's terms: "want a list, got the string x".
func yamlTypeReason(reason string) string {
	// Compiled here, on the error path: start-up compiles no expression it
	// does not need.
	m := regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$").FindStringSubmatch(reason)
	if m == nil {
		return reason
	}
	got := map[string]string{"seq": "a list", "map": "a mapping", "str": "a string", "int": "a number",
		"float": "a number", "bool": "true or false", "null": "nothing"}[m[1]]
	if got == "" {
		got = "a " + m[1]
	}
	if m[2] != "" {
		got += " (" + m[2] + ")"
	}
	var want string
	switch goType := m[3]; {
	case strings.HasPrefix(goType, "[]"):
		want = "a list"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "mockidp."):
		want = "a mapping"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		want = "a whole number"
	case strings.HasPrefix(goType, "float"):
		want = "a number"
	case goType == "string":
		want = "a string"
	case goType == "bool":
		want = "true or false"
	default:
		return reason
	}
	return "want " + want + ", got " + got
}

// lineOf finds the line of a dotted field path such as "clients[2].ttl".
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			continue
		}
		name, index := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			index, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		next := mappingValue(n, name)
		if next == nil {
			return line
		}
		line, n = next.Line, next
		if index >= 0 {
			if n.Kind != yaml.SequenceNode || index >= len(n.Content) {
				return line
			}
			n = n.Content[index]
			line = n.Line
		}
	}
	return line
}

// pathAtLine is the dotted path ("clients[0].ttl") of the deepest mapping
// key on a line, or "".
func pathAtLine(root *yaml.Node, line int) string {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var walk func(n *yaml.Node, prefix string) string
	walk = func(n *yaml.Node, prefix string) string {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, val := n.Content[i], n.Content[i+1]
				path := key.Value
				if prefix != "" {
					path = prefix + "." + key.Value
				}
				if deeper := walk(val, path); deeper != "" {
					return deeper
				}
				if key.Line == line {
					return path
				}
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				if p := walk(item, fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(n, "")
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			if n.Content[i+1].Kind == yaml.ScalarNode {
				return n.Content[i] // the key's line is the value's line for scalars
			}
			return n.Content[i+1]
		}
	}
	return nil
}

// Validate checks the project and fills in defaults.
func (p *Project) Validate() error {
	if p.ID == "" {
		p.ID = DefaultProjectID
	}
	if !validProjectID(p.ID) {
		return &ConfigError{Field: "project_id", Reason: fmt.Sprintf("%q must be 1 to 31 letters or digits (32+ characters make Descope SDKs derive a regional host)", p.ID)}
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
	seen := map[string]bool{}
	for i := range p.Clients {
		field := fmt.Sprintf("clients[%d]", i)
		if err := p.Clients[i].validate(field); err != nil {
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
		if err := p.AccessKeys[i].validate(field); err != nil {
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
	return p.Directory.validate()
}

func (c *Client) validate(field string) error {
	if !validID(c.ID) {
		return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 128 characters of letters, digits and ._:@-", c.ID)}
	}
	if err := c.ClientOIDC.validate(field, c.Secret); err != nil {
		return err
	}
	for j, s := range c.Scopes {
		if !scopePattern.MatchString(s) {
			return &ConfigError{Field: fmt.Sprintf("%s.scopes[%d]", field, j), Reason: fmt.Sprintf("%q is not a valid scope token", s)}
		}
	}
	for j, s := range c.DefaultScopes {
		if !contains(c.Scopes, s) {
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

func (k *AccessKey) validate(field string) error {
	if !validID(k.ID) {
		return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 128 characters of letters, digits and ._:@-", k.ID)}
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

// reservedClaims are set by the mock and cannot be overridden by configuration.
var reservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "azp", "scope", "token_type", "roles", "permissions", "tenants", "dct", "drn"}

func validateClaims(field string, claims map[string]any) error {
	for k := range claims {
		if contains(reservedClaims, k) {
			return &ConfigError{Field: field + "." + k, Reason: "is a reserved claim set by the mock"}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Issuer forms.
const (
	IssuerURL     = "url"
	IssuerApps    = "apps"
	IssuerProject = "project"
)
