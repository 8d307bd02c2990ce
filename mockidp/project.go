package mockidp

import "github.com/descope-harness/harness/mockidp/project"

// The configuration model lives in package project (mockidp/project): these
// names keep the importers of package mockidp compiling. New code may use
// either.
type (
	Project         = project.Project
	KeySettings     = project.KeySettings
	Client          = project.Client
	ClientOIDC      = project.ClientOIDC
	TenantGrant     = project.TenantGrant
	AccessKey       = project.AccessKey
	Directory       = project.Directory
	Role            = project.Role
	Tenant          = project.Tenant
	User            = project.User
	UserTenant      = project.UserTenant
	ManagementKey   = project.ManagementKey
	SessionSettings = project.SessionSettings
	Duration        = project.Duration
	ConfigError     = project.ConfigError
	Trust           = project.Trust
	CORSSettings    = project.CORSSettings
	Flow            = project.Flow
	FlowSettings    = project.FlowSettings
)

// Defaults of a project and of its user sessions, issuer forms and token
// response methods (package project).
const (
	DefaultProjectID   = project.DefaultProjectID
	DefaultTokenTTL    = project.DefaultTokenTTL
	DefaultRotateEvery = project.DefaultRotateEvery
	DefaultKeep        = project.DefaultKeep

	DefaultSessionTTL    = project.DefaultSessionTTL
	DefaultRefreshTTL    = project.DefaultRefreshTTL
	DefaultCodeTTL       = project.DefaultCodeTTL
	DefaultTestUserLimit = project.DefaultTestUserLimit

	IssuerURL     = project.IssuerURL
	IssuerApps    = project.IssuerApps
	IssuerProject = project.IssuerProject

	TokenResponseBody    = project.TokenResponseBody
	TokenResponseCookies = project.TokenResponseCookies

	OriginsLoopback = project.OriginsLoopback
	OriginsAny      = project.OriginsAny
	OriginsNone     = project.OriginsNone
	MaxCORSOrigins  = project.MaxCORSOrigins
)

// LoadProject reads and validates a project file (project.Load).
func LoadProject(path string) (*Project, error) { return project.Load(path) }

// ParseProject decodes and validates a YAML project; name is used in errors
// (project.Parse).
func ParseProject(name string, data []byte) (*Project, error) { return project.Parse(name, data) }

// CheckOrigin reports whether o can be an entry of
// CORSSettings.AllowedOrigins (project.CheckOrigin).
func CheckOrigin(o string) error { return project.CheckOrigin(o) }

// DeriveUserID is the user ID the mock gives a user without one
// (project.DeriveUserID).
func DeriveUserID(loginID string) string { return project.DeriveUserID(loginID) }
