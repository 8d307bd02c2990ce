package state

import (
	"fmt"
	"slices"
)

// CheckUserIndexes rebuilds the user search's indexes from the users and
// compares them with the directory's, with the bytes it counts: nil when
// every write kept them right. For tests (the differential and concurrency
// tests of the user search); linear in the users' keys.
func (st *State) CheckUserIndexes() error {
	d := &st.users
	d.mu.RLock()
	defer d.mu.RUnlock()
	want := newUserIndexes()
	bytes := 0
	for _, u := range d.byID {
		keys := indexKeysOf(u)
		n, _ := userBytes(u)
		bytes += n + indexBytes(keys) + want.add(u, keys)
	}
	if d.bytes != bytes {
		return fmt.Errorf("the directory counts %d bytes, its users and their keys take %d", d.bytes, bytes)
	}
	if len(d.index.sets) != len(want.sets) {
		return fmt.Errorf("%d posting sets, want %d", len(d.index.sets), len(want.sets))
	}
	for k, w := range want.sets {
		s := d.index.sets[k]
		if s == nil {
			return fmt.Errorf("posting set %v: missing, want %d users", k, len(w.users))
		}
		live := map[*User]bool{}
		for _, u := range s.users {
			if d.isLiveLocked(u) {
				if live[u] {
					return fmt.Errorf("posting set %v lists user %s twice", k, u.ID)
				}
				live[u] = true
			}
		}
		if len(live) != len(w.users) || s.live() != len(live) || slices.ContainsFunc(w.users, func(u *User) bool { return !live[u] }) {
			return fmt.Errorf("posting set %v: %d live users (%d counted), want %d", k, len(live), s.live(), len(w.users))
		}
		if 2*s.dead > len(s.users) {
			return fmt.Errorf("posting set %v: %d dead of %d listed", k, s.dead, len(s.users))
		}
	}
	for _, tl := range []struct {
		kind indexKind
		t    *timeline
	}{{indexCreated, &d.index.created}, {indexModified, &d.index.modified}} {
		if !slices.IsSorted(tl.t.seconds) || len(slices.Compact(slices.Clone(tl.t.seconds))) != len(tl.t.seconds) {
			return fmt.Errorf("timeline %d is not sorted or repeats a second: %v", tl.kind, tl.t.seconds)
		}
		live := 0
		for _, sec := range tl.t.seconds {
			if d.index.sets[timeKey(tl.kind, sec)] != nil {
				live++
			}
		}
		sets := 0
		for k := range d.index.sets {
			if k.kind() == tl.kind {
				sets++
			}
		}
		if live != sets || len(tl.t.seconds)-live != tl.t.stale || 2*tl.t.stale > len(tl.t.seconds) {
			return fmt.Errorf("timeline %d: %d seconds, %d live of %d sets, %d stale counted", tl.kind, len(tl.t.seconds), live, sets, tl.t.stale)
		}
	}
	return nil
}
