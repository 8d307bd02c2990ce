package state

import (
	"fmt"
	"slices"
	"sort"
)

// Batches of role and permission changes (the management API's
// /v1/mgmt/role/{create,update,delete}/batch and /permission/.../batch):
// all or nothing, as the Python SDK documents them ("a single atomic
// transaction", descope/management/role.py and permission.py). Every item
// is checked as the single call checks it, in order, against the
// definitions as the items before it left them; only when all pass are the
// definitions replaced and the users and roles holding a renamed or deleted
// one rewritten, in one pass over them, under the locks the single calls
// take. The work is linear in the batch and the definitions (and the users
// for renames and deletes), never their product.

// RoleOp is what one item of a role batch does.
type RoleOp int

// The role batch operations.
const (
	RoleCreate RoleOp = iota // add Role (its tenant in Role.TenantID)
	RoleUpdate               // replace the role of TenantID and Name with Role
	RoleDelete               // remove the role of TenantID and Name
)

// RoleChange is one item of a role batch.
type RoleChange struct {
	Op       RoleOp
	TenantID string // update and delete: the role's tenant ("" project-level)
	Name     string // update and delete: the role's name
	Role     Role   // create and update: the role as it becomes
}

// roleKey names a role: its tenant ("" project-level) and name.
type roleKey struct{ tenant, name string }

// ChangeRoles applies a batch of role changes, all or nothing, and returns
// the roles created or updated, in order. A failing item's error is
// prefixed with roles[i] and wraps the single call's sentinel
// (ErrRoleExists, ErrRoleNotFound, ErrPermissionUndefined, ErrDefsFull, a
// *project.ConfigError); nothing changes then.
func (st *State) ChangeRoles(changes []RoleChange) ([]Role, error) {
	now := st.now().Unix()
	st.permissions.mu.RLock()
	defer st.permissions.mu.RUnlock()
	st.users.mu.Lock()
	defer st.users.mu.Unlock()
	return st.users.changeRolesLocked(changes, st.permissions.missingLocked, now)
}

func (d *directory) changeRolesLocked(changes []RoleChange, undefined func([]string) string, now int64) ([]Role, error) {
	tenants := d.tenantSetLocked()
	work := slices.Clone(d.roles)
	orig := make([]roleKey, len(work)) // a role's key before the batch; zero for one the batch created
	gone := make([]bool, len(work))
	at := make(map[roleKey]int, len(work)+len(changes))
	for i, r := range work {
		orig[i] = roleKey{r.TenantID, r.Name}
		at[orig[i]] = i
	}
	live := len(work)
	out := make([]Role, 0, len(changes))
	check := func(r *Role) error {
		r.Permissions = slices.Clone(r.Permissions)
		if err := r.Validate("", tenants); err != nil {
			return err
		}
		if p := undefined(r.Permissions); p != "" {
			return fmt.Errorf("%w: %q", ErrPermissionUndefined, truncate(p, 64))
		}
		return nil
	}
	for n, c := range changes {
		fail := func(err error) ([]Role, error) { return nil, fmt.Errorf("roles[%d]: %w", n, err) }
		k := roleKey{c.TenantID, c.Name}
		r := c.Role
		switch c.Op {
		case RoleCreate:
			if err := check(&r); err != nil {
				return fail(err)
			}
			k = roleKey{r.TenantID, r.Name}
			if _, taken := at[k]; taken {
				return fail(fmt.Errorf("%w: %q", ErrRoleExists, truncate(r.Name, 64)))
			}
			if live >= MaxRoles {
				return fail(fmt.Errorf("%w: the mock holds at most %d roles (MaxRoles): delete one first", ErrDefsFull, MaxRoles))
			}
			at[k] = len(work)
			work, orig, gone = append(work, r), append(orig, roleKey{}), append(gone, false)
			live++
			out = append(out, r)
		case RoleUpdate:
			i, ok := at[k]
			if !ok {
				return fail(fmt.Errorf("%w: %q", ErrRoleNotFound, truncate(c.Name, 64)))
			}
			r.TenantID = c.TenantID
			if err := check(&r); err != nil {
				return fail(err)
			}
			if nk := (roleKey{c.TenantID, r.Name}); nk != k {
				if _, taken := at[nk]; taken {
					return fail(fmt.Errorf("%w: %q", ErrRoleExists, truncate(r.Name, 64)))
				}
				delete(at, k)
				at[nk] = i
			}
			work[i] = r
			out = append(out, r)
		case RoleDelete:
			i, ok := at[k]
			if !ok {
				return fail(fmt.Errorf("%w: %q", ErrRoleNotFound, truncate(c.Name, 64)))
			}
			delete(at, k)
			gone[i] = true
			live--
		default:
			return fail(fmt.Errorf("unknown role operation %d", c.Op))
		}
	}
	total := 0
	kept := make([]Role, 0, live)
	renames := map[roleKey]string{} // a role held before the batch to its final name ("" deleted)
	for i := range work {
		final := ""
		if !gone[i] {
			final = work[i].Name
			total += roleBytes(&work[i])
			kept = append(kept, work[i])
		}
		if orig[i] != (roleKey{}) && final != orig[i].name {
			renames[orig[i]] = final
		}
	}
	if total > MaxRoleBytes {
		return nil, fmt.Errorf("%w: the roles would take over %d bytes (MaxRoleBytes): delete some first", ErrDefsFull, MaxRoleBytes)
	}
	before := d.roles
	d.roles = kept
	d.renameHeldRolesLocked(renames, before, now)
	return out, nil
}

