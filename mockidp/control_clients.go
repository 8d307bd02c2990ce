package mockidp

import (
	"net/http"
)

// Clients lists the clients, sorted by ID.
func (s *Server) Clients() []Client { return s.state.Clients() }

// AddClient adds or replaces a client.
func (s *Server) AddClient(c Client) error {
	_, err := s.putClient(c)
	return err
}

// putClient adds or replaces a client and says whether it replaced one.
func (s *Server) putClient(c Client) (replaced bool, err error) {
	if err := c.Validate(""); err != nil {
		return false, controlError(err)
	}
	if replaced, err = s.state.PutClient(c); err != nil {
		return false, controlError(err)
	}
	s.discovery.clear()
	return replaced, nil
}

// RemoveClient removes a client.
func (s *Server) RemoveClient(id string) error {
	if err := s.state.RemoveClient(id); err != nil {
		return mockNotFound("client %q not found", truncate(id, 64))
	}
	s.discovery.clear()
	return nil
}

// AccessKeys lists the access keys, sorted by ID.
func (s *Server) AccessKeys() []AccessKey { return s.state.AccessKeys() }

// AddAccessKey adds or replaces an access key.
func (s *Server) AddAccessKey(k AccessKey) error {
	_, err := s.putAccessKey(k)
	return err
}

// putAccessKey adds or replaces an access key and says whether it replaced one.
func (s *Server) putAccessKey(k AccessKey) (replaced bool, err error) {
	if err := k.Validate(""); err != nil {
		return false, controlError(err)
	}
	if replaced, err = s.state.PutAccessKey(k); err != nil {
		return false, controlError(err)
	}
	return replaced, nil
}

// RemoveAccessKey removes an access key.
func (s *Server) RemoveAccessKey(id string) error {
	if err := s.state.RemoveAccessKey(id); err != nil {
		return mockNotFound("access key %q not found", truncate(id, 64))
	}
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
	c, ok := s.state.Client(clientID)
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
