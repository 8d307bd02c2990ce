package mockidp

import (
	"net/http"
	"slices"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
	"github.com/descope-harness/harness/mockidp/wire"
)

// Roles and permissions of the management API: /v1/mgmt/role/{create,
// update,delete,all,search} and /v1/mgmt/permission/{create,update,delete,
// all}, with the bodies of GO descope/internal/mgmt/role.go and
// permission.go, NODE lib/management/role.ts and permission.ts and PY
// descope/management/role.py and permission.py. Writes answer {} (the SDKs
// read nothing); sessions see a change at their next refresh.

// mgmtWrite is the shape of the definition writes: management key, body,
// the change (one state operation), then {}.
func mgmtWrite[T any](s *Server, apply func(req *T) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		if err := s.checkManagementKey(r); err != nil {
			return 0, err
		}
		req := new(T)
		if err := s.decodeDescope(w, r, req); err != nil {
			return 0, err
		}
		if err := apply(req); err != nil {
			return 0, err
		}
		return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
	}
}

// roleRequest is the body of role create and update (wire type).
type roleRequest struct {
	Name            string   `json:"name"`
	ID              string   `json:"id"`
	NewName         string   `json:"newName"`
	Description     string   `json:"description"`
	PermissionNames []string `json:"permissionNames"`
	TenantID        string   `json:"tenantId"`
	Default         bool     `json:"default"`
	Private         bool     `json:"private"`
}

// check refuses what the mock does not model: role IDs, default roles
// (given to new users of a tenant) and private roles.
func (req *roleRequest) check() error {
	switch {
	case req.ID != "":
		return invalidArgument("id: the mock's roles have no IDs; name the role with name (and tenantId)")
	case req.Default:
		return invalidArgument("default: the mock does not give default roles to new users; send false")
	case req.Private:
		return invalidArgument("private: the mock does not model private roles; send false")
	case req.Name == "":
		return missingArgument("name")
	}
	return nil
}

// handleRoleCreate serves POST /v1/mgmt/role/create.
func (s *Server) handleRoleCreate() handlerFunc {
	return mgmtWrite(s, func(req *roleRequest) error {
		if err := req.check(); err != nil {
			return err
		}
		return stateError(s.state.CreateRole(Role{Name: req.Name, Description: req.Description, Permissions: req.PermissionNames, TenantID: req.TenantID}))
	})
}

// handleRoleUpdate serves POST /v1/mgmt/role/update: every field replaced;
// newName (required, as the SDKs send it) renames the role for its users too.
func (s *Server) handleRoleUpdate() handlerFunc {
	return mgmtWrite(s, func(req *roleRequest) error {
		if err := req.check(); err != nil {
			return err
		}
		if req.NewName == "" {
			return missingArgument("newName")
		}
		r := Role{Name: req.NewName, Description: req.Description, Permissions: req.PermissionNames}
		return stateError(s.state.UpdateRole(req.TenantID, req.Name, r))
	})
}

// handleRoleDelete serves POST /v1/mgmt/role/delete {name, tenantId}: the
// role goes, and every user holding it loses it.
func (s *Server) handleRoleDelete() handlerFunc {
	type request struct {
		Name     string `json:"name"`
		ID       string `json:"id"`
		TenantID string `json:"tenantId"`
	}
	return mgmtWrite(s, func(req *request) error {
		if req.ID != "" {
			return invalidArgument("id: the mock's roles have no IDs; name the role with name (and tenantId)")
		}
		if req.Name == "" {
			return missingArgument("name")
		}
		return stateError(s.state.DeleteRole(req.TenantID, req.Name))
	})
}

func roleResponses(roles []Role) []wire.RoleResponse {
	out := make([]wire.RoleResponse, 0, len(roles))
	for _, r := range roles {
		out = append(out, wire.RoleResponse{Name: r.Name, Description: r.Description, PermissionNames: nonNil(r.Permissions), TenantID: r.TenantID})
	}
	return out
}

// handleRoleAll serves GET /v1/mgmt/role/all: {"roles":[…]}, project-level
// roles first, by name.
func (s *Server) handleRoleAll(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"roles": roleResponses(s.state.Roles())}), nil
}

// roleSearchRequest is the body of /v1/mgmt/role/search (GO
// descope.RoleSearchOptions, NODE RoleSearchOptions).
type roleSearchRequest struct {
	TenantIDs           []string `json:"tenantIds"`
	RoleNames           []string `json:"roleNames"`
	RoleNameLike        string   `json:"roleNameLike"`
	PermissionNames     []string `json:"permissionNames"`
	RoleIDs             []string `json:"roleIds"`
	IncludeProjectRoles *bool    `json:"includeProjectRoles"`
}

