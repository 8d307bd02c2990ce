package mockidp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/project"
	"github.com/descope-harness/harness/mockidp/state"
)

// AuthorizationCodeTTL is how long an authorization code can be exchanged,
// on the mock's clock (state.AuthorizationCodeTTL).
const AuthorizationCodeTTL = state.AuthorizationCodeTTL

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
	// The run-time stores' limits (package state, which documents each).
	MaxSessions               = state.MaxSessions
	MaxSessionBytes           = state.MaxSessionBytes
	MaxAuthorizationCodes     = state.MaxAuthorizationCodes
	MaxAuthorizationCodeBytes = state.MaxAuthorizationCodeBytes
	MaxRefreshFamilies        = state.MaxRefreshFamilies
	MaxRefreshFamilyBytes     = state.MaxRefreshFamilyBytes
	MaxFamilyTokens           = state.MaxFamilyTokens
	MaxRevokedAccessTokens    = state.MaxRevokedAccessTokens
	MaxQueuedLogins           = state.MaxQueuedLogins
	MaxUserBytes              = state.MaxUserBytes
	MaxUserLoginIDs           = state.MaxUserLoginIDs
	MaxDirectoryBytes         = state.MaxDirectoryBytes
	MaxPendingCodes           = state.MaxPendingCodes
	MaxPendingCodeBytes       = state.MaxPendingCodeBytes
	MaxOutboxMessages         = state.MaxOutboxMessages
	MaxOutboxBytes            = state.MaxOutboxBytes
	MaxRoles                  = state.MaxRoles
	MaxRoleBytes              = state.MaxRoleBytes
	MaxTenants                = state.MaxTenants
	MaxTenantBytes            = state.MaxTenantBytes
	MaxPermissions            = state.MaxPermissions
	MaxPermissionBytes        = state.MaxPermissionBytes
	MaxFlowExecutions         = state.MaxFlowExecutions
	MaxFlowExecutionBytes     = state.MaxFlowExecutionBytes
	MaxManagedKeys            = state.MaxManagedKeys
	MaxManagedKeyBytes        = state.MaxManagedKeyBytes
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
