package mockidp

import (
	"fmt"
	"net/http"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/project"
)

// Bounds on what a caller can make the mock hold or emit (README, "Limits").
// Each refusal names its limit.
const (
	// MaxFaults is the most faults in force at once.
	MaxFaults = 100
	// MaxClients, MaxAccessKeys, MaxClaimsBytes, MaxUsers and
	// MaxProjectFileBytes bound the configuration (package project).
	MaxClients          = project.MaxClients
	MaxAccessKeys       = project.MaxAccessKeys
	MaxClaimsBytes      = project.MaxClaimsBytes
	MaxUsers            = project.MaxUsers
	MaxProjectFileBytes = project.MaxProjectFileBytes
	// MaxTokenBytes is the longest token the mock issues or mints, the
	// largest the API accepts (its token_too_large limit).
	MaxTokenBytes = issue.MaxTokenBytes
	// MaxSessions bounds the refresh tokens the mock remembers (live, or
	// ended but not yet forgotten): twice the 100,000 live sessions of the
	// memory benchmark. At the limit expired and ended ones are forgotten
	// first; a login is refused only when every one held is live.
	MaxSessions = 200_000
)

// CodeMockLimit: the control plane holds as many of something as it will.
const CodeMockLimit = "M000409"

// atCapacity is the 409 for adding past a count limit.
func atCapacity(what string, limit int, hint string) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeMockLimit, Description: "Limit reached",
		Message: fmt.Sprintf("the mock holds at most %d %s (%s)", limit, what, hint)}
}
