package mockidp

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

// KeysState describes the signing keys (wire type of GET /_mock/keys).
type KeysState struct {
	Current     string   `json:"current"`
	Published   []string `json:"published"`
	Revoked     []string `json:"revoked"`
	Rotations   uint64   `json:"rotations"`
	Keep        int      `json:"keep"`
	RotateEvery Duration `json:"rotate_every"`
}

// KeysState reports the current, published and revoked key IDs.
func (s *Server) KeysState() KeysState {
	snap := s.keys.Snapshot()
	return KeysState{
		Current:     snap.Current,
		Published:   snap.Kids,
		Revoked:     append([]string{}, s.keys.Revoked()...),
		Rotations:   s.keys.Rotations(),
		Keep:        s.project.Keys.Keep,
		RotateEvery: s.project.Keys.RotateEvery,
	}
}

// RotateKeys rotates the signing key n times now.
func (s *Server) RotateKeys(n int) error {
	if n < 1 || n > 1000 {
		return mockBadRequest("count must be between 1 and 1000")
	}
	return s.keys.Rotate(n)
}

// RevokeKey removes a published key from the key set at once (rotating first
// when it is the current key).
func (s *Server) RevokeKey(kid string) error {
	if err := s.keys.Revoke(kid); err != nil {
		if errors.Is(err, keys.ErrUnknownKey) {
			return mockNotFound("kid %q is not a published key", truncate(kid, 64))
		}
		return err
	}
	return nil
}

// Clients lists the clients, sorted by ID.
func (s *Server) Clients() []Client {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddClient adds or replaces a client.
func (s *Server) AddClient(c Client) error {
	_, err := s.putClient(c)
	return err
}

// putClient adds or replaces a client and says whether it replaced one.
func (s *Server) putClient(c Client) (replaced bool, err error) {
	if err := c.validate(""); err != nil {
		return false, fieldError(err)
	}
	s.mu.Lock()
	_, replaced = s.clients[c.ID]
	s.clients[c.ID] = c
	s.mu.Unlock()
	s.discovery.clear()
	return replaced, nil
}

// fieldError turns a validation error of a client or access key given at
// run time into a 400 naming the JSON field (not a project-file position).
func fieldError(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return mockBadRequest("%s: %s", strings.TrimPrefix(ce.Field, "."), ce.Reason)
	}
	return mockBadRequest("%v", err)
}

// RemoveClient removes a client.
func (s *Server) RemoveClient(id string) error {
	s.mu.Lock()
	_, ok := s.clients[id]
	delete(s.clients, id)
	s.mu.Unlock()
	if !ok {
		return mockNotFound("client %q not found", truncate(id, 64))
	}
	s.discovery.clear()
	return nil
}

// AccessKeys lists the access keys, sorted by ID.
func (s *Server) AccessKeys() []AccessKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]AccessKey, 0, len(s.accessKeys))
	for _, k := range s.accessKeys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddAccessKey adds or replaces an access key.
func (s *Server) AddAccessKey(k AccessKey) error {
	_, err := s.putAccessKey(k)
	return err
}

// putAccessKey adds or replaces an access key and says whether it replaced one.
func (s *Server) putAccessKey(k AccessKey) (replaced bool, err error) {
	if err := k.validate(""); err != nil {
		return false, fieldError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, other := range s.accessKeys {
		if id != k.ID && other.Secret == k.Secret {
			return false, mockBadRequest("another access key has the same secret")
		}
	}
	_, replaced = s.accessKeys[k.ID]
	s.accessKeys[k.ID] = k
	return replaced, nil
}

// RemoveAccessKey removes an access key.
func (s *Server) RemoveAccessKey(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accessKeys[id]; !ok {
		return mockNotFound("access key %q not found", truncate(id, 64))
	}
	delete(s.accessKeys, id)
	return nil
}

// ClientToken issues a client-credentials token as the token endpoint would,
// with the client's default scopes, for the issuer base of the configured
// public URL (or base when given).
func (s *Server) ClientToken(clientID, base string) (string, error) {
	if base == "" {
		base = s.cfg.PublicURL
	}
	if base == "" {
		base = "http://localhost"
	}
	s.mu.RLock()
	c, ok := s.clients[clientID]
	s.mu.RUnlock()
	if !ok {
		return "", mockNotFound("client %q not found", truncate(clientID, 64))
	}
	resp, err := s.issueClientToken(c, tokenRequest{GrantType: "client_credentials", ClientID: c.ID, ClientSecret: c.Secret},
		s.issuer(s.project.IssuerForm, base))
	return resp.AccessToken, err
}

// SetClock moves the mock's clock to t (frozen there when freeze is true).
func (s *Server) SetClock(t time.Time, freeze bool) { s.clock.Set(t, freeze) }

func (p *Project) clone() *Project {
	c := *p
	c.Clients = append([]Client(nil), p.Clients...)
	c.AccessKeys = append([]AccessKey(nil), p.AccessKeys...)
	c.Keys.PEMFiles = append([]string(nil), p.Keys.PEMFiles...)
	c.Directory = p.Directory.clone()
	return &c
}
