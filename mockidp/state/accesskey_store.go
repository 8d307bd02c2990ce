package state

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
)

// ManagedKey is an access key created through the management API
// (/v1/mgmt/accesskey/*) for a service's own customers. Its cleartext is
// answered once, at creation; the store keeps only its SHA-256 digest.
type ManagedKey struct {
	ID               string
	Name             string
	Description      string
	Roles            []string
	Tenants          []UserTenant
	Active           bool
	CreatedTime      int64 // unix seconds of the mock's clock
	ExpireTime       int64 // unix seconds; 0 never
	BoundUserID      string
	CustomClaims     map[string]any
	PermittedIPs     []string
	CustomAttributes map[string]any

	digest [sha256.Size]byte
	size   int // bytes counted against MaxManagedKeyBytes
}

// accessKeyStore holds the managed access keys. Records are replaced, never
// changed in place: callers get copies that stay valid.
type accessKeyStore struct {
	mu       sync.RWMutex
	byID     map[string]*ManagedKey
	byDigest map[[sha256.Size]byte]string
	bytes    int
}

// Bounds of the managed access keys.
const (
	MaxManagedKeys     = 10_000
	MaxManagedKeyBytes = 16 << 20
)

// ManagedKeyBytes is what a key counts against MaxManagedKeyBytes: its JSON
// and a fixed overhead for the maps.
func managedKeyBytes(k *ManagedKey) int {
	b, _ := json.Marshal(k)
	return 256 + len(b)
}

func (st *accessKeyStore) resetLocked() {
	st.byID = map[string]*ManagedKey{}
	st.byDigest = map[[sha256.Size]byte]string{}
	st.bytes = 0
}

// newKeySecret is a new key ID ("K" and 27 letters and digits, as Descope's)
// and cleartext secret (48 letters and digits).
func newKeySecret() (id, secret string) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 27+48)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "K" + string(b[:27]), string(b[27:])
}

// create stores k with a new ID and secret and returns the cleartext.
func (st *accessKeyStore) create(k ManagedKey) (ManagedKey, string, error) {
	id, secret := newKeySecret()
	k.ID, k.digest = id, sha256.Sum256([]byte(secret))
	k.size = managedKeyBytes(&k)
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.byID) >= MaxManagedKeys {
		return ManagedKey{}, "", fmt.Errorf("%w: the mock holds at most %d managed access keys (MaxManagedKeys): delete one first", ErrManagedKeysFull, MaxManagedKeys)
	}
	if st.bytes+k.size > MaxManagedKeyBytes {
		return ManagedKey{}, "", fmt.Errorf("%w: the managed access keys would take over %d bytes (MaxManagedKeyBytes): delete some first", ErrManagedKeysFull, MaxManagedKeyBytes)
	}
	st.byID[k.ID] = &k
	st.byDigest[k.digest] = k.ID
	st.bytes += k.size
	return k, secret, nil
}

func (st *accessKeyStore) get(id string) (ManagedKey, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	k, ok := st.byID[id]
	if !ok {
		return ManagedKey{}, false
	}
	return *k, true
}

// find is the key whose secret this is (by its digest: a map lookup of a
// SHA-256 digest reveals nothing about the secrets held).
func (st *accessKeyStore) find(secret string) (ManagedKey, bool) {
	d := sha256.Sum256([]byte(secret))
	st.mu.RLock()
	defer st.mu.RUnlock()
	id, ok := st.byDigest[d]
	if !ok {
		return ManagedKey{}, false
	}
	return *st.byID[id], true
}

// update applies change to a copy of the key and stores it.
func (st *accessKeyStore) update(id string, change func(k *ManagedKey) error) (ManagedKey, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	old, ok := st.byID[id]
	if !ok {
		return ManagedKey{}, fmt.Errorf("%w: %q", ErrManagedKeyNotFound, truncate(id, 64))
	}
	k := *old
	k.Roles, k.Tenants, k.PermittedIPs = slices.Clone(k.Roles), slices.Clone(k.Tenants), slices.Clone(k.PermittedIPs)
	k.CustomClaims, k.CustomAttributes = maps.Clone(k.CustomClaims), maps.Clone(k.CustomAttributes)
	if err := change(&k); err != nil {
		return ManagedKey{}, err
	}
	k.size = managedKeyBytes(&k)
	if st.bytes-old.size+k.size > MaxManagedKeyBytes {
		return ManagedKey{}, fmt.Errorf("%w: the managed access keys would take over %d bytes (MaxManagedKeyBytes)", ErrManagedKeysFull, MaxManagedKeyBytes)
	}
	st.bytes += k.size - old.size
	st.byID[id] = &k
	return k, nil
}

func (st *accessKeyStore) remove(id string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	k, ok := st.byID[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrManagedKeyNotFound, truncate(id, 64))
	}
	delete(st.byID, id)
	delete(st.byDigest, k.digest)
	st.bytes -= k.size
	return nil
}

