package state

import (
	"slices"
	"strings"
)

// userIndex maps a value users hold (an email, a phone) to the IDs of the
// users holding it, for the user search's lookups. Several users may hold
// one value; removal is linear in how many do.
type userIndex map[string][]string

func (x userIndex) add(key, userID string) {
	if key != "" {
		x[key] = append(x[key], userID)
	}
}

func (x userIndex) remove(key, userID string) {
	ids := x[key]
	i := slices.Index(ids, userID)
	if i < 0 {
		return
	}
	ids[i] = ids[len(ids)-1]
	if ids = ids[:len(ids)-1]; len(ids) == 0 {
		delete(x, key)
	} else {
		x[key] = ids
	}
}

// emailKey is how emails are compared in search: case-insensitively.
func emailKey(email string) string { return strings.ToLower(email) }

// SearchBy names the index a user search's candidates come from.
type SearchBy int

// The indexes of a user search: SearchAll looks at every user.
const (
	SearchAll SearchBy = iota
	SearchByUserID
	SearchByLoginID
	SearchByEmail
	SearchByPhone
)

// search returns copies of the users match accepts among the candidates
// keys give in the index by, in no particular order. With SearchAll every
// user is a candidate; otherwise only the users those values index are
// looked at, so the work is linear in them, not in the directory.
func (d *directory) search(by SearchBy, keys []string, match func(*User) bool) []*User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*User
	if by == SearchAll {
		for _, u := range d.byID {
			if match(u) {
				out = append(out, new(*u))
			}
		}
		return out
	}
	seen := make(map[string]bool, len(keys))
	visit := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		if u := d.byID[id]; u != nil && match(u) {
			out = append(out, new(*u))
		}
	}
	for _, k := range keys {
		switch by {
		case SearchByUserID:
			visit(k)
		case SearchByLoginID:
			if id, ok := d.byLogin[k]; ok {
				visit(id)
			}
		case SearchByEmail:
			for _, id := range d.byEmail[emailKey(k)] {
				visit(id)
			}
		case SearchByPhone:
			for _, id := range d.byPhone[k] {
				visit(id)
			}
		}
	}
	return out
}