// match: tenantIds keeps the roles of those tenants (and the project's
// with includeProjectRoles true); without tenantIds every role, or only
// tenants' roles with includeProjectRoles false. roleNames is any of the
// names exactly, roleNameLike a case-insensitive substring, permissionNames
// any of them held.
func (q *roleSearchRequest) match(r *Role) bool {
	includeProject := q.IncludeProjectRoles == nil || *q.IncludeProjectRoles
	if len(q.TenantIDs) > 0 {
		includeProject = q.IncludeProjectRoles != nil && *q.IncludeProjectRoles
	}
	switch {
	case r.TenantID == "" && !includeProject:
		return false
	case r.TenantID != "" && len(q.TenantIDs) > 0 && !slices.Contains(q.TenantIDs, r.TenantID):
		return false
	case len(q.RoleNames) > 0 && !slices.Contains(q.RoleNames, r.Name):
		return false
	case q.RoleNameLike != "" && !strings.Contains(strings.ToLower(r.Name), strings.ToLower(q.RoleNameLike)):
		return false
	case len(q.PermissionNames) > 0 && !slices.ContainsFunc(r.Permissions, func(p string) bool { return slices.Contains(q.PermissionNames, p) }):
		return false
	}
	return true
}

// handleRoleSearch serves POST /v1/mgmt/role/search: {"roles":[…]} matched
// by every filter given; an unknown field is 400 E011001, roleIds 400
// E011004 (the mock's roles have no IDs).
func (s *Server) handleRoleSearch(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	body, err := s.readDescopeBody(w, r)
	if err != nil {
		return 0, err
	}
	var q roleSearchRequest
	if err := decodeStrict(body, &q); err != nil {
		return 0, err
	}
	if len(q.RoleIDs) > 0 {
		return 0, invalidArgument("roleIds: the mock's roles have no IDs; search by roleNames or roleNameLike")
	}
	roles := s.state.Roles()
	matched := roles[:0]
	for i := range roles {
		if q.match(&roles[i]) {
			matched = append(matched, roles[i])
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"roles": roleResponses(matched)}), nil
}

// permissionRequest is the body of permission create, update and delete.
type permissionRequest struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	NewName     string `json:"newName"`
	Description string `json:"description"`
}

func (req *permissionRequest) check() error {
	if req.ID != "" {
		return invalidArgument("id: the mock's permissions have no IDs; name the permission with name")
	}
	if req.Name == "" {
		return missingArgument("name")
	}
	return nil
}

// handlePermissionCreate serves POST /v1/mgmt/permission/create {name, description}.
func (s *Server) handlePermissionCreate() handlerFunc {
	return mgmtWrite(s, func(req *permissionRequest) error {
		if err := req.check(); err != nil {
			return err
		}
		p := state.PermissionDef{Name: req.Name, Description: req.Description}
		if err := checkPermission(p); err != nil {
			return err
		}
		return stateError(s.state.CreatePermission(p))
	})
}

// handlePermissionUpdate serves POST /v1/mgmt/permission/update {name,
// newName, description}: a new name is also given in every role holding it.
func (s *Server) handlePermissionUpdate() handlerFunc {
	return mgmtWrite(s, func(req *permissionRequest) error {
		if err := req.check(); err != nil {
			return err
		}
		if req.NewName == "" {
			return missingArgument("newName")
		}
		p := state.PermissionDef{Name: req.NewName, Description: req.Description}
		if err := checkPermission(p); err != nil {
			return err
		}
		return stateError(s.state.UpdatePermission(req.Name, p))
	})
}

// handlePermissionDelete serves POST /v1/mgmt/permission/delete {name}:
// the permission goes, and every role holding it loses it.
func (s *Server) handlePermissionDelete() handlerFunc {
	return mgmtWrite(s, func(req *permissionRequest) error {
		if err := req.check(); err != nil {
			return err
		}
		return stateError(s.state.DeletePermission(req.Name))
	})
}

// handlePermissionAll serves GET /v1/mgmt/permission/all: {"permissions":[…]} by name.
func (s *Server) handlePermissionAll(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.checkManagementKey(r); err != nil {
		return 0, err
	}
	all := s.state.Permissions()
	out := make([]wire.PermissionResponse, 0, len(all))
	for _, p := range all {
		out = append(out, wire.PermissionResponse{Name: p.Name, Description: p.Description})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"permissions": out}), nil
}

// checkPermission validates a permission's name and description.
func checkPermission(p state.PermissionDef) error {
	if p.Name == "" || len(p.Name) > 128 || strings.ContainsAny(p.Name, "\r\n") {
		return invalidArgument("name must be 1 to 128 characters on one line")
	}
	if len(p.Description) > 1024 {
		return invalidArgument("description: at most 1024 bytes")
	}
	return nil
}
