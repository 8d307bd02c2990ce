package project

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Directory is the part of a project about people, as Descope models them:
// roles (project-level or of one tenant), tenants, users, management keys
// and the settings of user sessions. It is inlined in the project file
// (roles:, tenants:, users:, management_keys:, sessions:).
type Directory struct {
	// Roles (optional) - role definitions; a session's roles and
	// permissions come from these, as on Descope.
	Roles []Role `yaml:"roles" json:"roles,omitempty"`
	// Tenants (optional) - the project's tenants.
	Tenants []Tenant `yaml:"tenants" json:"tenants,omitempty"`
	// Users (optional) - the users present at start-up and after a reset.
	Users []User `yaml:"users" json:"users,omitempty"`
	// ManagementKeys (optional) - keys the management API accepts as
	// Authorization: Bearer {projectId}:{secret}.
	ManagementKeys []ManagementKey `yaml:"management_keys" json:"management_keys,omitempty"`
	// Sessions (optional) - lifetimes and delivery of user session tokens.
	Sessions SessionSettings `yaml:"sessions" json:"sessions"`
}

// Role is a Descope role: a name with a description and permissions. A role
// with a TenantID exists in that tenant only (Descope's tenant-level roles);
// a tenant's role names resolve to the tenant's own role first, then to the
// project-level role of that name.
type Role struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Permissions []string `yaml:"permissions" json:"permissions,omitempty"`
	// TenantID (optional) - the tenant the role belongs to; empty for a project-level role.
	TenantID string `yaml:"tenant_id" json:"tenant_id,omitempty"`
}

// Tenant is a Descope tenant.
type Tenant struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	// SelfProvisioningDomains (optional) - email domains of the tenant's
	// users (Descope's selfProvisioningDomains); the management API answers
	// and searches them.
	SelfProvisioningDomains []string `yaml:"self_provisioning_domains" json:"self_provisioning_domains,omitempty"`
	// CustomAttributes (optional) - the tenant's custom attributes, as
	// /v1/auth/me/tenants and the management API answer them.
	CustomAttributes map[string]any `yaml:"custom_attributes" json:"custom_attributes,omitempty"`
	// CreatedTime is set by the mock when the tenant is created at run time
	// (unix seconds of the mock's clock).
	CreatedTime int64 `yaml:"-" json:"-"`
}

// User is a Descope user.
type User struct {
	// ID (optional) - the user ID ("U" + 27 characters); derived from the
	// first login ID when empty, so it is the same in every run.
	ID string `yaml:"id" json:"id"`
	// LoginIDs (required) - at least one; each is unique in the project.
	LoginIDs []string `yaml:"login_ids" json:"login_ids"`
	Name     string   `yaml:"name" json:"name,omitempty"`
	// GivenName, MiddleName, FamilyName and Picture (optional) - what the
	// management API and /v1/auth/me answer (givenName, middleName,
	// familyName, picture).
	GivenName  string `yaml:"given_name" json:"given_name,omitempty"`
	MiddleName string `yaml:"middle_name" json:"middle_name,omitempty"`
	FamilyName string `yaml:"family_name" json:"family_name,omitempty"`
	Picture    string `yaml:"picture" json:"picture,omitempty"`
	// Disabled - Descope's status "disabled": the user cannot sign in or
	// refresh a session until enabled again.
	Disabled      bool   `yaml:"disabled" json:"disabled,omitempty"`
	Email         string `yaml:"email" json:"email,omitempty"`
	Phone         string `yaml:"phone" json:"phone,omitempty"`
	VerifiedEmail bool   `yaml:"verified_email" json:"verified_email,omitempty"`
	VerifiedPhone bool   `yaml:"verified_phone" json:"verified_phone,omitempty"`
	// Test - a Descope test user: its tokens carry tu:true, and only test
	// users get generated OTP codes and links.
	Test bool `yaml:"test" json:"test,omitempty"`
	// Roles (optional) - names of project-level roles.
	Roles []string `yaml:"roles" json:"roles,omitempty"`
	// Tenants (optional) - the tenants the user belongs to, with role names there.
	Tenants          []UserTenant   `yaml:"tenants" json:"tenants,omitempty"`
	CustomAttributes map[string]any `yaml:"custom_attributes" json:"custom_attributes,omitempty"`
	// Password (optional) - what password sign-in accepts for the user
	// (/v1/auth/password/signin); password sign-up sets it. Never shown by
	// the control plane or the management API.
	Password string `yaml:"password" json:"-"`
	// PasswordExpired - set by the management API's password expire and
	// temporary-password calls: password sign-in with the right password
	// is refused (E062909) until the password is set again. Not read from
	// the project file.
	PasswordExpired bool `yaml:"-" json:"-"`
	// CreatedTime is set by the mock (unix seconds of the mock's clock).
	CreatedTime int64 `yaml:"-" json:"created_time,omitempty"`
	// ModifiedTime is set by the mock at every write of the user (unix
	// seconds of the mock's clock); user search filters on it.
	ModifiedTime int64 `yaml:"-" json:"-"`
}

