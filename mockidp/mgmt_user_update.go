package mockidp

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
)

// User writes of the management API: update, patch, status, login IDs,
// email, phone, names, picture, custom attributes, roles and tenants. Each
// answers {"user": …} as the SDKs read it (GO unmarshalUserResponse, NODE
// transformResponse(data => data.user), PY response.json()["user"]).
//
// A change is a read-modify-write of one user (state.ModifyUser), so that
// two concurrent writes of a user (AddRoles twice) both land. Sessions
// already issued keep their tokens: the next refresh computes the claims
// from the user as it is then (signSession), as on Descope.

// joinNames is a display name from given, middle and family names.
func joinNames(parts ...string) string {
	return strings.Join(slices.DeleteFunc(slices.Clone(parts), func(s string) bool { return s == "" }), " ")
}

// modifyUser applies change to the user named by loginOrUserID (a login
// ID, else a user ID, as the SDKs' loginIdOrUserId) and stores it;
// disabling the user ends its sessions (Descope and OAuth) in the same
// step, and enabling it again does not bring them back.
func (s *Server) modifyUser(loginOrUserID string, change func(*User) error) (User, error) {
	if loginOrUserID == "" {
		return User{}, missingArgument("loginId")
	}
	stored, err := s.state.ModifyUser(loginOrUserID, change)
	if errors.Is(err, state.ErrUserNotFound) {
		return User{}, mgmtUserNotFound(loginOrUserID)
	}
	if err != nil {
		return User{}, stateError(err)
	}
	return stored, nil
}

// userWrite is the shape of the user write handlers: decode the body into
// a fresh request, name the user, change it.
func userWrite[T any](s *Server, apply func(req *T) (string, func(*User) error, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		req := new(T)
		if err := s.decodeDescope(w, r, req); err != nil {
			return 0, err
		}
		who, change, err := apply(req)
		if err != nil {
			return 0, err
		}
		u, err := s.modifyUser(who, change)
		if err != nil {
			return 0, err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"user": s.userResponse(u)}), nil
	}
}

// handleUserUpdate serves POST /v1/mgmt/user/update, whose body is a
// create request's (mgmtUserRequest; GO makeUpdateUserRequest, NODE
// user.update, PY user.update): every field replaces the user's, absent
// ones clear it; verifiedEmail, verifiedPhone, password and status change
// only when sent (the Go SDK sends the flags only when set).
func (s *Server) handleUserUpdate() handlerFunc {
	return userWrite(s, func(req *mgmtUserRequest) (string, func(*User) error, error) {
		return req.LoginID, func(u *User) error {
			if err := req.apply(u); err != nil {
				return err
			}
			nu := req.user()
			// The user keeps its ID, first login ID (or the one named),
			// test flag, and its status and password unless sent.
			primary := u.LoginIDs[0]
			if slices.Contains(u.LoginIDs, req.LoginID) {
				primary = req.LoginID
			}
			u.LoginIDs = append([]string{primary}, slices.DeleteFunc(slices.Clone(req.AdditionalLoginIDs), func(l string) bool { return l == primary })...)
			u.Name, u.GivenName, u.MiddleName, u.FamilyName = nu.Name, nu.GivenName, nu.MiddleName, nu.FamilyName
			u.Email, u.Phone, u.Picture = nu.Email, nu.Phone, nu.Picture
			if req.VerifiedEmail != nil {
				u.VerifiedEmail = *req.VerifiedEmail
			}
			if req.VerifiedPhone != nil {
				u.VerifiedPhone = *req.VerifiedPhone
			}
			u.Roles, u.Tenants, u.CustomAttributes = nu.Roles, nu.Tenants, nu.CustomAttributes
			return nil
		}, nil
	})
}

