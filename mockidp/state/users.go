package state

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/descope-harness/harness/mockidp/project"
)

// The configuration types the stores hold.
type (
	User        = project.User
	UserTenant  = project.UserTenant
	Role        = project.Role
	Tenant      = project.Tenant
	TenantGrant = project.TenantGrant
	Client      = project.Client
	AccessKey   = project.AccessKey
)

// directory is the run-time state of the project's directory: roles,
// tenants and users, looked up by user ID or login ID. It starts as the
// project file's and changes through the management API and the control
// plane; reset restores the file's.
type directory struct {
	mu        sync.RWMutex
	roles     []Role
	tenants   map[string]Tenant
	byID      map[string]*User
	byLogin   map[string]string // login ID to user ID
	index     userIndexes       // the user search's posting sets (users_index.go)
	testUsers int
	limit     int
	seen      map[string]bool // users who have logged in (firstSeen is false afterwards)
	bytes     int             // sum of the users' sizes (userBytes) and of their index's (users_index.go)
	// live holds the stored records, for the index's liveness check: a
	// pointer's hash, where byID's would read the record and hash its ID.
	live map[*User]struct{}
	// keys are two scratch slices for the index keys of the users a write
	// inserts and removes (appendIndexKeys), so that a write allocates none.
	keys [2][]indexKey
	// removed counts the users deleted since the reset: once one was, a
	// new user's ID is derived from its login ID and this count, so that no
	// ID is given twice (DeriveUserID alone would give a deleted user's ID
	// to the next user of that login ID).
	removed int

	// tenantSize is the tenants' bytes (tenantBytes) together, kept as they
	// change so that a tenant write does not measure every tenant again.
	tenantSize int
}

// userOverhead is what a user costs besides its JSON: the map entries of
// its ID and login IDs and the struct.
const userOverhead = 256

// userBytes is what a user counts against MaxDirectoryBytes; it refuses a
// user over MaxUserLoginIDs or MaxUserBytes. It is linear in the user. The
// password is not in the JSON (json:"-") and is counted beside it.
func userBytes(u *User) (int, error) {
	if len(u.LoginIDs) > MaxUserLoginIDs {
		return 0, fmt.Errorf("%w: %d login IDs, over the limit of %d (MaxUserLoginIDs)", ErrUserTooLarge, len(u.LoginIDs), MaxUserLoginIDs)
	}
	b, err := json.Marshal(u)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUserTooLarge, err)
	}
	if n := len(b) + len(u.Password); n > MaxUserBytes {
		return 0, fmt.Errorf("%w: %d bytes as JSON with its password, over the limit of %d (MaxUserBytes)", ErrUserTooLarge, n, MaxUserBytes)
	}
	return userOverhead + len(b) + len(u.Password) + 64*len(u.LoginIDs), nil
}

func (d *directory) resetLocked(dir project.Directory, now int64) {
	d.roles = slices.Clone(dir.Roles)
	d.tenants = make(map[string]Tenant, len(dir.Tenants))
	d.tenantSize = 0
	for _, t := range dir.Tenants {
		d.tenants[t.ID] = t
		d.tenantSize += tenantBytes(&t)
	}
	d.byID = make(map[string]*User, len(dir.Users))
	d.byLogin = make(map[string]string, len(dir.Users))
	d.index = newUserIndexes()
	d.live = make(map[*User]struct{}, len(dir.Users))
	d.testUsers, d.bytes, d.removed = 0, 0, 0
	d.seen = make(map[string]bool)
	d.limit = dir.Sessions.TestUserLimit
	d.index.load()
	defer d.index.loaded()
	for _, u := range dir.Users {
		u := u
		if u.CreatedTime == 0 {
			u.CreatedTime = now
		}
		if u.ModifiedTime == 0 {
			u.ModifiedTime = now
		}
		d.insertLocked(&u, nil)
	}
}

// insertLocked adds u to the directory and to every index, and counts its
// bytes; removeLocked undoes it. They are the only writes of byID, byLogin
// and the indexes: every change of a user is a removeLocked of the old
// record and an insertLocked of the new one.
//
// keys are u's index keys when the caller has them (in d.keys), else nil.
func (d *directory) insertLocked(u *User, keys []indexKey) {
	if keys == nil {
		keys = appendIndexKeys(d.keys[0], u)
		d.keys[0] = keys
	}
	n, _ := userBytes(u) // checked by put; a project file's users are bounded by its size
	d.bytes += n + indexBytes(keys) + d.index.add(u, keys)
	d.byID[u.ID] = u
	d.live[u] = struct{}{}
	for _, l := range u.LoginIDs {
		d.byLogin[l] = u.ID
	}
	if u.Test {
		d.testUsers++
	}
}

