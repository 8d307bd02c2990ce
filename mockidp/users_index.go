package mockidp

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

// search returns copies of the users q matches, in no particular order. When q names
// users by user ID, login ID, email or phone, only the users those values
// index are looked at (the filter with the fewest values is used), so the
// work is linear in them, not in the directory; otherwise every user is.
func (d *userDirectory) search(q *userSearch) []*User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*User
	keys, by := q.narrowest()
	if by == searchByNone {
		for _, u := range d.byID {
			if q.match(u) {
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
		if u := d.byID[id]; u != nil && q.match(u) {
			out = append(out, new(*u))
		}
	}
	for _, k := range keys {
		switch by {
		case searchByUserID:
			visit(k)
		case searchByLoginID:
			if id, ok := d.byLogin[k]; ok {
				visit(id)
			}
		case searchByEmail:
			for _, id := range d.byEmail[emailKey(k)] {
				visit(id)
			}
		case searchByPhone:
			for _, id := range d.byPhone[k] {
				visit(id)
			}
		}
	}
	return out
}
