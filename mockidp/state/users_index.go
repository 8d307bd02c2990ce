package state

import (
	"encoding/json"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The user search's indexes (issue 19: a search answers in time linear in
// the users it matches, not in the directory's size). Every filter of a
// search that selects users by a value they hold has an index: a posting
// set of the users holding each value, keyed by the filter's kind and the
// value (a hash of it for strings: a collision only adds candidates, which
// the search's match then refuses). The search takes its candidates from
// the smallest set its filters give (UserFilter, search) and checks each
// with the search's match, so its work is linear in that set.
//
// The indexes change in exactly one place: insertLocked and removeLocked
// (users.go) add and remove every key of a user (appendIndexKeys); a user's
// record is replaced, never changed in place, so a posting set holds the
// stored records' pointers.
//
// Memory: a user has one posting entry per key it holds, at most one per
// byte of its text fields (trigrams) plus one per role, tenant, tenant
// role, custom-attribute value, status and time, so a user's entries are
// fewer than its bytes as JSON plus a few. Each entry is charged
// indexEntryBytes and each posting set indexKeyBytes against
// MaxDirectoryBytes (insertLocked, putLocked), and a set's list is never
// more than twice its live users, so what the indexes hold is within what
// the directory counts: MaxDirectoryBytes bounds users and indexes together.

// indexKind is what an index key's value is.
type indexKind uint8

const (
	indexEmail      indexKind = iota + 1 // hash of the lower-case email
	indexPhone                           // hash of the phone
	indexStatus                          // hash of UserStatus
	indexTest                            // 0: the test users
	indexRole                            // hash of a project-level role name
	indexTenant                          // hash of a tenant ID the user is a member of
	indexTenantRole                      // hash of a tenant ID and a role name held there
	indexAttribute                       // hash of a custom attribute's name and one of its scalar values
	indexTrigram                         // three bytes of a lower-case text field
	indexCreated                         // created time, Unix seconds
	indexModified                        // modified time, Unix seconds
)

// indexKey names one posting set: its kind in the top byte, the value in
// the low 56 bits (a uint64, which Go maps hash fastest).
type indexKey uint64

const valueBits = 56

func makeKey(kind indexKind, value uint64) indexKey {
	return indexKey(uint64(kind)<<valueBits | value&(1<<valueBits-1))
}

func (k indexKey) kind() indexKind { return indexKind(k >> valueBits) }

// Times are indexed within ±2^55 seconds (a billion years): a time beyond
// is indexed at the bound, where its users' set holds every time beyond
// (a superset, which the match narrows).
const timeBound = 1 << (valueBits - 1)

// clampTime is sec within the indexed times.
func clampTime(sec int64) int64 { return min(max(sec, -timeBound), timeBound-1) }

// timeKey is the key of a time kind and a second (clampTime'd).
func timeKey(kind indexKind, sec int64) indexKey {
	return makeKey(kind, uint64(clampTime(sec)+timeBound))
}

// second is the second of a time key.
func (k indexKey) second() int64 { return int64(uint64(k)&(1<<valueBits-1)) - timeBound }

// Charges of the indexes against MaxDirectoryBytes: a posting entry (a
// pointer, counted twice as removed records stay listed until they are
// half of a set, and twice again for the slice's growth) and a posting set
// (its struct, its entry in the map of sets and its first slots).
const (
	indexEntryBytes = 32
	indexKeyBytes   = 128
)

// indexBytes is what a user listed under keys is charged for its entries:
// one per key and one in the directory's set of live records.
func indexBytes(keys []indexKey) int { return (len(keys) + 1) * indexEntryBytes }

// postingSet is the users holding one key. A removed record stays listed
// (dead) until the dead are half the list, which is then compacted: removal
// is O(1) amortized and the list is never more than twice its live users,
// so walking it is linear in them. A record is live while the directory
// holds it (directory.live); records are never changed (cloneUser copies
// what their keys come from) nor inserted twice (users.go), so a live
// record listed holds the key, is listed once, and its keys when removed
// are those it was listed under.
type postingSet struct {
	users []*User
	dead  int
}

// live is the number of live records listed.
func (s *postingSet) live() int { return len(s.users) - s.dead }

// userIndexes are the directory's posting sets and the two timelines that
// order the created and modified times for range lookups.
type userIndexes struct {
	sets              map[indexKey]*postingSet
	created, modified timeline
}

func newUserIndexes() userIndexes {
	return userIndexes{sets: make(map[indexKey]*postingSet)}
}

// indexSeed seeds the hashes of index keys.
var indexSeed = maphash.MakeSeed()

// hashKey is the key of a kind for the strings parts (hashed with a
// separator, so that ("ab","c") and ("a","bc") differ).
func hashKey(kind indexKind, parts ...string) indexKey {
	var h maphash.Hash
	h.SetSeed(indexSeed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return makeKey(kind, h.Sum64())
}

// attributeKey is the key of a custom attribute's scalar value, equal for
// values user search compares as equal (a string, a bool, or a number by
// its float64 value); ok is false for a value no filter value equals (a
// list, a map, null).
func attributeKey(name string, v any) (indexKey, bool) {
	var h maphash.Hash
	h.SetSeed(indexSeed)
	h.WriteString(name)
	h.WriteByte(0)
	switch x := v.(type) {
	case string:
		h.WriteByte('s')
		h.WriteString(x)
	case bool:
		h.WriteByte('b')
		if x {
			h.WriteByte(1)
		}
	default:
		f, ok := AttributeNumber(v)
		if !ok {
			return 0, false
		}
		if f == 0 {
			f = 0 // -0 equals 0
		}
		h.WriteByte('n')
		var b [8]byte
		bits := math.Float64bits(f)
		for i := range b {
			b[i] = byte(bits >> (8 * i))
		}
		h.Write(b[:])
	}
	return makeKey(indexAttribute, h.Sum64()), true
}

// AttributeNumber is a custom attribute's value as a number, as user
// search compares numbers, whichever type YAML or JSON decoded it as.
func AttributeNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// UserStatus is a user's status: disabled through the management API,
// else enabled. The mock does not invite or expire users.
func UserStatus(u *User) string {
	if u.Disabled {
		return "disabled"
	}
	return "enabled"
}

// appendTrigrams appends the keys of the trigrams of strings.ToLower(f),
// lowering ASCII in place (no copy of the field).
func appendTrigrams(keys []indexKey, f string) []indexKey {
	for i := range len(f) {
		if f[i] >= utf8.RuneSelf {
			f = strings.ToLower(f)
			break
		}
	}
	lower := func(b byte) uint64 {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return uint64(b)
	}
	for i := 0; i+3 <= len(f); i++ {
		keys = append(keys, makeKey(indexTrigram, lower(f[i])<<16|lower(f[i+1])<<8|lower(f[i+2])))
	}
	return keys
}

// trigramKey is the key of three bytes of lower-case text.
func trigramKey(s string) indexKey {
	return makeKey(indexTrigram, uint64(s[0])<<16|uint64(s[1])<<8|uint64(s[2]))
}

// indexKeysOf is every key u is indexed under, each once, sorted
// (appendIndexKeys to a new slice).
func indexKeysOf(u *User) []indexKey { return appendIndexKeys(nil, u) }

// appendIndexKeys is keys[:0] with every key u is indexed under, each
// once, sorted. It is linear in the user and at most a few more keys than
// the user's bytes; writes pass the directory's scratch slices so that a
// write allocates none.
func appendIndexKeys(keys []indexKey, u *User) []indexKey {
	keys = keys[:0]
	if u.Email != "" {
		keys = append(keys, hashKey(indexEmail, EmailKey(u.Email)))
	}
	if u.Phone != "" {
		keys = append(keys, hashKey(indexPhone, u.Phone))
	}
	keys = append(keys, hashKey(indexStatus, UserStatus(u)),
		timeKey(indexCreated, u.CreatedTime), timeKey(indexModified, u.ModifiedTime))
	if u.Test {
		keys = append(keys, makeKey(indexTest, 0))
	}
	for _, r := range u.Roles {
		keys = append(keys, hashKey(indexRole, r))
	}
	for _, t := range u.Tenants {
		keys = append(keys, hashKey(indexTenant, t.TenantID))
		for _, r := range t.Roles {
			keys = append(keys, hashKey(indexTenantRole, t.TenantID, r))
		}
	}
	for name, v := range u.CustomAttributes {
		items, isList := v.([]any)
		if !isList {
			if k, ok := attributeKey(name, v); ok {
				keys = append(keys, k)
			}
		}
		for _, item := range items {
			if k, ok := attributeKey(name, item); ok {
				keys = append(keys, k)
			}
		}
	}
	// The text fields user search's text filter looks in.
	keys = appendTrigrams(keys, u.ID)
	keys = appendTrigrams(keys, u.Name)
	keys = appendTrigrams(keys, u.Email)
	keys = appendTrigrams(keys, u.Phone)
	for _, l := range u.LoginIDs {
		keys = appendTrigrams(keys, l)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// add lists u in the sets of keys and returns the bytes of the sets it made.
func (x *userIndexes) add(u *User, keys []indexKey) (made int) {
	for _, k := range keys {
		s := x.sets[k]
		if s == nil {
			s = &postingSet{}
			x.sets[k] = s
			made += indexKeyBytes
			if tl := x.timeline(k.kind()); tl != nil {
				tl.add(k.second())
			}
		}
		s.users = append(s.users, u)
	}
	return made
}

// remove counts u, no longer live, as dead in the sets of keys, deletes the
// sets it leaves without a live user and compacts those half dead; it
// returns the bytes of the sets deleted.
func (x *userIndexes) remove(keys []indexKey, live func(*User) bool) (freed int) {
	for _, k := range keys {
		s := x.sets[k]
		if s == nil {
			continue
		}
		s.dead++
		switch {
		case s.live() == 0:
			delete(x.sets, k)
			freed += indexKeyBytes
			if kind := k.kind(); x.timeline(kind) != nil {
				x.timeline(kind).remove(k.second(), func(sec int64) bool { return x.sets[timeKey(kind, sec)] != nil })
			}
		case 2*s.dead > len(s.users):
			s.users = slices.DeleteFunc(s.users, func(u *User) bool { return !live(u) })
			if cap(s.users) > 2*len(s.users) {
				s.users = slices.Clip(slices.Clone(s.users)) // slices do not shrink
			}
			s.dead = 0
		}
	}
	return freed
}

// releasedKeys counts the keys of old whose sets old alone holds live and
// which keep (sorted, as appendIndexKeys gives them) does not hold: the sets
// replacing old by a user of keys deletes.
func (x *userIndexes) releasedKeys(old, keep []indexKey) int {
	n := 0
	for _, k := range old {
		if s := x.sets[k]; s != nil && s.live() == 1 {
			if _, found := slices.BinarySearch(keep, k); !found {
				n++
			}
		}
	}
	return n
}

// newKeys counts the keys no set is held for yet.
func (x *userIndexes) newKeys(keys []indexKey) int {
	n := 0
	for _, k := range keys {
		if x.sets[k] == nil {
			n++
		}
	}
	return n
}

func (x *userIndexes) timeline(kind indexKind) *timeline {
	switch kind {
	case indexCreated:
		return &x.created
	case indexModified:
		return &x.modified
	}
	return nil
}

// set is the set of key (nil: none).
func (x *userIndexes) set(k indexKey) *postingSet { return x.sets[k] }

// size is the number of live users holding key.
func (x *userIndexes) size(k indexKey) int {
	if s := x.sets[k]; s != nil {
		return s.live()
	}
	return 0
}

// timeline is the sorted seconds some user's time falls in, for a range's
// lookup by binary search; each second's users are the posting set of
// (kind, second). Adding the newest second appends (the mock's clock
// moves forward: a write's modified time is the latest); removing the
// last second pops. A second emptied elsewhere stays as a stale entry
// until stale entries are half the list, then the list is compacted, so
// removal is O(1) amortized; adding a second before the newest inserts
// into the slice (a copy of 8 bytes per later second).
type timeline struct {
	seconds []int64
	stale   int
	loading bool // appending in any order until loaded sorts (a reset)
}

func (t *timeline) add(sec int64) {
	n := len(t.seconds)
	if n == 0 || sec > t.seconds[n-1] || t.loading {
		t.seconds = append(t.seconds, sec)
		return
	}
	i, found := slices.BinarySearch(t.seconds, sec)
	if found {
		t.stale-- // a stale entry is live again
		return
	}
	t.seconds = slices.Insert(t.seconds, i, sec)
}

func (t *timeline) remove(sec int64, live func(int64) bool) {
	if n := len(t.seconds); n > 0 && t.seconds[n-1] == sec {
		t.seconds = t.seconds[:n-1]
		for n = len(t.seconds); n > 0 && !live(t.seconds[n-1]); n-- {
			t.seconds = t.seconds[:n-1]
			t.stale--
		}
	} else {
		t.stale++
	}
	if 2*t.stale > len(t.seconds) {
		t.seconds = slices.DeleteFunc(t.seconds, func(s int64) bool { return !live(s) })
		t.stale = 0
	}
}

// load starts a bulk load (the project file's users in any order);
// loaded ends it, sorting the seconds once.
func (x *userIndexes) load() { x.created.loading, x.modified.loading = true, true }

func (x *userIndexes) loaded() {
	for _, t := range []*timeline{&x.created, &x.modified} {
		slices.Sort(t.seconds)
		t.loading = false
	}
}

// between calls visit with each second in [from, to] (stale ones too)
// until visit returns false.
func (t *timeline) between(from, to int64, visit func(sec int64) bool) {
	i, _ := slices.BinarySearch(t.seconds, from)
	for ; i < len(t.seconds) && t.seconds[i] <= to; i++ {
		if !visit(t.seconds[i]) {
			return
		}
	}
}

// EmailKey is how emails are compared in search: case-insensitively (the
// email index's keys, and the user search's match in package mockidp).
func EmailKey(email string) string { return strings.ToLower(email) }