func (d *directory) removeLocked(u *User, keys []indexKey) {
	delete(d.byID, u.ID) // first: the index tells live records by live
	delete(d.live, u)
	for _, l := range u.LoginIDs {
		delete(d.byLogin, l)
	}
	if keys == nil {
		keys = appendIndexKeys(d.keys[1], u)
		d.keys[1] = keys
	}
	n, _ := userBytes(u)
	d.bytes -= n + indexBytes(keys) + d.index.remove(keys, d.isLiveLocked)
	if u.Test {
		d.testUsers--
	}
}

// isLiveLocked reports whether u is a stored record (not one replaced or
// removed since).
func (d *directory) isLiveLocked(u *User) bool {
	_, ok := d.live[u]
	return ok
}

// deleteLocked removes a user for good (not to be replaced): it is
// forgotten as logged in, and counted for newIDLocked.
func (d *directory) deleteLocked(u *User) {
	d.removeLocked(u, nil)
	delete(d.seen, u.ID)
	d.removed++
}

// firstLogin reports whether this is the user's first session, and
// remembers that it logged in.
func (d *directory) firstLogin(userID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen[userID] {
		return false
	}
	d.seen[userID] = true
	return true
}

// lookup finds a user by login ID, else by user ID.
func (d *directory) lookup(loginOrUserID string) (User, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u := d.findLocked(loginOrUserID)
	if u == nil {
		return User{}, false
	}
	return *u, true
}

// findLocked is the user of a login ID, else of a user ID, or nil.
func (d *directory) findLocked(loginOrUserID string) *User {
	id, ok := d.byLogin[loginOrUserID]
	if !ok {
		id = loginOrUserID
	}
	return d.byID[id]
}