// mgmtUserPatch is the body of PATCH (or POST) /v1/mgmt/user/patch (wire
// type; GO makePatchUserRequest, NODE buildPatchRequestBody): only the
// fields sent change. The Go SDK spells the display name "name", Node
// "displayName"; the extra login IDs are "additionalLoginIds" (Go) or
// "additionalIdentifiers" (Node).
type mgmtUserPatch struct {
	LoginID               string            `json:"loginId"`
	Name                  *string           `json:"name"`
	DisplayName           *string           `json:"displayName"`
	GivenName             *string           `json:"givenName"`
	MiddleName            *string           `json:"middleName"`
	FamilyName            *string           `json:"familyName"`
	Email                 *string           `json:"email"`
	Phone                 *string           `json:"phone"`
	Picture               *string           `json:"picture"`
	RoleNames             *[]string         `json:"roleNames"`
	UserTenants           *[]mgmtUserTenant `json:"userTenants"`
	CustomAttributes      map[string]any    `json:"customAttributes"`
	VerifiedEmail         *bool             `json:"verifiedEmail"`
	VerifiedPhone         *bool             `json:"verifiedPhone"`
	Status                *string           `json:"status"`
	AdditionalLoginIDs    *[]string         `json:"additionalLoginIds"`
	AdditionalIdentifiers *[]string         `json:"additionalIdentifiers"`
	SSOAppIDs             *[]string         `json:"ssoAppIds"`
	SCIM                  *bool             `json:"scim"`
	// Test is what the Python SDK's patch sends with test=True ("to
	// patch test users"): read and not applied, as a patch finds any user
	// by login ID and never changes its test flag.
	Test *bool `json:"test"`
}

// handleUserPatch serves /v1/mgmt/user/patch. customAttributes sent are
// merged into the user's (a key sent replaces that key only).
func (s *Server) handleUserPatch() handlerFunc { return userWrite(s, patchChange) }

// patchChange is the change of a patch request: the one code path of
// /v1/mgmt/user/patch and each user of /v1/mgmt/user/patch/batch.
func patchChange(req *mgmtUserPatch) (string, func(*User) error, error) {
	if req.SSOAppIDs != nil && len(*req.SSOAppIDs) > 0 {
		return "", nil, noSSOApps()
	}
	if req.SCIM != nil && *req.SCIM {
		return "", nil, invalidArgument("scim: the mock has no SCIM provisioning; send false or leave it out")
	}
	disabled, err := parseStatus(req.Status)
	if err != nil {
		return "", nil, err
	}
	extra := req.AdditionalLoginIDs
	if extra == nil {
		extra = req.AdditionalIdentifiers
	}
	return req.LoginID, func(u *User) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&u.Name, req.Name)
		set(&u.Name, req.DisplayName)
		set(&u.GivenName, req.GivenName)
		set(&u.MiddleName, req.MiddleName)
		set(&u.FamilyName, req.FamilyName)
		set(&u.Email, req.Email)
		set(&u.Phone, req.Phone)
		set(&u.Picture, req.Picture)
		if req.VerifiedEmail != nil {
			u.VerifiedEmail = *req.VerifiedEmail
		}
		if req.VerifiedPhone != nil {
			u.VerifiedPhone = *req.VerifiedPhone
		}
		if req.RoleNames != nil {
			u.Roles = *req.RoleNames
		}
		if req.UserTenants != nil {
			u.Tenants = userTenants(*req.UserTenants)
		}
		if req.CustomAttributes != nil {
			if u.CustomAttributes == nil {
				u.CustomAttributes = map[string]any{}
			}
			maps.Copy(u.CustomAttributes, req.CustomAttributes)
		}
		if disabled != nil {
			u.Disabled = *disabled
		}
		if extra != nil {
			u.LoginIDs = append(u.LoginIDs[:1], slices.DeleteFunc(slices.Clone(*extra), func(l string) bool { return l == u.LoginIDs[0] })...)
		}
		return nil
	}, nil
}

func userTenants(in []mgmtUserTenant) []UserTenant {
	out := make([]UserTenant, 0, len(in))
	for _, t := range in {
		out = append(out, UserTenant{TenantID: t.TenantID, Roles: t.RoleNames})
	}
	return out
}

func noSSOApps() *Error {
	return invalidArgument("ssoAppIds: the mock has no SSO applications; send an empty list or leave it out")
}

// parseStatus reads a status field: nil when absent, else whether it
// disables the user.
func parseStatus(status *string) (*bool, error) {
	if status == nil {
		return nil, nil
	}
	var disabled bool
	switch *status {
	case "enabled":
	case "disabled":
		disabled = true
	default:
		return nil, invalidArgument("status must be \"enabled\" or \"disabled\", not %q", truncate(*status, 32))
	}
	return &disabled, nil
}

