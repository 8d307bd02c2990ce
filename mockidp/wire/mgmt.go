package wire

// RoleResponse is a role of /v1/mgmt/role/all and /search (wire type; GO
// descope.Role, NODE Role). The mock's roles have no IDs.
type RoleResponse struct {
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	PermissionNames []string `json:"permissionNames"`
	TenantID        string   `json:"tenantId,omitempty"`
	CreatedTime     int64    `json:"createdTime,omitempty"`
	Default         bool     `json:"default"`
	Private         bool     `json:"private"`
}

// PermissionResponse is a permission of /v1/mgmt/permission/all (wire
// type; GO descope.Permission, NODE Permission).
type PermissionResponse struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// TenantResponse is a tenant of /v1/mgmt/tenant, /all and /search (wire
// type; GO descope.Tenant, NODE Tenant).
type TenantResponse struct {
	ID                      string         `json:"id"`
	Name                    string         `json:"name"`
	SelfProvisioningDomains []string       `json:"selfProvisioningDomains"`
	CustomAttributes        map[string]any `json:"customAttributes"`
	CreatedTime             int64          `json:"createdTime,omitempty"`
	AuthType                string         `json:"authType"`
	Domains                 []string       `json:"domains"`
	EnforceSSO              bool           `json:"enforceSSO"`
	Disabled                bool           `json:"disabled"`
}

// AccessKeyResponse is an access key of the management API (wire type; GO
// descope.AccessKeyResponse, NODE AccessKey): never its secret.
type AccessKeyResponse struct {
	ID           string               `json:"id"`
	Name         string               `json:"name"`
	Description  string               `json:"description"`
	RoleNames    []string             `json:"roleNames"`
	KeyTenants   []UserTenantResponse `json:"keyTenants"`
	Status       string               `json:"status"`
	CreatedTime  int64                `json:"createdTime"`
	ExpireTime   int64                `json:"expireTime"`
	CreatedBy    string               `json:"createdBy"`
	ClientID     string               `json:"clientId"`
	BoundUserID  string               `json:"boundUserId"`
	CustomClaims map[string]any       `json:"customClaims"`
	PermittedIPs []string             `json:"permittedIps"`
	// CustomAttributes (GO CustomAttributes) - the key's, as sent.
	CustomAttributes map[string]any `json:"customAttributes"`
}
