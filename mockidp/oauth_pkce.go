package mockidp

import "github.com/descope-harness/harness/mockidp/state"

// PKCE (RFC 7636) checks live with the authorization codes they bind
// (mockidp/state/pkce.go); these names keep the handlers short.
var (
	validS256Challenge = state.ValidS256Challenge
	s256Challenge      = state.S256Challenge
	verifyS256         = state.VerifyS256
)