// UserTenant is a user's membership of a tenant.
type UserTenant struct {
	TenantID string   `yaml:"tenant_id" json:"tenant_id"`
	Roles    []string `yaml:"roles" json:"roles,omitempty"`
}

// ManagementKey is a Descope management key.
type ManagementKey struct {
	ID     string `yaml:"id" json:"id"`
	Secret string `yaml:"secret" json:"secret,omitempty"`
}

// SessionSettings configures user sessions.
type SessionSettings struct {
	// SessionTTL (optional, default 10m) - lifetime of session JWTs (drn DS).
	SessionTTL Duration `yaml:"session_ttl" json:"session_ttl"`
	// RefreshTTL (optional, default 672h, Descope's four weeks) - lifetime of refresh JWTs (drn DSR).
	RefreshTTL Duration `yaml:"refresh_ttl" json:"refresh_ttl"`
	// RefreshRotation (optional, default false) - each refresh also issues a
	// new refresh JWT, and the one sent is refused afterwards.
	RefreshRotation bool `yaml:"refresh_rotation" json:"refresh_rotation"`
	// TokenResponse (optional, default "body") - Descope's token response
	// method: "body" returns both JWTs in the JSON body; "cookies" sends them
	// as HttpOnly, Secure Set-Cookie DS and DSR and leaves both out of the
	// body (auth_cookies.go).
	TokenResponse string `yaml:"token_response" json:"token_response"`
	// CookieSameSite (optional, default "strict") - SameSite of the DS and
	// DSR cookies: strict, lax or none. A web app on another site than the
	// mock (127.0.0.1 against localhost) needs none.
	CookieSameSite string `yaml:"cookie_same_site" json:"cookie_same_site"`
	// CookieDomain (optional) - cookieDomain of responses and the cookies' Domain.
	CookieDomain string `yaml:"cookie_domain" json:"cookie_domain,omitempty"`
	// CookiePath (optional, default "/") - cookiePath of responses and the cookies' Path.
	CookiePath string `yaml:"cookie_path" json:"cookie_path"`
	// CodeTTL (optional, default 3m) - lifetime of generated OTP codes,
	// magic links and enchanted links.
	CodeTTL Duration `yaml:"code_ttl" json:"code_ttl"`
	// TestUserLimit (optional, default 100, Descope's paid tier; free projects have 5) -
	// test users a project may hold; creating one more is refused.
	TestUserLimit int `yaml:"test_user_limit" json:"test_user_limit"`
}

// SameSite values of SessionSettings.CookieSameSite.
const (
	SameSiteStrict = "strict"
	SameSiteLax    = "lax"
	SameSiteNone   = "none"
)

// Token response methods.
const (
	TokenResponseBody    = "body"
	TokenResponseCookies = "cookies"
)

// Defaults of user sessions.
const (
	DefaultSessionTTL    = 10 * time.Minute
	DefaultRefreshTTL    = 28 * 24 * time.Hour
	DefaultCodeTTL       = 3 * time.Minute
	DefaultTestUserLimit = 100
)

// MaxLoginIDLen bounds login IDs (emails, phones, usernames), in bytes.
const MaxLoginIDLen = 256

// DeriveUserID is the user ID the mock gives a user without one: "U" and 27
// base32 characters of the SHA-256 of the login ID.
func DeriveUserID(loginID string) string {
	sum := sha256.Sum256([]byte(loginID))
	return "U" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:27]
}