// handleUserStatus serves POST /v1/mgmt/user/update/status {loginId,
// status}: "disabled" ends the user's sessions and refuses its sign-ins and
// refreshes until "enabled" again (GO Activate/Deactivate, NODE
// activate/deactivate).
func (s *Server) handleUserStatus() handlerFunc {
	type request struct {
		LoginID string  `json:"loginId"`
		Status  *string `json:"status"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		if req.Status == nil {
			return "", nil, missingArgument("status")
		}
		disabled, err := parseStatus(req.Status)
		if err != nil {
			return "", nil, err
		}
		return req.LoginID, func(u *User) error {
			u.Disabled = *disabled
			return nil
		}, nil
	})
}

// handleUserLoginID serves POST /v1/mgmt/user/update/loginid {loginId,
// newLoginId}: the login ID is replaced, or removed when newLoginId is
// empty (not the user's only one).
func (s *Server) handleUserLoginID() handlerFunc {
	type request struct {
		LoginID    string `json:"loginId"`
		NewLoginID string `json:"newLoginId"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		return req.LoginID, func(u *User) error {
			i := slices.Index(u.LoginIDs, req.LoginID)
			if i < 0 {
				return invalidArgument("loginId must be one of the user's login IDs, not its user ID")
			}
			if req.NewLoginID != "" {
				u.LoginIDs[i] = req.NewLoginID
				return nil
			}
			if len(u.LoginIDs) == 1 {
				return invalidArgument("newLoginId is empty and %q is the user's only login ID, which cannot be removed", truncate(req.LoginID, 64))
			}
			u.LoginIDs = slices.Delete(u.LoginIDs, i, i+1)
			return nil
		}, nil
	})
}

// handleUserContact serves POST /v1/mgmt/user/update/email {loginId, email,
// verified, failOnConflict} and /update/phone {…, phone, …}: an empty
// address removes it; failOnConflict refuses an address that is another
// user's login ID (E062107).
func (s *Server) handleUserContact(phone bool) handlerFunc {
	type request struct {
		LoginID        string `json:"loginId"`
		Email          string `json:"email"`
		Phone          string `json:"phone"`
		Verified       bool   `json:"verified"`
		FailOnConflict bool   `json:"failOnConflict"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		addr := req.Email
		if phone {
			addr = req.Phone
		}
		return req.LoginID, func(u *User) error {
			if req.FailOnConflict && addr != "" {
				if other, ok := s.state.UserByLoginID(addr); ok && other.ID != u.ID {
					return descopeError(http.StatusBadRequest, CodeUserExists, "User already exists", "%q is the login ID of another user (failOnConflict)", truncate(addr, 64))
				}
			}
			if phone {
				u.Phone, u.VerifiedPhone = addr, req.Verified && addr != ""
			} else {
				u.Email, u.VerifiedEmail = addr, req.Verified && addr != ""
			}
			return nil
		}, nil
	})
}

// handleUserName serves POST /v1/mgmt/user/update/name {loginId,
// displayName, givenName, middleName, familyName}: the names sent change
// (GO UpdateDisplayName sends only displayName, UpdateUserNames the other three).
func (s *Server) handleUserName() handlerFunc {
	type request struct {
		LoginID     string  `json:"loginId"`
		DisplayName *string `json:"displayName"`
		GivenName   *string `json:"givenName"`
		MiddleName  *string `json:"middleName"`
		FamilyName  *string `json:"familyName"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		return req.LoginID, func(u *User) error {
			for _, f := range []struct {
				dst *string
				v   *string
			}{{&u.Name, req.DisplayName}, {&u.GivenName, req.GivenName}, {&u.MiddleName, req.MiddleName}, {&u.FamilyName, req.FamilyName}} {
				if f.v != nil {
					*f.dst = *f.v
				}
			}
			return nil
		}, nil
	})
}

