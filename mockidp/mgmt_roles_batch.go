package mockidp

import (
	"net/http"
	"strconv"

	"github.com/descope-harness/harness/mockidp/state"
)

// The role and permission batches of the management API:
// /v1/mgmt/role/{create,update,delete}/batch and
// /v1/mgmt/permission/{create,update,delete}/batch, with the bodies of GO
// descope/internal/mgmt/role.go and permission.go (CreateBatch,
// UpdateBatch, DeleteBatch), NODE lib/management/role.ts and
// permission.ts, PY descope/management/role.py and permission.py. Each
// item is checked as the single call checks it (roleRequest.check,
// checkPermission); the batch is all or nothing (PY: "in a single atomic
// transaction"): the first item that fails is the answer, naming its
// index, and nothing changes (state.ChangeRoles, ChangePermissions). Role
// create and update answer {"roles":[…]} (GO and NODE read them), the
// others {}.

// roleBatchItem is one role of a create or update batch: the single
// calls' body, plus createdTime, which GO's descope.Role sends when set
// (a role loaded and sent back): read and not applied.
type roleBatchItem struct {
	roleRequest
	CreatedTime int64 `json:"createdTime"`
}

// permissionBatchItem is one permission of a create or update batch: the
// single calls' body, plus systemDefault, which NODE's Permission type
// requires (v2.13.0 lib/management/types.ts): false is accepted, true
// refused (the mock has no system permissions).
type permissionBatchItem struct {
	permissionRequest
	SystemDefault bool `json:"systemDefault"`
}

// itemError prefixes a single call's refusal with the item it is about.
func itemError(list string, i int, err error) error {
	e := *asError(err)
	e.Message = list + "[" + strconv.Itoa(i) + "]: " + e.Message
	return &e
}

// handleRoleBatch serves POST /v1/mgmt/role/create/batch (update false)
// and /update/batch {"roles":[…]}: {"roles":[the roles as stored]}.
func (s *Server) handleRoleBatch(update bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		req, err := decodeBatch[struct {
			Roles []roleBatchItem `json:"roles"`
		}](s, w, r)
		if err != nil {
			return 0, err
		}
		if err := checkBatchSize("roles", len(req.Roles)); err != nil {
			return 0, err
		}
		changes := make([]state.RoleChange, 0, len(req.Roles))
		for i := range req.Roles {
			item := &req.Roles[i].roleRequest
			if err := item.check(); err != nil {
				return 0, itemError("roles", i, err)
			}
			c := state.RoleChange{Op: state.RoleCreate, Role: Role{Name: item.Name, Description: item.Description, Permissions: item.PermissionNames, TenantID: item.TenantID}}
			if update {
				if item.NewName == "" {
					return 0, itemError("roles", i, missingArgument("newName"))
				}
				c = state.RoleChange{Op: state.RoleUpdate, TenantID: item.TenantID, Name: item.Name,
					Role: Role{Name: item.NewName, Description: item.Description, Permissions: item.PermissionNames}}
			}
			changes = append(changes, c)
		}
		roles, err := s.state.ChangeRoles(changes)
		if err != nil {
			return 0, stateError(err)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"roles": roleResponses(roles)}), nil
	}
}

// handleRoleDeleteBatch serves POST /v1/mgmt/role/delete/batch
// {"roleNames":[…],"tenantId","roleIds"}: {}; every role named must exist
// in that tenant ("" project-level). An empty roleNames is refused: the
// Python SDK notes that Descope then deletes every role (common.py
// role_delete_batch_body), which the mock does not do.
func (s *Server) handleRoleDeleteBatch(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[struct {
		RoleNames []string `json:"roleNames"`
		TenantID  string   `json:"tenantId"`
		RoleIDs   []string `json:"roleIds"`
	}](s, w, r)
	if err != nil {
		return 0, err
	}
	if len(req.RoleIDs) > 0 {
		return 0, invalidArgument("roleIds: the mock's roles have no IDs; name the roles with roleNames (and tenantId)")
	}
	if err := checkBatchSize("roleNames", len(req.RoleNames)); err != nil {
		return 0, err
	}
	changes := make([]state.RoleChange, 0, len(req.RoleNames))
	for _, name := range dedupe(req.RoleNames) {
		changes = append(changes, state.RoleChange{Op: state.RoleDelete, TenantID: req.TenantID, Name: name})
	}
	if _, err := s.state.ChangeRoles(changes); err != nil {
		return 0, stateError(err)
	}
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}

// dedupe is names once each, in order.
func dedupe(names []string) []string {
	seen := make(map[string]bool, len(names))
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// handlePermissionBatch serves POST /v1/mgmt/permission/create/batch
// (update false) and /update/batch {"permissions":[…]}: {}.
func (s *Server) handlePermissionBatch(update bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		req, err := decodeBatch[struct {
			Permissions []permissionBatchItem `json:"permissions"`
		}](s, w, r)
		if err != nil {
			return 0, err
		}
		if err := checkBatchSize("permissions", len(req.Permissions)); err != nil {
			return 0, err
		}
		changes := make([]state.PermissionChange, 0, len(req.Permissions))
		for i := range req.Permissions {
			item := &req.Permissions[i].permissionRequest
			if err := item.check(); err != nil {
				return 0, itemError("permissions", i, err)
			}
			if req.Permissions[i].SystemDefault {
				return 0, itemError("permissions", i, invalidArgument("systemDefault: the mock has no system permissions; send false"))
			}
			c := state.PermissionChange{Op: state.PermissionCreate, Permission: state.PermissionDef{Name: item.Name, Description: item.Description}}
			if update {
				if item.NewName == "" {
					return 0, itemError("permissions", i, missingArgument("newName"))
				}
				c = state.PermissionChange{Op: state.PermissionUpdate, Name: item.Name, Permission: state.PermissionDef{Name: item.NewName, Description: item.Description}}
			}
			if err := checkPermission(c.Permission); err != nil {
				return 0, itemError("permissions", i, err)
			}
			changes = append(changes, c)
		}
		if err := s.state.ChangePermissions(changes); err != nil {
			return 0, stateError(err)
		}
		return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
	}
}

// handlePermissionDeleteBatch serves POST /v1/mgmt/permission/delete/batch
// {"names":[…],"ids":[…]}: {}; every role holding one loses it.
func (s *Server) handlePermissionDeleteBatch(w http.ResponseWriter, r *http.Request) (int, error) {
	req, err := decodeBatch[struct {
		Names []string `json:"names"`
		IDs   []string `json:"ids"`
	}](s, w, r)
	if err != nil {
		return 0, err
	}
	if len(req.IDs) > 0 {
		return 0, invalidArgument("ids: the mock's permissions have no IDs; name them with names")
	}
	if err := checkBatchSize("names", len(req.Names)); err != nil {
		return 0, err
	}
	changes := make([]state.PermissionChange, 0, len(req.Names))
	for _, name := range dedupe(req.Names) {
		changes = append(changes, state.PermissionChange{Op: state.PermissionDelete, Name: name})
	}
	if err := s.state.ChangePermissions(changes); err != nil {
		return 0, stateError(err)
	}
	return writeBytes(w, http.StatusOK, []byte(`{}`)), nil
}