// validate checks the directory and fills in defaults.
func (d *Directory) validate() error {
	st := &d.Sessions
	if st.SessionTTL == 0 {
		st.SessionTTL = Duration(DefaultSessionTTL)
	}
	if time.Duration(st.SessionTTL) < time.Second {
		return &ConfigError{Field: "sessions.session_ttl", Reason: "must be at least 1s"}
	}
	if st.RefreshTTL == 0 {
		st.RefreshTTL = Duration(DefaultRefreshTTL)
	}
	if time.Duration(st.RefreshTTL) < time.Second {
		return &ConfigError{Field: "sessions.refresh_ttl", Reason: "must be at least 1s"}
	}
	if st.CodeTTL == 0 {
		st.CodeTTL = Duration(DefaultCodeTTL)
	}
	if time.Duration(st.CodeTTL) < time.Second {
		return &ConfigError{Field: "sessions.code_ttl", Reason: "must be at least 1s"}
	}
	switch st.TokenResponse {
	case "":
		st.TokenResponse = TokenResponseBody
	case TokenResponseBody, TokenResponseCookies:
	default:
		return &ConfigError{Field: "sessions.token_response", Reason: fmt.Sprintf("%q is not one of body, cookies", st.TokenResponse)}
	}
	switch st.CookieSameSite {
	case "":
		st.CookieSameSite = SameSiteStrict
	case SameSiteStrict, SameSiteLax, SameSiteNone:
	default:
		return &ConfigError{Field: "sessions.cookie_same_site", Reason: fmt.Sprintf("%q is not one of strict, lax, none", st.CookieSameSite)}
	}
	if st.CookiePath == "" {
		st.CookiePath = "/"
	}
	if !strings.HasPrefix(st.CookiePath, "/") || strings.ContainsAny(st.CookiePath, ";, \t\r\n") {
		return &ConfigError{Field: "sessions.cookie_path", Reason: fmt.Sprintf("%q must start with / and hold no ; , or white space", st.CookiePath)}
	}
	if strings.ContainsAny(st.CookieDomain, ";, \t\r\n/") {
		return &ConfigError{Field: "sessions.cookie_domain", Reason: fmt.Sprintf("%q is not a cookie domain", st.CookieDomain)}
	}
	if st.TestUserLimit == 0 {
		st.TestUserLimit = DefaultTestUserLimit
	}
	if st.TestUserLimit < 0 || st.TestUserLimit > 1_000_000 {
		return &ConfigError{Field: "sessions.test_user_limit", Reason: "must be between 1 and 1000000"}
	}

	tenants := map[string]bool{}
	for i, t := range d.Tenants {
		field := fmt.Sprintf("tenants[%d]", i)
		if !validID(t.ID) {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 128 characters of letters, digits and ._:@-", t.ID)}
		}
		if tenants[t.ID] {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("duplicate tenant ID %q", t.ID)}
		}
		tenants[t.ID] = true
	}
	roles := map[[2]string]bool{} // {tenant ID, name}
	for i, r := range d.Roles {
		field := fmt.Sprintf("roles[%d]", i)
		if err := r.Validate(field, tenants); err != nil {
			return err
		}
		if roles[[2]string{r.TenantID, r.Name}] {
			return &ConfigError{Field: field + ".name", Reason: fmt.Sprintf("duplicate role %q", r.Name)}
		}
		roles[[2]string{r.TenantID, r.Name}] = true
	}
	ids, logins := map[string]bool{}, map[string]string{}
	for i := range d.Users {
		field := fmt.Sprintf("users[%d]", i)
		u := &d.Users[i]
		if err := u.Validate(field, d.Roles, tenants); err != nil {
			return err
		}
		for j, l := range u.LoginIDs {
			if other, ok := logins[l]; ok {
				return &ConfigError{Field: fmt.Sprintf("%s.login_ids[%d]", field, j), Reason: fmt.Sprintf("login ID %q is already user %q's", l, other)}
			}
			logins[l] = u.ID
		}
		if ids[u.ID] {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("duplicate user ID %q", u.ID)}
		}
		ids[u.ID] = true
	}
	if len(d.Users) > MaxUsers {
		return &ConfigError{Field: "users", Reason: fmt.Sprintf("%d users, over the limit of %d (MaxUsers)", len(d.Users), MaxUsers)}
	}
	if n := countTest(d.Users); n > st.TestUserLimit {
		return &ConfigError{Field: "sessions.test_user_limit", Reason: fmt.Sprintf("the file has %d test users, more than the limit of %d", n, st.TestUserLimit)}
	}
	keyIDs, secrets := map[string]bool{}, map[string]bool{}
	for i, k := range d.ManagementKeys {
		field := fmt.Sprintf("management_keys[%d]", i)
		if !validID(k.ID) {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 128 characters of letters, digits and ._:@-", k.ID)}
		}
		if keyIDs[k.ID] {
			return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("duplicate management key ID %q", k.ID)}
		}
		keyIDs[k.ID] = true
		if k.Secret == "" {
			return &ConfigError{Field: field + ".secret", Reason: "is required"}
		}
		if strings.ContainsAny(k.Secret, ": \t\r\n") || len(k.Secret) > 1024 {
			return &ConfigError{Field: field + ".secret", Reason: "must be at most 1024 characters with no ':' or white space (it is sent as Bearer {pid}:{secret})"}
		}
		if secrets[k.Secret] {
			return &ConfigError{Field: field + ".secret", Reason: "another management key has the same secret"}
		}
		secrets[k.Secret] = true
	}
	return nil
}

func countTest(users []User) int {
	n := 0
	for _, u := range users {
		if u.Test {
			n++
		}
	}
	return n
}

