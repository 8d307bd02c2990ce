package state

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// The role and tenant definitions of the user directory as the management
// API changes them (mgmt_roles.go, mgmt_tenants.go): create, update, delete
// and what each does to the users holding them. A user's record is
// replaced, never changed in place (searches read user pointers after the
// directory's lock is released).

// Bounds of the definitions created at run time: MaxRoles roles of
// MaxRoleBytes together, MaxTenants tenants of MaxTenantBytes together (the
// project file's count too). One tenant's custom attributes are bounded by
// MaxUserBytes, as a user's (checked by the caller).
const (
	MaxRoles       = 10_000
	MaxRoleBytes   = 4 << 20
	MaxTenants     = 10_000
	MaxTenantBytes = 8 << 20
)

// roleBytes is what a role counts against MaxRoleBytes.
func roleBytes(r *Role) int {
	n := 64 + len(r.Name) + len(r.Description) + len(r.TenantID)
	for _, p := range r.Permissions {
		n += 16 + len(p)
	}
	return n
}

// tenantBytes is what a tenant counts against MaxTenantBytes.
func tenantBytes(t *Tenant) int {
	n := 128 + len(t.ID) + len(t.Name)
	for _, d := range t.SelfProvisioningDomains {
		n += 16 + len(d)
	}
	if len(t.CustomAttributes) > 0 {
		b, _ := json.Marshal(t.CustomAttributes)
		n += len(b)
	}
	return n
}

// tenantSetLocked is the set of tenant IDs, as Validate takes it.
func (d *directory) tenantSetLocked() map[string]bool {
	set := make(map[string]bool, len(d.tenants))
	for id := range d.tenants {
		set[id] = true
	}
	return set
}

// findRoleLocked is the index of the role of that tenant ("" project) and name, or -1.
func (d *directory) findRoleLocked(tenantID, name string) int {
	return slices.IndexFunc(d.roles, func(r Role) bool { return r.Name == name && r.TenantID == tenantID })
}

// createRole adds a role; its tenant must exist and its name be new there.
func (d *directory) createRoleLocked(r Role) error {
	r.Permissions = slices.Clone(r.Permissions)
	if err := r.Validate("", d.tenantSetLocked()); err != nil {
		return err
	}
	if d.findRoleLocked(r.TenantID, r.Name) >= 0 {
		return fmt.Errorf("%w: %q", ErrRoleExists, truncate(r.Name, 64))
	}
	if len(d.roles) >= MaxRoles {
		return fmt.Errorf("%w: the mock holds at most %d roles (MaxRoles): delete one first", ErrDefsFull, MaxRoles)
	}
	total := roleBytes(&r)
	for i := range d.roles {
		total += roleBytes(&d.roles[i])
	}
	if total > MaxRoleBytes {
		return fmt.Errorf("%w: the roles would take over %d bytes (MaxRoleBytes): delete some first", ErrDefsFull, MaxRoleBytes)
	}
	d.roles = append(d.roles, r)
	return nil
}

// updateRole replaces the role of tenantID and name with r (same tenant);
// a new name is also given to every user holding the role.
func (d *directory) updateRoleLocked(tenantID, name string, r Role, now int64) error {
	r.Permissions = slices.Clone(r.Permissions)
	r.TenantID = tenantID
	i := d.findRoleLocked(tenantID, name)
	if i < 0 {
		return ErrRoleNotFound
	}
	if err := r.Validate("", d.tenantSetLocked()); err != nil {
		return err
	}
	if r.Name != name && d.findRoleLocked(tenantID, r.Name) >= 0 {
		return fmt.Errorf("%w: %q", ErrRoleExists, truncate(r.Name, 64))
	}
	total := roleBytes(&r)
	for j := range d.roles {
		if j != i {
			total += roleBytes(&d.roles[j])
		}
	}
	if total > MaxRoleBytes {
		return fmt.Errorf("%w: the roles would take over %d bytes (MaxRoleBytes)", ErrDefsFull, MaxRoleBytes)
	}
	d.roles[i] = r
	if r.Name != name {
		d.renameHeldRoleLocked(tenantID, name, r.Name, now)
	}
	return nil
}

