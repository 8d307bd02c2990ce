package mockidp

import (
	"crypto/rand"
	"encoding/json"
	"errors"
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

// Errors of the definitions; handlers map them to Descope's codes (defsError).
var (
	errRoleExists     = errors.New("role already exists")
	errTenantExists   = errors.New("tenant already exists")
	errTenantNotFound = errors.New("tenant not found")
	errDefsFull       = errors.New("definitions limit reached")
)

// Bounds of the definitions created at run time: MaxRoles roles of
// MaxRoleBytes together, MaxTenants tenants of MaxTenantBytes together (the
// project file's count too). One tenant's custom attributes are bounded by
// MaxUserBytes, as a user's.
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

// checkTenant validates a tenant as the management API sends it.
func checkTenant(t *Tenant) error {
	if !validTenantID(t.ID) {
		return invalidArgument("id %q must be 1 to 128 letters, digits and ._:@-", truncate(t.ID, 64))
	}
	if t.Name == "" || len(t.Name) > 256 || strings.ContainsAny(t.Name, "\r\n") {
		return invalidArgument("name must be 1 to 256 characters on one line")
	}
	if len(t.SelfProvisioningDomains) > 100 {
		return invalidArgument("selfProvisioningDomains: at most 100")
	}
	for i, d := range t.SelfProvisioningDomains {
		if d == "" || len(d) > 253 || strings.ContainsAny(d, " \r\n@") {
			return invalidArgument("selfProvisioningDomains[%d] %q is not a domain", i, truncate(d, 64))
		}
	}
	if len(t.CustomAttributes) > 0 {
		b, err := json.Marshal(t.CustomAttributes)
		if err != nil || len(b) > MaxUserBytes {
			return invalidArgument("customAttributes: at most %d bytes as JSON (MaxUserBytes)", MaxUserBytes)
		}
	}
	return nil
}

func validTenantID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._:@-", c) >= 0) {
			return false
		}
	}
	return true
}

// newTenantID is a tenant ID as Descope shapes them: "T" and 27 letters and digits.
func newTenantID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 27)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "T" + string(b)
}

// tenantSetLocked is the set of tenant IDs, as Validate takes it.
func (d *userDirectory) tenantSetLocked() map[string]bool {
	set := make(map[string]bool, len(d.tenants))
	for id := range d.tenants {
		set[id] = true
	}
	return set
}

// findRoleLocked is the index of the role of that tenant ("" project) and name, or -1.
func (d *userDirectory) findRoleLocked(tenantID, name string) int {
	return slices.IndexFunc(d.roles, func(r Role) bool { return r.Name == name && r.TenantID == tenantID })
}

// createRole adds a role; its tenant must exist and its name be new there.
func (d *userDirectory) createRole(r Role) error {
	r.Permissions = slices.Clone(r.Permissions)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := r.Validate("", d.tenantSetLocked()); err != nil {
		return err
	}
	if d.findRoleLocked(r.TenantID, r.Name) >= 0 {
		return fmt.Errorf("%w: %q", errRoleExists, truncate(r.Name, 64))
	}
	if len(d.roles) >= MaxRoles {
		return fmt.Errorf("%w: the mock holds at most %d roles (MaxRoles): delete one first", errDefsFull, MaxRoles)
	}
	total := roleBytes(&r)
	for i := range d.roles {
		total += roleBytes(&d.roles[i])
	}
	if total > MaxRoleBytes {
		return fmt.Errorf("%w: the roles would take over %d bytes (MaxRoleBytes): delete some first", errDefsFull, MaxRoleBytes)
	}
	d.roles = append(d.roles, r)
	return nil
}

// updateRole replaces the role of tenantID and name with r (same tenant);
// a new name is also given to every user holding the role.
func (d *userDirectory) updateRole(tenantID, name string, r Role, now int64) error {
	r.Permissions = slices.Clone(r.Permissions)
	r.TenantID = tenantID
	d.mu.Lock()
	defer d.mu.Unlock()
	i := d.findRoleLocked(tenantID, name)
	if i < 0 {
		return errRoleNotFound
	}
	if err := r.Validate("", d.tenantSetLocked()); err != nil {
		return err
	}
	if r.Name != name && d.findRoleLocked(tenantID, r.Name) >= 0 {
		return fmt.Errorf("%w: %q", errRoleExists, truncate(r.Name, 64))
	}
	total := roleBytes(&r)
	for j := range d.roles {
		if j != i {
			total += roleBytes(&d.roles[j])
		}
	}
	if total > MaxRoleBytes {
		return fmt.Errorf("%w: the roles would take over %d bytes (MaxRoleBytes)", errDefsFull, MaxRoleBytes)
	}
	d.roles[i] = r
	if r.Name != name {
		d.renameHeldRoleLocked(tenantID, name, r.Name, now)
	}
	return nil
}

