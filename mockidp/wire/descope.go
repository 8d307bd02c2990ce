package wire

// JWTResponse is Descope's body of every call that issues a user session
// (wire type; GO descope.JWTResponse, NODE JWTResponse).
type JWTResponse struct {
	SessionJwt string `json:"sessionJwt,omitempty"`
	RefreshJwt string `json:"refreshJwt,omitempty"`
	// SessionExpiration is the session JWT's exp (unix seconds) and Claims
	// its claims: web-js-sdk schedules its refresh and writes the
	// logged-in indicator from the first and republishes the second
	// (core-js-sdk types.ts JWTResponse; useSession().claims in React).
	SessionExpiration int64  `json:"sessionExpiration,omitempty"`
	Claims            Claims `json:"claims,omitempty"`
	CookieDomain      string `json:"cookieDomain"`
	CookiePath        string `json:"cookiePath"`
	CookieMaxAge      int64  `json:"cookieMaxAge"`     // seconds the refresh JWT lives
	CookieExpiration  int64  `json:"cookieExpiration"` // unix seconds of the refresh JWT's exp
	// CookieName is the refresh cookie's name when the caller asked for
	// one (x-descope-refresh-cookie-name); web-js-sdk keeps it.
	CookieName string        `json:"cookieName,omitempty"`
	User       *UserResponse `json:"user,omitempty"`
	FirstSeen  bool          `json:"firstSeen"`
}

// UserResponse is Descope's user shape (wire type; GO descope.UserResponse
// in types.go, core-js-sdk UserResponse in sdk/types.ts, OAS ResponseUser).
// Lists and maps are never null: SDKs iterate them. The authentication-method
// flags are spelled as core-js-sdk declares them (TOTP, SAML, SCIM, OAuth);
// the Go SDK's lower-case tags match them, encoding/json being
// case-insensitive.
type UserResponse struct {
	UserID           string               `json:"userId"`
	LoginIDs         []string             `json:"loginIds"`
	Name             string               `json:"name"`
	GivenName        string               `json:"givenName"`
	MiddleName       string               `json:"middleName"`
	FamilyName       string               `json:"familyName"`
	Email            string               `json:"email"`
	Phone            string               `json:"phone"`
	VerifiedEmail    bool                 `json:"verifiedEmail"`
	VerifiedPhone    bool                 `json:"verifiedPhone"`
	RoleNames        []string             `json:"roleNames"`
	UserTenants      []UserTenantResponse `json:"userTenants"`
	Status           string               `json:"status"`
	Test             bool                 `json:"test"`
	CustomAttributes map[string]any       `json:"customAttributes"`
	CreatedTime      int64                `json:"createdTime"`
	ModifiedTime     int64                `json:"modifiedTime"`
	Picture          string               `json:"picture"`
	TOTP             bool                 `json:"TOTP"`
	WebAuthn         bool                 `json:"webauthn"`
	Password         bool                 `json:"password"`
	SAML             bool                 `json:"SAML"`
	SCIM             bool                 `json:"SCIM"`
	OAuth            map[string]bool      `json:"OAuth"`
	SSOAppIDs        []string             `json:"ssoAppIds"`
}

// UserTenantResponse is a user's tenant in a UserResponse (wire type; GO
// UserResponseAssociatedTenant): its role names there and the permissions
// they grant under the current role definitions.
type UserTenantResponse struct {
	TenantID    string   `json:"tenantId"`
	TenantName  string   `json:"tenantName"`
	RoleNames   []string `json:"roleNames"`
	Permissions []string `json:"permissions"`
}

// ExchangeResponse is the access-key exchange's success body (wire type).
type ExchangeResponse struct {
	KeyID      string `json:"keyId"`
	SessionJWT string `json:"sessionJwt"`
	Expiration int64  `json:"expiration"` // unix seconds
}

// MeTenant is one tenant of /v1/auth/me/tenants (wire type).
type MeTenant struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	CustomAttributes map[string]any `json:"customAttributes,omitempty"`
}