// deleteRole removes a role and takes it from every user holding it (the
// mock's choice, README: Descope's users hold roles by reference).
func (d *directory) deleteRole(tenantID, name string, now int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := d.findRoleLocked(tenantID, name)
	if i < 0 {
		return ErrRoleNotFound
	}
	// Which tenant lists resolve the name to this role is decided before
	// it goes: a tenant's own role of the name hides a project-level one.
	d.renameHeldRoleLocked(tenantID, name, "", now)
	d.roles = slices.Delete(d.roles, i, i+1)
	return nil
}

// renameHeldRoleLocked renames (to "": removes) the role of tenantID and
// name wherever users hold it: a project-level role in users' project roles
// and in tenants without their own role of that name; a tenant's role in
// that tenant's lists.
func (d *directory) renameHeldRoleLocked(tenantID, name, newName string, now int64) {
	d.renameHeldRolesLocked(map[roleKey]string{{tenantID, name}: newName}, d.roles, now)
}

// rewriteUsersLocked applies change to a copy of every user and stores the
// copies it changed (new records: readers keep the old ones) through
// removeLocked and insertLocked, which keep the indexes. Linear in the
// users.
func (d *directory) rewriteUsersLocked(now int64, change func(u *User) bool) {
	var changed []*User
	for _, u := range d.byID {
		c := cloneUser(*u)
		if change(&c) {
			c.ModifiedTime = now
			d.removeLocked(u)
			changed = append(changed, &c)
		}
	}
	for _, c := range changed {
		d.insertLocked(c)
	}
}