// deleteRole removes a role and takes it from every user holding it (the
// mock's choice, README: Descope's users hold roles by reference).
func (d *userDirectory) deleteRole(tenantID, name string, now int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := d.findRoleLocked(tenantID, name)
	if i < 0 {
		return errRoleNotFound
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
func (d *userDirectory) renameHeldRoleLocked(tenantID, name, newName string, now int64) {
	change := func(list []string) ([]string, bool) {
		if !slices.Contains(list, name) {
			return list, false
		}
		out := make([]string, 0, len(list))
		for _, n := range list {
			switch {
			case n != name:
				out = append(out, n)
			case newName != "" && !slices.Contains(list, newName):
				out = append(out, newName)
			}
		}
		return out, true
	}
	ownRole := map[string]bool{} // tenants with their own role of the name
	if tenantID == "" {
		for _, r := range d.roles {
			if r.Name == name && r.TenantID != "" {
				ownRole[r.TenantID] = true
			}
		}
	}
	d.rewriteUsersLocked(now, func(u *User) bool {
		changed := false
		if tenantID == "" {
			u.Roles, changed = change(u.Roles)
		}
		for k := range u.Tenants {
			t := &u.Tenants[k]
			if tenantID == "" && ownRole[t.TenantID] || tenantID != "" && t.TenantID != tenantID {
				continue
			}
			var c bool
			t.Roles, c = change(t.Roles)
			changed = changed || c
		}
		return changed
	})
}

// rewriteUsersLocked applies change to a copy of every user and stores the
// copies it changed (new records: readers keep the old ones). Linear in the
// users.
func (d *userDirectory) rewriteUsersLocked(now int64, change func(u *User) bool) {
	for id, u := range d.byID {
		c := cloneUser(*u)
		if !change(&c) {
			continue
		}
		c.ModifiedTime = now
		oldSize, _ := userBytes(u)
		newSize, _ := userBytes(&c)
		d.bytes += newSize - oldSize
		d.byID[id] = &c
	}
}

// tenantsList returns the tenants sorted by ID.
func (d *userDirectory) tenantsList() []Tenant {
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
func (d *userDirectory) createTenant(t Tenant) error {
	t.SelfProvisioningDomains = slices.Clone(t.SelfProvisioningDomains)
	t.CustomAttributes = maps.Clone(t.CustomAttributes)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tenants[t.ID]; ok {
		return fmt.Errorf("%w: ID %q", errTenantExists, truncate(t.ID, 64))
	}
	total := tenantBytes(&t)
	for _, o := range d.tenants {
		if strings.EqualFold(o.Name, t.Name) {
			return fmt.Errorf("%w: name %q", errTenantExists, truncate(t.Name, 64))
		}
		total += tenantBytes(&o)
	}
	if len(d.tenants) >= MaxTenants {
		return fmt.Errorf("%w: the mock holds at most %d tenants (MaxTenants): delete one first", errDefsFull, MaxTenants)
	}
	if total > MaxTenantBytes {
		return fmt.Errorf("%w: the tenants would take over %d bytes (MaxTenantBytes): delete some first", errDefsFull, MaxTenantBytes)
	}
	d.tenants[t.ID] = t
	return nil
}

// updateTenant replaces a tenant's name, domains and custom attributes.
func (d *userDirectory) updateTenant(t Tenant) error {
	t.SelfProvisioningDomains = slices.Clone(t.SelfProvisioningDomains)
	t.CustomAttributes = maps.Clone(t.CustomAttributes)
	d.mu.Lock()
	defer d.mu.Unlock()
	old, ok := d.tenants[t.ID]
	if !ok {
		return errTenantNotFound
	}
	total := tenantBytes(&t)
	for id, o := range d.tenants {
		if id == t.ID {
			continue
		}
		if strings.EqualFold(o.Name, t.Name) {
			return fmt.Errorf("%w: name %q", errTenantExists, truncate(t.Name, 64))
		}
		total += tenantBytes(&o)
	}
	if total > MaxTenantBytes {
		return fmt.Errorf("%w: the tenants would take over %d bytes (MaxTenantBytes)", errDefsFull, MaxTenantBytes)
	}
	t.CreatedTime = old.CreatedTime
	d.tenants[t.ID] = t
	return nil
}

// deleteTenant removes a tenant, its own roles and every user's membership
// of it; with cascade, the users whose only tenant it was are deleted and
// returned (for their sessions to end).
func (d *userDirectory) deleteTenant(id string, cascade bool, now int64) ([]User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tenants[id]; !ok {
		return nil, errTenantNotFound
	}
	delete(d.tenants, id)
	d.roles = slices.DeleteFunc(d.roles, func(r Role) bool { return r.TenantID == id })
	var removed []User
	if cascade {
		for _, u := range d.byID {
			if len(u.Tenants) == 1 && u.Tenants[0].TenantID == id {
				removed = append(removed, *u)
			}
		}
		for i := range removed {
			d.removeLocked(d.byID[removed[i].ID])
			d.removed++
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
func (d *userDirectory) renamePermission(name, newName string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.roles {
		r := &d.roles[i]
		if !slices.Contains(r.Permissions, name) {
			continue
		}
		out := make([]string, 0, len(r.Permissions))
		for _, p := range r.Permissions {
			switch {
			case p != name:
				out = append(out, p)
			case newName != "" && !slices.Contains(r.Permissions, newName):
				out = append(out, newName)
			}
		}
		r.Permissions = out // a new slice: rolesList's copies keep theirs
	}
}

// checkGrants validates project-level role names and tenant roles as a
// user's would be (an access key's roleNames and keyTenants).
func (d *userDirectory) checkGrants(roles []string, tenants []UserTenant) error {
	u := User{ID: "K", LoginIDs: []string{"key"}, Roles: roles, Tenants: tenants}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return u.Validate("", d.roles, d.tenantSetLocked())
}