// renameHeldRolesLocked renames (to "": removes) roles wherever users hold
// them, in one pass over the users: renames maps a role (tenant, name) to
// its new name. A project-level role is renamed in users' project roles and
// in the tenants that had no role of their own of that name in defs (the
// definitions before the change: a tenant's own role of the name hides a
// project-level one); a tenant's role in that tenant's lists.
func (d *directory) renameHeldRolesLocked(renames map[roleKey]string, defs []Role, now int64) {
	if len(renames) == 0 {
		return
	}
	own := map[roleKey]bool{} // tenants' own roles named as a renamed project-level role
	for _, r := range defs {
		if _, ok := renames[roleKey{"", r.Name}]; ok && r.TenantID != "" {
			own[roleKey{r.TenantID, r.Name}] = true
		}
	}
	d.rewriteUsersLocked(now, func(u *User) bool {
		changed := false
		var c bool
		u.Roles, c = renameNames(u.Roles, func(n string) (string, bool) {
			nn, ok := renames[roleKey{"", n}]
			return nn, ok
		})
		changed = c
		for k := range u.Tenants {
			t := &u.Tenants[k]
			t.Roles, c = renameNames(t.Roles, func(n string) (string, bool) {
				if nn, ok := renames[roleKey{t.TenantID, n}]; ok {
					return nn, true
				}
				if own[roleKey{t.TenantID, n}] {
					return "", false
				}
				nn, ok := renames[roleKey{"", n}]
				return nn, ok
			})
			changed = changed || c
		}
		return changed
	})
}

// renameNames renames the names of list that mapped gives a new name for
// ("" removes the name), into a new list (the old one may be shared) and
// reports whether anything changed. A new name already in the list, or
// given twice, is kept once, where the list had it.
func renameNames(list []string, mapped func(string) (string, bool)) ([]string, bool) {
	hit := false
	for _, n := range list {
		if _, ok := mapped(n); ok {
			hit = true
			break
		}
	}
	if !hit {
		return list, false
	}
	kept := make(map[string]bool, len(list))
	for _, n := range list {
		if _, ok := mapped(n); !ok {
			kept[n] = true
		}
	}
	out := make([]string, 0, len(list))
	for _, n := range list {
		nn, ok := mapped(n)
		switch {
		case !ok:
			out = append(out, n)
		case nn != "" && !kept[nn]:
			kept[nn] = true
			out = append(out, nn)
		}
	}
	return out, true
}

// PermissionOp is what one item of a permission batch does.
type PermissionOp int

// The permission batch operations.
const (
	PermissionCreate PermissionOp = iota // define Permission
	PermissionUpdate                     // replace the permission called Name with Permission
	PermissionDelete                     // remove the permission called Name
)

// PermissionChange is one item of a permission batch.
type PermissionChange struct {
	Op         PermissionOp
	Name       string        // update and delete
	Permission PermissionDef // create and update
}

