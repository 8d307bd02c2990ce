package mockidp

import (
	"errors"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/keys"
)

// sign signs claims with key (package issue); a token over MaxTokenBytes is
// a 400 naming the limit.
func (s *Server) sign(key *keys.Key, claims Claims) (string, error) {
	t, err := s.signer.Sign(key, claims)
	if tl, ok := errors.AsType[*issue.TooLargeError](err); ok {
		return "", badRequest("%s", tl.Error())
	}
	return t, err
}

// VerifyToken checks a token's RS256 signature against the published keys
// and its exp/nbf against the mock's clock, and returns its claims
// (issue.Verify).
func (s *Server) VerifyToken(token string) (map[string]any, error) {
	return issue.Verify(s.keys, s.clock.Now(), token)
}
