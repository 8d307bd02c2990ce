package state

// UserFilter is what the directory's indexes (users_index.go) can narrow a
// user search by. Each field given is a condition every user the search
// matches meets; the search's match checks them all again, so a filter
// may say less than the search does (a superset of candidates is right,
// only slower). A nil or empty field is no condition.
type UserFilter struct {
	// UserIDs, LoginIDs, Emails (compared case-insensitively) and Phones:
	// the user has one of the values.
	UserIDs, LoginIDs, Emails, Phones []string
	// Statuses: UserStatus is one of them.
	Statuses []string
	// RoleNames: the user holds one of these project-level roles.
	RoleNames []string
	// TenantIDs: the user is a member of one of these tenants.
	TenantIDs []string
	// TenantRoles: the user meets one of them.
	TenantRoles []TenantRoleFilter
	// Attributes: the user meets each of them.
	Attributes []AttributeFilter
	// Created and Modified: the time (Unix seconds) lies in the range.
	Created, Modified *TimeRange
	// Text: a substring of a lower-case text field (user ID, name, email,
	// phone, a login ID); given in lower case. Shorter than three bytes it
	// narrows nothing (it has no trigram).
	Text string
	// TestOnly: the user is a test user.
	TestOnly bool
	// Nothing: no user matches (a filter the mock's users never meet).
	Nothing bool
}

// TenantRoleFilter: the user is a member of TenantID and, when Names is not
// empty, holds one of them there (each of them with And).
type TenantRoleFilter struct {
	TenantID string
	Names    []string
	And      bool
}

// AttributeFilter: the custom attribute Name has one of Values (a string, a
// bool or a float64), or one of its list's items has. A nil among Values
// (the user has no such attribute) narrows nothing: that is not indexed.
type AttributeFilter struct {
	Name   string
	Values []any
}

// TimeRange is [From, To] in Unix seconds.
type TimeRange struct{ From, To int64 }

// candidates are the users a search looks at: every user (all), or the
// users listed and those of the sets, which may repeat when there are
// several; size bounds their count.
type candidates struct {
	all   bool
	users []*User
	sets  []*postingSet
	size  int
}

// search returns copies of the users match accepts, in no particular
// order, among the candidates of f's most selective condition (nil f:
// every user, the reference the indexed search is tested against). Its
// work is linear in the sizes of f's fields and in those candidates.
func (d *directory) search(f *UserFilter, match func(*User) bool) []*User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c := candidates{all: true, size: len(d.byID)}
	if f != nil {
		c = d.candidatesLocked(f)
	}
	var out []*User
	visit := func(u *User) {
		if d.isLiveLocked(u) && match(u) { // a set lists removed records too
			out = append(out, new(*u))
		}
	}
	if c.all {
		for _, u := range d.byID {
			visit(u)
		}
		return out
	}
	if len(c.users) == 0 && len(c.sets) == 1 {
		for _, u := range c.sets[0].users {
			visit(u)
		}
		return out
	}
	seen := make(map[*User]bool, c.size)
	once := func(u *User) {
		if !seen[u] {
			seen[u] = true
			visit(u)
		}
	}
	for _, u := range c.users {
		once(u)
	}
	for _, s := range c.sets {
		for _, u := range s.users {
			once(u)
		}
	}
	return out
}

// candidatesLocked picks the smallest candidate set f's conditions give.
func (d *directory) candidatesLocked(f *UserFilter) candidates {
	best := candidates{all: true, size: len(d.byID)}
	consider := func(c candidates) {
		if c.size < best.size {
			best = c
		}
	}
	if f.Nothing {
		return candidates{}
	}
	x := &d.index
	listed := func(values []string, find func(string) *User) {
		if len(values) == 0 {
			return
		}
		c := candidates{}
		for _, v := range values {
			if u := find(v); u != nil {
				c.users = append(c.users, u)
			}
		}
		c.size = len(c.users)
		consider(c)
	}
	listed(f.UserIDs, func(id string) *User { return d.byID[id] })
	listed(f.LoginIDs, func(l string) *User {
		if id, ok := d.byLogin[l]; ok {
			return d.byID[id]
		}
		return nil
	})
	union := func(keys []indexKey) {
		if len(keys) == 0 {
			return
		}
		c := candidates{}
		for _, k := range keys {
			if s := x.set(k); s != nil {
				c.sets = append(c.sets, s)
				c.size += s.live()
			}
		}
		consider(c)
	}
	hashed := func(kind indexKind, values []string, key func(string) string) {
		keys := make([]indexKey, 0, len(values))
		for _, v := range values {
			if key != nil {
				v = key(v)
			}
			keys = append(keys, hashKey(kind, v))
		}
		union(keys)
	}
	hashed(indexEmail, f.Emails, EmailKey)
	hashed(indexPhone, f.Phones, nil)
	hashed(indexStatus, f.Statuses, nil)
	hashed(indexRole, f.RoleNames, nil)
	hashed(indexTenant, f.TenantIDs, nil)
	if f.TestOnly {
		union([]indexKey{makeKey(indexTest, 0)})
	}
	if len(f.TenantRoles) > 0 {
		// One set per tenant filter: its membership, the union of its
		// names' sets, or with And the smallest of them.
		var keys []indexKey
		for _, t := range f.TenantRoles {
			switch {
			case len(t.Names) == 0:
				keys = append(keys, hashKey(indexTenant, t.TenantID))
			case t.And:
				smallest := hashKey(indexTenantRole, t.TenantID, t.Names[0])
				for _, n := range t.Names[1:] {
					if k := hashKey(indexTenantRole, t.TenantID, n); x.size(k) < x.size(smallest) {
						smallest = k
					}
				}
				keys = append(keys, smallest)
			default:
				for _, n := range t.Names {
					keys = append(keys, hashKey(indexTenantRole, t.TenantID, n))
				}
			}
		}
		union(keys)
	}
	for _, a := range f.Attributes {
		keys := make([]indexKey, 0, len(a.Values))
		indexed := true
		for _, v := range a.Values {
			k, ok := attributeKey(a.Name, v)
			if !ok {
				indexed = false
				break
			}
			keys = append(keys, k)
		}
		if indexed {
			union(keys)
		}
	}
	if len(f.Text) >= 3 {
		smallest := trigramKey(f.Text)
		for i := 1; i+3 <= len(f.Text); i++ {
			if k := trigramKey(f.Text[i : i+3]); x.size(k) < x.size(smallest) {
				smallest = k
			}
		}
		union([]indexKey{smallest})
	}
	// A time range last: counting its users stops once they are more than
	// the best set's, so a wide range costs no more than that set.
	for _, r := range []struct {
		kind indexKind
		tl   *timeline
		rng  *TimeRange
	}{{indexCreated, &x.created, f.Created}, {indexModified, &x.modified, f.Modified}} {
		if r.rng == nil {
			continue
		}
		c := candidates{}
		r.tl.between(clampTime(r.rng.From), clampTime(r.rng.To), func(sec int64) bool {
			if s := x.set(timeKey(r.kind, sec)); s != nil {
				c.sets = append(c.sets, s)
				c.size += s.live()
			}
			return c.size < best.size
		})
		consider(c)
	}
	return best
}