// handleUserPicture serves POST /v1/mgmt/user/update/picture {loginId, picture}.
func (s *Server) handleUserPicture() handlerFunc {
	type request struct {
		LoginID string `json:"loginId"`
		Picture string `json:"picture"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		return req.LoginID, func(u *User) error {
			u.Picture = req.Picture
			return nil
		}, nil
	})
}

// handleUserCustomAttribute serves POST /v1/mgmt/user/update/customAttribute
// {loginId, attributeKey, attributeValue}: that attribute is set (null
// removes it).
func (s *Server) handleUserCustomAttribute() handlerFunc {
	type request struct {
		LoginID        string `json:"loginId"`
		AttributeKey   string `json:"attributeKey"`
		AttributeValue any    `json:"attributeValue"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		if req.AttributeKey == "" {
			return "", nil, missingArgument("attributeKey")
		}
		return req.LoginID, func(u *User) error {
			if req.AttributeValue == nil {
				delete(u.CustomAttributes, req.AttributeKey)
				return nil
			}
			if u.CustomAttributes == nil {
				u.CustomAttributes = map[string]any{}
			}
			u.CustomAttributes[req.AttributeKey] = req.AttributeValue
			return nil
		}, nil
	})
}

// Role changes of /v1/mgmt/user/update/role/{set,add,remove}.
const (
	roleSet = iota
	roleAdd
	roleRemove
)

// handleUserRoles serves POST /v1/mgmt/user/update/role/set, /v2 and /v1
// …/role/add and …/role/remove {loginId, tenantId, roleNames}: the
// project-level roles, or with tenantId the roles in that tenant, which
// the user must belong to (the mock's choice: it does not add the user to
// the tenant). A role name must exist (E011004 naming it).
func (s *Server) handleUserRoles(op int) handlerFunc {
	type request struct {
		LoginID   string   `json:"loginId"`
		TenantID  string   `json:"tenantId"`
		RoleNames []string `json:"roleNames"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		if op != roleSet && len(req.RoleNames) == 0 {
			return "", nil, missingArgument("roleNames")
		}
		return req.LoginID, func(u *User) error {
			roles := &u.Roles
			if req.TenantID != "" {
				i := slices.IndexFunc(u.Tenants, func(t UserTenant) bool { return t.TenantID == req.TenantID })
				if i < 0 {
					if _, ok := s.state.Tenant(req.TenantID); !ok {
						return tenantNotFound(req.TenantID)
					}
					return invalidArgument("the user is not a member of tenant %q: add it with /v1/mgmt/user/update/tenant/add first", truncate(req.TenantID, 64))
				}
				roles = &u.Tenants[i].Roles
			}
			*roles = changeNames(*roles, req.RoleNames, op)
			return nil
		}, nil
	})
}

// changeNames sets, adds (once each) or removes names.
func changeNames(have, names []string, op int) []string {
	switch op {
	case roleSet:
		out := make([]string, 0, len(names))
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		return out
	case roleAdd:
		for _, n := range names {
			if !slices.Contains(have, n) {
				have = append(have, n)
			}
		}
		return have
	default:
		return slices.DeleteFunc(have, func(n string) bool { return slices.Contains(names, n) })
	}
}

// handleUserTenant serves POST /v1/mgmt/user/update/tenant/add and
// /remove {loginId, tenantId}: membership without roles is added (kept as
// it is when the user is already a member) or removed with the roles held
// there (nothing when not a member).
func (s *Server) handleUserTenant(add bool) handlerFunc {
	type request struct {
		LoginID  string `json:"loginId"`
		TenantID string `json:"tenantId"`
	}
	return userWrite(s, func(req *request) (string, func(*User) error, error) {
		if req.TenantID == "" {
			return "", nil, missingArgument("tenantId")
		}
		if _, ok := s.state.Tenant(req.TenantID); !ok {
			return "", nil, tenantNotFound(req.TenantID)
		}
		return req.LoginID, func(u *User) error {
			member := u.HasTenant(req.TenantID)
			switch {
			case add && !member:
				u.Tenants = append(u.Tenants, UserTenant{TenantID: req.TenantID})
			case !add:
				u.Tenants = slices.DeleteFunc(u.Tenants, func(t UserTenant) bool { return t.TenantID == req.TenantID })
			}
			return nil
		}, nil
	})
}

// tenantNotFound is the answer for a tenant ID the project does not have.
func tenantNotFound(id string) *Error {
	return descopeError(http.StatusBadRequest, CodeInvalidArgument, "Tenant not found", "no tenant with ID %q", truncate(id, 64))
}
