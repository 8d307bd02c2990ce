package state

import (
	"cmp"
	"crypto/subtle"
	"slices"
	"sync"

	"github.com/descope-harness/harness/mockidp/project"
)

// clientStore holds the OAuth clients and the access keys (the project
// file's, plus those added at run time), at most project.MaxClients and
// project.MaxAccessKeys. Its read lock is on the client-credentials path:
// every operation is a map lookup or linear in the entries.
type clientStore struct {
	mu         sync.RWMutex
	clients    map[string]Client
	accessKeys map[string]AccessKey
}

func (c *clientStore) resetLocked(p *project.Project) {
	c.clients = make(map[string]Client, len(p.Clients))
	for _, cl := range p.Clients {
		c.clients[cl.ID] = cl
	}
	c.accessKeys = make(map[string]AccessKey, len(p.AccessKeys))
	for _, k := range p.AccessKeys {
		c.accessKeys[k.ID] = k
	}
}

// Client returns a client by ID.
func (st *State) Client(id string) (Client, bool) {
	st.clients.mu.RLock()
	c, ok := st.clients.clients[id]
	st.clients.mu.RUnlock()
	return c, ok
}

// Clients lists the clients, sorted by ID.
func (st *State) Clients() []Client {
	st.clients.mu.RLock()
	out := make([]Client, 0, len(st.clients.clients))
	for _, c := range st.clients.clients {
		out = append(out, c)
	}
	st.clients.mu.RUnlock()
	slices.SortFunc(out, func(a, b Client) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// PutClient adds or replaces a client (validated by the caller) and says
// whether it replaced one; ErrClientLimit past project.MaxClients.
func (st *State) PutClient(c Client) (replaced bool, err error) {
	st.clients.mu.Lock()
	defer st.clients.mu.Unlock()
	_, replaced = st.clients.clients[c.ID]
	if !replaced && len(st.clients.clients) >= project.MaxClients {
		return false, ErrClientLimit
	}
	st.clients.clients[c.ID] = c
	return replaced, nil
}

// RemoveClient removes a client; ErrClientNotFound when there is none.
func (st *State) RemoveClient(id string) error {
	st.clients.mu.Lock()
	defer st.clients.mu.Unlock()
	if _, ok := st.clients.clients[id]; !ok {
		return ErrClientNotFound
	}
	delete(st.clients.clients, id)
	return nil
}

// AccessKeys lists the access keys, sorted by ID.
func (st *State) AccessKeys() []AccessKey {
	st.clients.mu.RLock()
	out := make([]AccessKey, 0, len(st.clients.accessKeys))
	for _, k := range st.clients.accessKeys {
		out = append(out, k)
	}
	st.clients.mu.RUnlock()
	slices.SortFunc(out, func(a, b AccessKey) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// AccessKeyBySecret finds the access key of a secret, comparing against
// every key's secret in constant time.
func (st *State) AccessKeyBySecret(secret string) (AccessKey, bool) {
	st.clients.mu.RLock()
	defer st.clients.mu.RUnlock()
	var found AccessKey
	ok := false
	for _, k := range st.clients.accessKeys {
		if subtle.ConstantTimeCompare([]byte(secret), []byte(k.Secret)) == 1 {
			found, ok = k, true
		}
	}
	return found, ok
}

// PutAccessKey adds or replaces an access key (validated by the caller)
// and says whether it replaced one: ErrSecretTaken when another key has
// its secret, ErrAccessKeyLimit past project.MaxAccessKeys.
func (st *State) PutAccessKey(k AccessKey) (replaced bool, err error) {
	st.clients.mu.Lock()
	defer st.clients.mu.Unlock()
	for id, other := range st.clients.accessKeys {
		if id != k.ID && other.Secret == k.Secret {
			return false, ErrSecretTaken
		}
	}
	_, replaced = st.clients.accessKeys[k.ID]
	if !replaced && len(st.clients.accessKeys) >= project.MaxAccessKeys {
		return false, ErrAccessKeyLimit
	}
	st.clients.accessKeys[k.ID] = k
	return replaced, nil
}

// RemoveAccessKey removes an access key; ErrAccessKeyNotFound when there is none.
func (st *State) RemoveAccessKey(id string) error {
	st.clients.mu.Lock()
	defer st.clients.mu.Unlock()
	if _, ok := st.clients.accessKeys[id]; !ok {
		return ErrAccessKeyNotFound
	}
	delete(st.clients.accessKeys, id)
	return nil
}
