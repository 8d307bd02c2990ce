package state

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// permissionStore holds the project's permission definitions (Descope's
// /v1/mgmt/permission/*): a name and a description. At reset it holds the
// permissions the project file's roles name, without descriptions.
type permissionStore struct {
	mu    sync.RWMutex
	list  []PermissionDef // sorted by name
	bytes int
}

// PermissionDef is a permission's definition.
type PermissionDef struct {
	Name        string
	Description string
}

// Bounds of the permission definitions: MaxPermissions of MaxPermissionBytes together.
const (
	MaxPermissions     = 10_000
	MaxPermissionBytes = 4 << 20
)

func permissionBytes(p PermissionDef) int { return 48 + len(p.Name) + len(p.Description) }

func (st *permissionStore) resetLocked(roles []Role) {
	st.list, st.bytes = nil, 0
	for _, r := range roles {
		for _, p := range r.Permissions {
			if _, found := st.findLocked(p); !found {
				st.insertLocked(PermissionDef{Name: p})
			}
		}
	}
}

func (st *permissionStore) findLocked(name string) (int, bool) {
	return slices.BinarySearchFunc(st.list, name, func(p PermissionDef, n string) int { return strings.Compare(p.Name, n) })
}

func (st *permissionStore) insertLocked(p PermissionDef) {
	i, _ := st.findLocked(p.Name)
	st.list = slices.Insert(st.list, i, p)
	st.bytes += permissionBytes(p)
}

// all returns the definitions sorted by name.
func (st *permissionStore) all() []PermissionDef {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return slices.Clone(st.list)
}

// missing returns the first of names that is not defined, or "".
func (st *permissionStore) missingLocked(names []string) string {
	for _, n := range names {
		if _, ok := st.findLocked(n); !ok {
			return n
		}
	}
	return ""
}

func (st *permissionStore) create(p PermissionDef) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.findLocked(p.Name); ok {
		return fmt.Errorf("%w: %q", ErrPermissionExists, truncate(p.Name, 64))
	}
	if len(st.list) >= MaxPermissions {
		return fmt.Errorf("%w: the mock holds at most %d permissions (MaxPermissions): delete one first", ErrDefsFull, MaxPermissions)
	}
	if st.bytes+permissionBytes(p) > MaxPermissionBytes {
		return fmt.Errorf("%w: the permissions would take over %d bytes (MaxPermissionBytes): delete some first", ErrDefsFull, MaxPermissionBytes)
	}
	st.insertLocked(p)
	return nil
}

// update replaces the permission called name with p (its new name and description).
func (st *permissionStore) updateLocked(name string, p PermissionDef) error {
	i, ok := st.findLocked(name)
	if !ok {
		return fmt.Errorf("%w: %q", ErrPermissionNotFound, truncate(name, 64))
	}
	if p.Name != name {
		if _, taken := st.findLocked(p.Name); taken {
			return fmt.Errorf("%w: %q", ErrPermissionExists, truncate(p.Name, 64))
		}
	}
	old := st.list[i]
	if st.bytes-permissionBytes(old)+permissionBytes(p) > MaxPermissionBytes {
		return fmt.Errorf("%w: the permissions would take over %d bytes (MaxPermissionBytes)", ErrDefsFull, MaxPermissionBytes)
	}
	st.list = slices.Delete(st.list, i, i+1)
	st.bytes -= permissionBytes(old)
	st.insertLocked(p)
	return nil
}

func (st *permissionStore) removeLocked(name string) error {
	i, ok := st.findLocked(name)
	if !ok {
		return fmt.Errorf("%w: %q", ErrPermissionNotFound, truncate(name, 64))
	}
	st.bytes -= permissionBytes(st.list[i])
	st.list = slices.Delete(st.list, i, i+1)
	return nil
}

// Permissions lists the permission definitions, sorted by name.
func (st *State) Permissions() []PermissionDef { return st.permissions.all() }

// CreatePermission defines a permission (validated by the caller);
// ErrPermissionExists when it is defined.
func (st *State) CreatePermission(p PermissionDef) error { return st.permissions.create(p) }

// UpdatePermission replaces the permission called name with p (its new
// name and description); a new name is also given in every role holding
// it, in the same step.
func (st *State) UpdatePermission(name string, p PermissionDef) error {
	st.permissions.mu.Lock()
	defer st.permissions.mu.Unlock()
	if err := st.permissions.updateLocked(name, p); err != nil {
		return err
	}
	if p.Name != name {
		st.users.mu.Lock()
		st.users.renamePermissionLocked(name, p.Name)
		st.users.mu.Unlock()
	}
	return nil
}

// DeletePermission removes a permission and takes it from every role, in
// the same step.
func (st *State) DeletePermission(name string) error {
	st.permissions.mu.Lock()
	defer st.permissions.mu.Unlock()
	if err := st.permissions.removeLocked(name); err != nil {
		return err
	}
	st.users.mu.Lock()
	st.users.renamePermissionLocked(name, "")
	st.users.mu.Unlock()
	return nil
}
