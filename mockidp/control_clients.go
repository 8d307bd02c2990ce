package mockidp

import (
	"errors"
	"net/http"
	"sort"
	"strings"
)

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
	if err := c.Validate(""); err != nil {
		return false, fieldError(err)
	}
	s.mu.Lock()
	_, replaced = s.clients[c.ID]
	if !replaced && len(s.clients) >= MaxClients {
		s.mu.Unlock()
		return false, atCapacity("clients", MaxClients, "remove one with DELETE /_mock/clients/{id}")
	}
	s.clients[c.ID] = c
	s.mu.Unlock()
	s.discovery.clear()
	return replaced, nil
}

// fieldError turns a validation error of a client or access key given at
// run time into a 400 naming the JSON field (not a project-file position).
func fieldError(err error) error {
	if errors.Is(err, errUserLimit) {
		return atCapacity("users", MaxUsers, "remove one with DELETE /_mock/users/{id}")
	}
	if errors.Is(err, errUsersFull) {
		return usersFull(err)
	}
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
	if err := k.Validate(""); err != nil {
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
	if !replaced && len(s.accessKeys) >= MaxAccessKeys {
		return false, atCapacity("access keys", MaxAccessKeys, "remove one with DELETE /_mock/access-keys/{id}")
	}
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

func (s *Server) ctlClients(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodGet {
		list := s.Clients()
		for i := range list {
			list[i].Secret = ""
		}
		return writeJSON(w, http.StatusOK, map[string]any{"clients": list}), nil
	}
	var c Client
	if err := s.decodeBody(w, r, &c, false); err != nil {
		return 0, err
	}
	replaced, err := s.putClient(c)
	if err != nil {
		return 0, err
	}
	c.Secret = ""
	return writeJSON(w, createdOrReplaced(replaced), c), nil
}

func (s *Server) ctlRemoveClient(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.RemoveClient(r.PathValue("id")); err != nil {
		return 0, err
	}
	return noContent(w)
}

func (s *Server) ctlAccessKeys(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodGet {
		list := s.AccessKeys()
		for i := range list {
			list[i].Secret = ""
		}
		return writeJSON(w, http.StatusOK, map[string]any{"access_keys": list}), nil
	}
	var k AccessKey
	if err := s.decodeBody(w, r, &k, false); err != nil {
		return 0, err
	}
	replaced, err := s.putAccessKey(k)
	if err != nil {
		return 0, err
	}
	k.Secret = ""
	return writeJSON(w, createdOrReplaced(replaced), k), nil
}

func (s *Server) ctlRemoveAccessKey(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.RemoveAccessKey(r.PathValue("id")); err != nil {
		return 0, err
	}
	return noContent(w)
}

// createdOrReplaced is the status of a POST that adds or replaces by ID:
// 201 for a new one, 200 when one with that ID was replaced.
func createdOrReplaced(replaced bool) int {
	if replaced {
		return http.StatusOK
	}
	return http.StatusCreated
}