// Validate checks a role against the tenants (IDs to true); field is as for
// Client.Validate.
func (r Role) Validate(field string, tenants map[string]bool) error {
	if r.Name == "" || len(r.Name) > 128 || strings.ContainsAny(r.Name, "\r\n") {
		return &ConfigError{Field: field + ".name", Reason: "must be 1 to 128 characters on one line"}
	}
	if r.TenantID != "" && !tenants[r.TenantID] {
		return &ConfigError{Field: field + ".tenant_id", Reason: fmt.Sprintf("%q is not one of the tenants", r.TenantID)}
	}
	for j, p := range r.Permissions {
		if p == "" || len(p) > 128 || strings.ContainsAny(p, "\r\n") {
			return &ConfigError{Field: fmt.Sprintf("%s.permissions[%d]", field, j), Reason: "must be 1 to 128 characters on one line"}
		}
	}
	return nil
}

// Validate checks a user against the roles and tenants and derives its ID
// when it has none; field is as for Client.Validate.
func (u *User) Validate(field string, roles []Role, tenants map[string]bool) error {
	if len(u.LoginIDs) == 0 {
		return &ConfigError{Field: field + ".login_ids", Reason: "at least one login ID is required"}
	}
	listed := make(map[string]bool, len(u.LoginIDs)) // a set: linear, as put calls this under the directory's lock
	for j, l := range u.LoginIDs {
		if l == "" || len(l) > MaxLoginIDLen || strings.ContainsAny(l, "\r\n\t") {
			return &ConfigError{Field: fmt.Sprintf("%s.login_ids[%d]", field, j), Reason: fmt.Sprintf("must be 1 to %d characters on one line", MaxLoginIDLen)}
		}
		if listed[l] {
			return &ConfigError{Field: fmt.Sprintf("%s.login_ids[%d]", field, j), Reason: fmt.Sprintf("login ID %q is listed twice", l)}
		}
		listed[l] = true
	}
	if u.ID == "" {
		u.ID = DeriveUserID(u.LoginIDs[0])
	}
	if !validID(u.ID) {
		return &ConfigError{Field: field + ".id", Reason: fmt.Sprintf("%q must be 1 to 128 characters of letters, digits and ._:@-", u.ID)}
	}
	for j, name := range u.Roles {
		if FindRole(roles, "", name) == nil {
			return &ConfigError{Field: fmt.Sprintf("%s.roles[%d]", field, j), Reason: fmt.Sprintf("%q is not a project-level role", name)}
		}
	}
	seen := map[string]bool{}
	for j, t := range u.Tenants {
		tf := fmt.Sprintf("%s.tenants[%d]", field, j)
		if !tenants[t.TenantID] {
			return &ConfigError{Field: tf + ".tenant_id", Reason: fmt.Sprintf("%q is not one of the tenants", t.TenantID)}
		}
		if seen[t.TenantID] {
			return &ConfigError{Field: tf + ".tenant_id", Reason: fmt.Sprintf("tenant %q is listed twice", t.TenantID)}
		}
		seen[t.TenantID] = true
		for k, name := range t.Roles {
			if FindRole(roles, t.TenantID, name) == nil {
				return &ConfigError{Field: fmt.Sprintf("%s.roles[%d]", tf, k), Reason: fmt.Sprintf("%q is not a role of tenant %q or of the project", name, t.TenantID)}
			}
		}
	}
	return nil
}

// HasTenant reports whether the user belongs to the tenant.
func (u User) HasTenant(tenantID string) bool {
	return slices.ContainsFunc(u.Tenants, func(t UserTenant) bool { return t.TenantID == tenantID })
}

// FindRole resolves a role name in a tenant (its own roles first, then the
// project's) or, with tenantID "", among the project-level roles.
func FindRole(roles []Role, tenantID, name string) *Role {
	var project *Role
	for i := range roles {
		r := &roles[i]
		if r.Name != name {
			continue
		}
		if tenantID != "" && r.TenantID == tenantID {
			return r
		}
		if r.TenantID == "" {
			project = r
		}
	}
	return project
}

// PermissionsOf is the sorted union of the permissions of the named roles.
func PermissionsOf(roles []Role, tenantID string, names []string) []string {
	var out []string
	for _, name := range names {
		if r := FindRole(roles, tenantID, name); r != nil {
			out = append(out, r.Permissions...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Clone copies the directory's slices so that a copy can be changed alone.
func (d Directory) Clone() Directory {
	d.Roles = slices.Clone(d.Roles)
	d.Tenants = slices.Clone(d.Tenants)
	d.Users = slices.Clone(d.Users)
	d.ManagementKeys = slices.Clone(d.ManagementKeys)
	return d
}