// list returns the keys sorted by ID.
func (st *accessKeyStore) list() []ManagedKey {
	st.mu.RLock()
	out := make([]ManagedKey, 0, len(st.byID))
	for _, k := range st.byID {
		out = append(out, *k)
	}
	st.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CreateManagedKey stores k under a new ID and secret and returns it with
// the cleartext secret (kept only as a digest); ErrManagedKeysFull at
// MaxManagedKeys or MaxManagedKeyBytes.
func (st *State) CreateManagedKey(k ManagedKey) (ManagedKey, string, error) {
	return st.managedKeys.create(k)
}

// ManagedKey returns a managed key by ID.
func (st *State) ManagedKey(id string) (ManagedKey, bool) { return st.managedKeys.get(id) }

// ManagedKeyBySecret is the managed key whose secret this is.
func (st *State) ManagedKeyBySecret(secret string) (ManagedKey, bool) {
	return st.managedKeys.find(secret)
}

// UpdateManagedKey applies change to a copy of the key id and stores it, in
// one step (change runs under the store's lock and must not call back
// into the State); ErrManagedKeyNotFound when there is none.
func (st *State) UpdateManagedKey(id string, change func(k *ManagedKey) error) (ManagedKey, error) {
	return st.managedKeys.update(id, change)
}

// RemoveManagedKey deletes a managed key; ErrManagedKeyNotFound when there is none.
func (st *State) RemoveManagedKey(id string) error { return st.managedKeys.remove(id) }

// ManagedKeys lists the managed keys, sorted by ID.
func (st *State) ManagedKeys() []ManagedKey { return st.managedKeys.list() }

// setActive sets the active flag of every key of ids, all or nothing: an ID
// of no key (ErrManagedKeyNotFound, naming ids[i]) changes none.
func (st *accessKeyStore) setActive(ids []string, active bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkIDsLocked(ids); err != nil {
		return err
	}
	changed := make(map[string]*ManagedKey, len(ids))
	delta := 0
	for _, id := range ids {
		old := st.byID[id]
		if _, twice := changed[id]; twice {
			continue
		}
		k := *old // records are replaced, never changed in place
		k.Active = active
		k.size = managedKeyBytes(&k)
		delta += k.size - old.size
		changed[id] = &k
	}
	if st.bytes+delta > MaxManagedKeyBytes {
		return fmt.Errorf("%w: the managed access keys would take over %d bytes (MaxManagedKeyBytes)", ErrManagedKeysFull, MaxManagedKeyBytes)
	}
	for id, k := range changed {
		st.byID[id] = k
	}
	st.bytes += delta
	return nil
}

// removeAll deletes every key of ids, all or nothing.
func (st *accessKeyStore) removeAll(ids []string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkIDsLocked(ids); err != nil {
		return err
	}
	for _, id := range ids {
		if k, ok := st.byID[id]; ok { // an ID listed twice is gone the second time
			delete(st.byID, id)
			delete(st.byDigest, k.digest)
			st.bytes -= k.size
		}
	}
	return nil
}

func (st *accessKeyStore) checkIDsLocked(ids []string) error {
	for i, id := range ids {
		if _, ok := st.byID[id]; !ok {
			return fmt.Errorf("ids[%d]: %w: %q", i, ErrManagedKeyNotFound, truncate(id, 64))
		}
	}
	return nil
}

// rotate gives the key a new secret and returns it with the cleartext; the
// old secret is forgotten at once. Only an active key that has not expired
// at now (Unix seconds) rotates (ErrManagedKeyNotRotatable).
func (st *accessKeyStore) rotate(id string, now int64) (ManagedKey, string, error) {
	_, secret := newKeySecret()
	st.mu.Lock()
	defer st.mu.Unlock()
	old, ok := st.byID[id]
	switch {
	case !ok:
		return ManagedKey{}, "", fmt.Errorf("%w: %q", ErrManagedKeyNotFound, truncate(id, 64))
	case !old.Active:
		return ManagedKey{}, "", fmt.Errorf("%w: it is deactivated (activate it first)", ErrManagedKeyNotRotatable)
	case old.ExpireTime != 0 && now >= old.ExpireTime:
		return ManagedKey{}, "", fmt.Errorf("%w: it has expired", ErrManagedKeyNotRotatable)
	}
	k := *old
	k.digest = sha256.Sum256([]byte(secret))
	delete(st.byDigest, old.digest)
	st.byDigest[k.digest] = id
	st.byID[id] = &k
	return k, secret, nil
}

// SetManagedKeysActive activates or deactivates every key of ids, all or
// nothing (ErrManagedKeyNotFound naming the first unknown ID).
func (st *State) SetManagedKeysActive(ids []string, active bool) error {
	return st.managedKeys.setActive(ids, active)
}

// RemoveManagedKeys deletes every key of ids, all or nothing.
func (st *State) RemoveManagedKeys(ids []string) error { return st.managedKeys.removeAll(ids) }

// RotateManagedKey gives an active, unexpired key a new secret, answered
// once as cleartext; the old secret stops exchanging at once. Failures:
// ErrManagedKeyNotFound, ErrManagedKeyNotRotatable.
func (st *State) RotateManagedKey(id string) (ManagedKey, string, error) {
	return st.managedKeys.rotate(id, st.now().Unix())
}
