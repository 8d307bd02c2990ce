package mockidp

// oidcState is the run-time state of user logins through the OAuth
// endpoints: outstanding authorization codes, refresh-token families and
// revoked access tokens, the queue of next logins and the login page.
type oidcState struct {
	codes  *authCodeStore
	ledger *tokenLedger
	queue  loginQueue
	page   loginPageCache
}

// resetOIDC forgets every code, token and queued login.
func (s *Server) resetOIDC() {
	if s.oidc.codes == nil {
		s.oidc.codes = newAuthCodeStore(s.clock.Now)
		s.oidc.ledger = newTokenLedger(s.clock.Now)
	}
	s.oidc.codes.clear()
	s.oidc.ledger.clear()
	s.oidc.queue.clear()
}
