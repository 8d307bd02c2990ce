package mockidp

import (
	"encoding/json"
	"errors"
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
	// MaxSessionBytes bounds the bytes the remembered refresh tokens take
	// (an estimate: 160 bytes each plus their user ID, tenant and custom
	// claims as JSON): with MaxClaimsBytes of custom claims each, 4,000 of
	// them fill it.
	MaxSessionBytes = 64 << 20
	// MaxAuthorizationCodes and MaxAuthorizationCodeBytes bound the
	// authorization codes outstanding (an estimate: 256 bytes each plus what
	// the login granted: redirect URI, scopes, nonce, challenge, amr). At the
	// limit expired and used codes are forgotten first.
	MaxAuthorizationCodes     = 100_000
	MaxAuthorizationCodeBytes = 64 << 20
	// MaxRefreshFamilies and MaxRefreshFamilyBytes bound the OAuth
	// refresh-token families (an estimate: 256 bytes each plus the grant and
	// the digests of its tokens). At the limit expired and revoked families
	// are forgotten first.
	MaxRefreshFamilies    = 100_000
	MaxRefreshFamilyBytes = 64 << 20
	// MaxFamilyTokens bounds the refresh and access tokens one family
	// remembers: the newest refresh tokens (older rotated-away ones are then
	// unknown rather than reused) and the access tokens not yet expired.
	MaxFamilyTokens = 64
	// MaxRevokedAccessTokens bounds the access tokens revoked one by one
	// (RFC 7009) and not yet expired.
	MaxRevokedAccessTokens = 100_000
	// MaxQueuedLogins bounds the queue of next logins (POST /_mock/logins).
	MaxQueuedLogins = 1000
	// MaxUserBytes bounds one user as JSON (login IDs, names, custom
	// attributes, roles, tenants); MaxUserLoginIDs its login IDs;
	// MaxDirectoryBytes all users together.
	MaxUserBytes      = 16 << 10
	MaxUserLoginIDs   = 100
	MaxDirectoryBytes = 64 << 20
	// MaxLoginPageUsers is how many users the login page lists (by login
	// ID); the others log in by typing their login ID.
	MaxLoginPageUsers = 100
)

// CodeMockLimit: the control plane holds as many of something as it will.
const CodeMockLimit = "M000409"

// atCapacity is the 409 for adding past a count limit.
func atCapacity(what string, limit int, hint string) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeMockLimit, Description: "Limit reached",
		Message: fmt.Sprintf("the mock holds at most %d %s (%s)", limit, what, hint)}
}

// errClaimsTooLarge: custom claims longer than MaxClaimsBytes as JSON.
var errClaimsTooLarge = errors.New("custom claims are too large")

// customClaimsBytes is the length of custom claims as JSON (0 for none),
// errClaimsTooLarge past MaxClaimsBytes.
func customClaimsBytes(custom map[string]any) (int, error) {
	if len(custom) == 0 {
		return 0, nil
	}
	b, err := json.Marshal(custom)
	if err != nil {
		return 0, err
	}
	if len(b) > MaxClaimsBytes {
		return len(b), fmt.Errorf("%w: %d bytes as JSON, over the limit of %d (MaxClaimsBytes)", errClaimsTooLarge, len(b), MaxClaimsBytes)
	}
	return len(b), nil
}

// usersFull is the 409 for a user past MaxDirectoryBytes.
func usersFull(err error) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeMockLimit, Description: "Limit reached", Message: err.Error()}
}