// byLoginID finds a user by login ID only.
func (d *directory) byLoginID(loginID string) (User, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.byID[d.byLogin[loginID]]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// byUserID finds a user by user ID only.
func (d *directory) byUserID(id string) (User, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.byID[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// list returns the users sorted by user ID, only test users when testOnly.
func (d *directory) list(testOnly bool) []User {
	d.mu.RLock()
	out := make([]User, 0, len(d.byID))
	for _, u := range d.byID {
		if !testOnly || u.Test {
			out = append(out, *u)
		}
	}
	d.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// put validates u (deriving its ID) and adds it; with replace, a user of the
// same ID is replaced, else it is ErrUserExists. It returns the stored user
// and whether one was replaced.
func (d *directory) put(u User, replace bool, now int64) (User, bool, error) {
	u = cloneUser(u)
	size, err := userBytes(&u)
	if err != nil {
		return User{}, false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.putLocked(u, size, replace, now)
}

// cloneUser copies u's slices and maps, so that the stored user shares
// nothing with the caller's.
func cloneUser(u User) User {
	u.LoginIDs = slices.Clone(u.LoginIDs)
	u.Roles = slices.Clone(u.Roles)
	u.Tenants = slices.Clone(u.Tenants)
	for i := range u.Tenants {
		u.Tenants[i].Roles = slices.Clone(u.Tenants[i].Roles)
	}
	u.CustomAttributes = maps.Clone(u.CustomAttributes)
	for name, v := range u.CustomAttributes {
		if list, ok := v.([]any); ok {
			// A list's items are index keys (users_index.go): a stored
			// user's must not change through a caller's copy.
			u.CustomAttributes[name] = slices.Clone(list)
		}
	}
	return u
}

// putLocked is put once u is cloned and sized (userBytes).
func (d *directory) putLocked(u User, size int, replace bool, now int64) (User, bool, error) {
	if u.ID == "" && len(u.LoginIDs) > 0 {
		u.ID = d.newIDLocked(u.LoginIDs[0])
	}
	tenants := make(map[string]bool, len(d.tenants))
	for id := range d.tenants {
		tenants[id] = true
	}
	if err := u.Validate("", d.roles, tenants); err != nil {
		return User{}, false, err
	}
	old, exists := d.byID[u.ID]
	if exists && !replace {
		return User{}, false, fmt.Errorf("%w: user ID %q", ErrUserExists, u.ID)
	}
	if !exists && len(d.byID) >= project.MaxUsers {
		return User{}, false, fmt.Errorf("%w: the mock holds at most %d users (MaxUsers): remove one first", ErrUserLimit, project.MaxUsers)
	}
	if exists {
		u.CreatedTime = old.CreatedTime
	}
	if u.CreatedTime == 0 {
		u.CreatedTime = now
	}
	u.ModifiedTime = now
	// The index's bytes are counted as insertLocked and removeLocked will:
	// an entry per key, a set per key no user holds yet, and the sets only
	// the replaced record holds are freed.
	keys := appendIndexKeys(d.keys[0], &u)
	d.keys[0] = keys
	size += indexBytes(keys) + d.index.newKeys(keys)*indexKeyBytes
	freed := 0
	var oldKeys []indexKey
	if exists {
		oldKeys = appendIndexKeys(d.keys[1], old)
		d.keys[1] = oldKeys
		freed, _ = userBytes(old)
		freed += indexBytes(oldKeys) + d.index.releasedKeys(oldKeys, keys)*indexKeyBytes
	}
	if d.bytes-freed+size > MaxDirectoryBytes {
		return User{}, false, fmt.Errorf("%w: the users would take over %d bytes (MaxDirectoryBytes): remove some first", ErrUsersFull, MaxDirectoryBytes)
	}
	for _, l := range u.LoginIDs {
		if owner, ok := d.byLogin[l]; ok && owner != u.ID {
			if !exists && !replace {
				return User{}, false, fmt.Errorf("%w: login ID %q", ErrUserExists, truncate(l, 64))
			}
			return User{}, false, fmt.Errorf("%w: login ID %q", ErrLoginIDTaken, truncate(l, 64))
		}
	}
	tests := d.testUsers
	if exists && old.Test {
		tests--
	}
	if u.Test && tests >= d.limit {
		return User{}, false, fmt.Errorf("%w: the project allows %d test users", ErrTestUserLimit, d.limit)
	}
	if exists {
		// The same user, rewritten: it keeps having logged in (seen); only
		// deleteLocked forgets that.
		d.removeLocked(old, oldKeys)
	}
	d.insertLocked(&u, keys)
	return u, exists, nil
}

// newIDLocked is the ID of a new user whose first login ID is loginID:
// the ID of the user who holds that login ID (a replacement), else
// DeriveUserID's, or, once a user was deleted since the reset, one derived
// from the login ID and the count of deletions, which no earlier user had.
func (d *directory) newIDLocked(loginID string) string {
	if id, ok := d.byLogin[loginID]; ok {
		return id
	}
	if d.removed == 0 {
		return project.DeriveUserID(loginID)
	}
	return project.DeriveUserID(loginID + "\x00" + strconv.Itoa(d.removed))
}

// takeLocked deletes a user by login ID or user ID and returns it.
func (d *directory) takeLocked(loginOrUserID string) (User, error) {
	u := d.findLocked(loginOrUserID)
	if u == nil {
		return User{}, ErrUserNotFound
	}
	d.deleteLocked(u)
	return *u, nil
}

// takeTestsLocked deletes every test user and returns them.
func (d *directory) takeTestsLocked() []User {
	var out []User
	for _, u := range d.byID {
		if u.Test {
			out = append(out, *u)
			d.deleteLocked(u)
		}
	}
	return out
}

// tenant returns a tenant by ID.
func (d *directory) tenant(id string) (Tenant, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, ok := d.tenants[id]
	return t, ok
}

// rolesList returns the role definitions, project-level first, by name.
func (d *directory) rolesList() []Role {
	d.mu.RLock()
	out := slices.Clone(d.roles)
	d.mu.RUnlock()
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].TenantID != out[j].TenantID {
			return out[i].TenantID < out[j].TenantID
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// putRole adds or replaces a role (by tenant and name).
func (d *directory) putRole(r Role) (replaced bool, err error) {
	r.Permissions = slices.Clone(r.Permissions)
	d.mu.Lock()
	defer d.mu.Unlock()
	tenants := make(map[string]bool, len(d.tenants))
	for id := range d.tenants {
		tenants[id] = true
	}
	if err := r.Validate("", tenants); err != nil {
		return false, err
	}
	for i := range d.roles {
		if d.roles[i].Name == r.Name && d.roles[i].TenantID == r.TenantID {
			d.roles[i] = r
			return true, nil
		}
	}
	d.roles = append(d.roles, r)
	return false, nil
}

// removeRole deletes a role; users keep the name, which then grants nothing.
func (d *directory) removeRole(tenantID, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.roles {
		if d.roles[i].Name == name && d.roles[i].TenantID == tenantID {
			d.roles = slices.Delete(d.roles, i, i+1)
			return nil
		}
	}
	return ErrRoleNotFound
}

// Authorization is what a user's session grants, computed from the role
// definitions as Descope does: the project-level role names and the union of
// their permissions, and per tenant the role names there and their permissions.
type Authorization struct {
	Roles       []string
	Permissions []string
	Tenants     map[string]TenantGrant
}

// authorization computes u's grants from the current role definitions.
func (d *directory) authorization(u User) Authorization {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a := Authorization{Roles: slices.Clone(u.Roles), Permissions: project.PermissionsOf(d.roles, "", u.Roles)}
	if len(u.Tenants) > 0 {
		a.Tenants = make(map[string]TenantGrant, len(u.Tenants))
		for _, t := range u.Tenants {
			a.Tenants[t.TenantID] = TenantGrant{Roles: slices.Clone(t.Roles), Permissions: project.PermissionsOf(d.roles, t.TenantID, t.Roles)}
		}
	}
	return a
}

// truncate shortens s to n bytes for a message.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
