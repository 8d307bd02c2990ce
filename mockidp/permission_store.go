package mockidp

import (
	"errors"
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
	list  []permissionDef // sorted by name
	bytes int
}

type permissionDef struct {
	Name        string
	Description string
}

// Bounds of the permission definitions: MaxPermissions of MaxPermissionBytes together.
const (
	MaxPermissions     = 10_000
	MaxPermissionBytes = 4 << 20
)

var (
	errPermissionExists   = errors.New("permission already exists")
	errPermissionNotFound = errors.New("permission not found")
)

func permissionBytes(p permissionDef) int { return 48 + len(p.Name) + len(p.Description) }

// checkPermission validates a permission's name and description.
func checkPermission(p permissionDef) error {
	if p.Name == "" || len(p.Name) > 128 || strings.ContainsAny(p.Name, "\r\n") {
		return invalidArgument("name must be 1 to 128 characters on one line")
	}
	if len(p.Description) > 1024 {
		return invalidArgument("description: at most 1024 bytes")
	}
	return nil
}

func (st *permissionStore) reset(roles []Role) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.list, st.bytes = nil, 0
	for _, r := range roles {
		for _, p := range r.Permissions {
			if _, found := st.findLocked(p); !found {
				st.insertLocked(permissionDef{Name: p})
			}
		}
	}
}

func (st *permissionStore) findLocked(name string) (int, bool) {
	return slices.BinarySearchFunc(st.list, name, func(p permissionDef, n string) int { return strings.Compare(p.Name, n) })
}

func (st *permissionStore) insertLocked(p permissionDef) {
	i, _ := st.findLocked(p.Name)
	st.list = slices.Insert(st.list, i, p)
	st.bytes += permissionBytes(p)
}

// all returns the definitions sorted by name.
func (st *permissionStore) all() []permissionDef {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return slices.Clone(st.list)
}

// missing returns the first of names that is not defined, or "".
func (st *permissionStore) missing(names []string) string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, n := range names {
		if _, ok := st.findLocked(n); !ok {
			return n
		}
	}
	return ""
}

func (st *permissionStore) create(p permissionDef) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.findLocked(p.Name); ok {
		return fmt.Errorf("%w: %q", errPermissionExists, truncate(p.Name, 64))
	}
	if len(st.list) >= MaxPermissions {
		return fmt.Errorf("%w: the mock holds at most %d permissions (MaxPermissions): delete one first", errDefsFull, MaxPermissions)
	}
	if st.bytes+permissionBytes(p) > MaxPermissionBytes {
		return fmt.Errorf("%w: the permissions would take over %d bytes (MaxPermissionBytes): delete some first", errDefsFull, MaxPermissionBytes)
	}
	st.insertLocked(p)
	return nil
}

// update replaces the permission called name with p (its new name and description).
func (st *permissionStore) update(name string, p permissionDef) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	i, ok := st.findLocked(name)
	if !ok {
		return fmt.Errorf("%w: %q", errPermissionNotFound, truncate(name, 64))
	}
	if p.Name != name {
		if _, taken := st.findLocked(p.Name); taken {
			return fmt.Errorf("%w: %q", errPermissionExists, truncate(p.Name, 64))
		}
	}
	old := st.list[i]
	if st.bytes-permissionBytes(old)+permissionBytes(p) > MaxPermissionBytes {
		return fmt.Errorf("%w: the permissions would take over %d bytes (MaxPermissionBytes)", errDefsFull, MaxPermissionBytes)
	}
	st.list = slices.Delete(st.list, i, i+1)
	st.bytes -= permissionBytes(old)
	st.insertLocked(p)
	return nil
}

func (st *permissionStore) remove(name string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	i, ok := st.findLocked(name)
	if !ok {
		return fmt.Errorf("%w: %q", errPermissionNotFound, truncate(name, 64))
	}
	st.bytes -= permissionBytes(st.list[i])
	st.list = slices.Delete(st.list, i, i+1)
	return nil
}
