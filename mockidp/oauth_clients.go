package mockidp

// oauthClient looks a client up for the authorization endpoint.
func (s *Server) oauthClient(id string) (oauthClient, bool) {
	c, ok := s.userClient(id)
	if !ok {
		return oauthClient{}, false
	}
	return oauthClient{ID: c.ID, Public: c.Public, RedirectURIs: c.RedirectURIs, Scopes: c.Scopes,
		RequireState: c.RequireState, RequireNonce: c.RequireNonce}, true
}