// tenantsList returns the tenants sorted by ID.
func (d *directory) tenantsList() []Tenant {
	d.mu.RLock()
	out := make([]Tenant, 0, len(d.tenants))
	for _, t := range d.tenants {
		out = append(out, t)
	}
	d.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// createTenant adds a tenant (checked with checkTenant); its ID and name
// must be new.
func (d *directory) createTenant(t Tenant) error {
	t.SelfProvisioningDomains = slices.Clone(t.SelfProvisioningDomains)
	t.CustomAttributes = maps.Clone(t.CustomAttributes)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tenants[t.ID]; ok {
		return fmt.Errorf("%w: ID %q", ErrTenantExists, truncate(t.ID, 64))
	}
	for _, o := range d.tenants {
		if strings.EqualFold(o.Name, t.Name) {
			return fmt.Errorf("%w: name %q", ErrTenantExists, truncate(t.Name, 64))
		}
	}
	total := d.tenantSize + tenantBytes(&t)
	if len(d.tenants) >= MaxTenants {
		return fmt.Errorf("%w: the mock holds at most %d tenants (MaxTenants): delete one first", ErrDefsFull, MaxTenants)
	}
	if total > MaxTenantBytes {
		return fmt.Errorf("%w: the tenants would take over %d bytes (MaxTenantBytes): delete some first", ErrDefsFull, MaxTenantBytes)
	}
	d.tenants[t.ID] = t
	d.tenantSize = total
	return nil
}

// updateTenant replaces a tenant's name, domains and custom attributes.
func (d *directory) updateTenant(t Tenant) error {
	t.SelfProvisioningDomains = slices.Clone(t.SelfProvisioningDomains)
	t.CustomAttributes = maps.Clone(t.CustomAttributes)
	d.mu.Lock()
	defer d.mu.Unlock()
	old, ok := d.tenants[t.ID]
	if !ok {
		return ErrTenantNotFound
	}
	for id, o := range d.tenants {
		if id != t.ID && strings.EqualFold(o.Name, t.Name) {
			return fmt.Errorf("%w: name %q", ErrTenantExists, truncate(t.Name, 64))
		}
	}
	total := d.tenantSize - tenantBytes(&old) + tenantBytes(&t)
	if total > MaxTenantBytes {
		return fmt.Errorf("%w: the tenants would take over %d bytes (MaxTenantBytes)", ErrDefsFull, MaxTenantBytes)
	}
	t.CreatedTime = old.CreatedTime
	d.tenants[t.ID] = t
	d.tenantSize = total
	return nil
}

// deleteTenant removes a tenant, its own roles and every user's membership
// of it; with cascade, the users whose only tenant it was are deleted and
// returned (for their sessions to end).
func (d *directory) deleteTenantLocked(id string, cascade bool, now int64) ([]User, error) {
	old, ok := d.tenants[id]
	if !ok {
		return nil, ErrTenantNotFound
	}
	delete(d.tenants, id)
	d.tenantSize -= tenantBytes(&old)
	d.roles = slices.DeleteFunc(d.roles, func(r Role) bool { return r.TenantID == id })
	var removed []User
	if cascade {
		for _, u := range d.byID {
			if len(u.Tenants) == 1 && u.Tenants[0].TenantID == id {
				removed = append(removed, *u)
			}
		}
		for i := range removed {
			d.deleteLocked(d.byID[removed[i].ID])
		}
	}
	d.rewriteUsersLocked(now, func(u *User) bool {
		n := len(u.Tenants)
		u.Tenants = slices.DeleteFunc(u.Tenants, func(t UserTenant) bool { return t.TenantID == id })
		return len(u.Tenants) != n
	})
	return removed, nil
}

// renamePermission renames (to "": removes) a permission in every role.
func (d *directory) renamePermissionLocked(name, newName string) {
	d.renamePermissionsLocked(map[string]string{name: newName})
}

// Tenants lists the tenants, sorted by ID.
func (st *State) Tenants() []Tenant { return st.users.tenantsList() }

// CreateRole adds a role (ErrRoleExists when its tenant has one of its
// name); its tenant must exist and its permissions be defined
// (ErrPermissionUndefined).
func (st *State) CreateRole(r Role) error {
	st.permissions.mu.RLock()
	defer st.permissions.mu.RUnlock()
	if p := st.permissions.missingLocked(r.Permissions); p != "" {
		return fmt.Errorf("%w: %q", ErrPermissionUndefined, truncate(p, 64))
	}
	st.users.mu.Lock()
	defer st.users.mu.Unlock()
	return st.users.createRoleLocked(r)
}

// UpdateRole replaces the role of tenantID and name with r (ErrRoleNotFound
// when there is none); a new name is also given to every user holding it.
func (st *State) UpdateRole(tenantID, name string, r Role) error {
	now := st.now().Unix()
	st.permissions.mu.RLock()
	defer st.permissions.mu.RUnlock()
	if p := st.permissions.missingLocked(r.Permissions); p != "" {
		return fmt.Errorf("%w: %q", ErrPermissionUndefined, truncate(p, 64))
	}
	st.users.mu.Lock()
	defer st.users.mu.Unlock()
	return st.users.updateRoleLocked(tenantID, name, r, now)
}

// DeleteRole removes a role and takes it from every user holding it.
func (st *State) DeleteRole(tenantID, name string) error {
	return st.users.deleteRole(tenantID, name, st.now().Unix())
}

// CreateTenant adds a tenant (validated by the caller); its ID and name
// must be new (ErrTenantExists).
func (st *State) CreateTenant(t Tenant) error { return st.users.createTenant(t) }

// UpdateTenant replaces a tenant's name, domains and custom attributes
// (ErrTenantNotFound when there is none).
func (st *State) UpdateTenant(t Tenant) error { return st.users.updateTenant(t) }

// DeleteTenant removes a tenant, its own roles and every user's membership
// of it; with cascade the users whose only tenant it was are removed too,
// with everything they held (as RemoveUser), in the same step, and
// returned.
func (st *State) DeleteTenant(id string, cascade bool) ([]User, error) {
	now := st.now().Unix()
	st.lockAll()
	defer st.unlockAll()
	removed, err := st.users.deleteTenantLocked(id, cascade, now)
	if err != nil {
		return nil, err
	}
	st.forgetLocked(removed)
	return removed, nil
}

// CheckGrants validates project-level role names and tenant roles as a
// user's would be (an access key's roleNames and keyTenants).
func (st *State) CheckGrants(roles []string, tenants []UserTenant) error {
	u := User{ID: "K", LoginIDs: []string{"key"}, Roles: roles, Tenants: tenants}
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	return u.Validate("", st.users.roles, st.users.tenantSetLocked())
}