// ChangePermissions applies a batch of permission changes, all or
// nothing: a renamed permission is renamed and a deleted one removed in
// every role, in the same step. A failing item's error is prefixed with
// permissions[i] and wraps the single call's sentinel; nothing changes then.
func (st *State) ChangePermissions(changes []PermissionChange) error {
	st.permissions.mu.Lock()
	defer st.permissions.mu.Unlock()
	renames, err := st.permissions.changeLocked(changes)
	if err != nil {
		return err
	}
	if len(renames) > 0 {
		st.users.mu.Lock()
		st.users.renamePermissionsLocked(renames)
		st.users.mu.Unlock()
	}
	return nil
}

// changeLocked applies the batch to a copy of the definitions and, when
// every item passes, stores it; it returns each permission defined before
// the batch that it renamed or deleted, to its final name ("" deleted).
func (st *permissionStore) changeLocked(changes []PermissionChange) (map[string]string, error) {
	desc := make(map[string]string, len(st.list)+len(changes))   // name to description
	origin := make(map[string]string, len(st.list)+len(changes)) // name to its name before the batch ("" created)
	for _, p := range st.list {
		desc[p.Name], origin[p.Name] = p.Description, p.Name
	}
	bytes := st.bytes
	renames := map[string]string{}
	for n, c := range changes {
		fail := func(err error) (map[string]string, error) { return nil, fmt.Errorf("permissions[%d]: %w", n, err) }
		p := c.Permission
		switch c.Op {
		case PermissionCreate:
			if _, ok := desc[p.Name]; ok {
				return fail(fmt.Errorf("%w: %q", ErrPermissionExists, truncate(p.Name, 64)))
			}
			if len(desc) >= MaxPermissions {
				return fail(fmt.Errorf("%w: the mock holds at most %d permissions (MaxPermissions): delete one first", ErrDefsFull, MaxPermissions))
			}
			desc[p.Name], origin[p.Name] = p.Description, ""
			bytes += permissionBytes(p)
		case PermissionUpdate:
			old, ok := desc[c.Name]
			if !ok {
				return fail(fmt.Errorf("%w: %q", ErrPermissionNotFound, truncate(c.Name, 64)))
			}
			if _, taken := desc[p.Name]; taken && p.Name != c.Name {
				return fail(fmt.Errorf("%w: %q", ErrPermissionExists, truncate(p.Name, 64)))
			}
			o := origin[c.Name]
			delete(desc, c.Name)
			delete(origin, c.Name)
			desc[p.Name], origin[p.Name] = p.Description, o
			bytes += permissionBytes(p) - permissionBytes(PermissionDef{Name: c.Name, Description: old})
		case PermissionDelete:
			old, ok := desc[c.Name]
			if !ok {
				return fail(fmt.Errorf("%w: %q", ErrPermissionNotFound, truncate(c.Name, 64)))
			}
			if o := origin[c.Name]; o != "" {
				renames[o] = ""
			}
			delete(desc, c.Name)
			delete(origin, c.Name)
			bytes -= permissionBytes(PermissionDef{Name: c.Name, Description: old})
		default:
			return fail(fmt.Errorf("unknown permission operation %d", c.Op))
		}
	}
	if bytes > MaxPermissionBytes {
		return nil, fmt.Errorf("%w: the permissions would take over %d bytes (MaxPermissionBytes): delete some first", ErrDefsFull, MaxPermissionBytes)
	}
	list := make([]PermissionDef, 0, len(desc))
	for name, d := range desc {
		list = append(list, PermissionDef{Name: name, Description: d})
		if o := origin[name]; o != "" && o != name {
			renames[o] = name
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	st.list, st.bytes = list, bytes
	return renames, nil
}

// renamePermissionsLocked renames (to "": removes) permissions in every
// role holding them, in one pass over the roles.
func (d *directory) renamePermissionsLocked(renames map[string]string) {
	mapped := func(p string) (string, bool) {
		nn, ok := renames[p]
		return nn, ok
	}
	for i := range d.roles {
		// A new slice when changed: rolesList's copies keep theirs.
		d.roles[i].Permissions, _ = renameNames(d.roles[i].Permissions, mapped)
	}
}
