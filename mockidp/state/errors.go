package state

import "errors"

// ErrLimit is what every store's "full" sentinel is (errors.Is): the store
// holds as much as its count or byte limit allows and refuses a new entry.
// Package mockidp answers it 409 (M000409) naming the limit.
var ErrLimit = errors.New("limit reached")

// limitError is a store's "full" sentinel: errors.Is(err, ErrLimit) holds.
type limitError struct{ msg string }

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Is(target error) bool { return target == ErrLimit }

// newLimit returns a store's "full" sentinel.
func newLimit(msg string) error { return &limitError{msg} }

// The sentinels of each store and operation. Package mockidp maps each to
// an HTTP status and a Descope or OAuth error code in one place
// (mockidp/state_errors.go); wrapped ones carry detail after a colon.
var (
	// Users (users.go).
	ErrUserExists    = errors.New("user already exists")
	ErrLoginIDTaken  = errors.New("login ID is another user's")
	ErrUserNotFound  = errors.New("user not found")
	ErrTestUserLimit = errors.New("test users limit exceeded")
	ErrRoleNotFound  = errors.New("role not found")
	ErrUserTooLarge  = errors.New("user is too large")
	ErrUserLimit     = newLimit("user limit reached")
	ErrUsersFull     = newLimit("users take too many bytes")

	// Role, tenant and permission definitions (directory_defs.go,
	// permission_store.go).
	ErrRoleExists          = errors.New("role already exists")
	ErrTenantExists        = errors.New("tenant already exists")
	ErrTenantNotFound      = errors.New("tenant not found")
	ErrPermissionExists    = errors.New("permission already exists")
	ErrPermissionNotFound  = errors.New("permission not found")
	ErrPermissionUndefined = errors.New("not a defined permission")
	ErrDefsFull            = newLimit("definitions limit reached")

	// Pending OTP codes and links (codes.go).
	ErrCodeWrong      = errors.New("wrong code")
	ErrCodeExpired    = errors.New("code expired")
	ErrCodeAttempts   = errors.New("too many attempts")
	ErrCodeUnknown    = errors.New("unknown or used code")
	ErrCodePending    = errors.New("enchanted link not verified yet")
	ErrTooManyPending = newLimit("too many pending codes")
	ErrPendingBytes   = newLimit("pending codes too large")

	// Descope sessions (sessions.go): the store holds MaxSessions refresh
	// tokens (or MaxSessionBytes), none of them expired or ended.
	ErrSessionLimit = newLimit("session limit reached")

	// Authorization codes (authcodes.go): each an invalid_grant to the
	// client, but the limit.
	ErrAuthCodeUnknown  = errors.New("authorization code is not known")
	ErrAuthCodeExpired  = errors.New("authorization code has expired")
	ErrAuthCodeReused   = errors.New("authorization code was already used; the tokens issued with it are revoked")
	ErrAuthCodeClient   = errors.New("authorization code was issued to another client")
	ErrAuthCodeRedirect = errors.New("redirect_uri differs from the one in the authorization request")
	ErrAuthCodeVerifier = errors.New("code_verifier does not match the code_challenge")
	ErrAuthCodeNoPKCE   = errors.New("code_verifier was sent but the authorization request had no code_challenge")
	ErrAuthCodeNeedPKCE = errors.New("code_verifier is required: the authorization request had a code_challenge")
	ErrAuthCodeUser     = errors.New("the user of this code no longer exists")
	ErrAuthCodeDisabled = errors.New("the user of this code is disabled")
	ErrAuthCodesFull    = newLimit("too many outstanding authorization codes (MaxAuthorizationCodes, MaxAuthorizationCodeBytes)")

	// OAuth refresh-token families (families.go): each an invalid_grant to
	// the client, but the limits.
	ErrRefreshUnknown  = errors.New("refresh token is not known")
	ErrRefreshRevoked  = errors.New("refresh token has been revoked")
	ErrRefreshRotated  = errors.New("refresh token was rotated away and reused; its family is revoked")
	ErrRefreshClient   = errors.New("refresh token was issued to another client")
	ErrRefreshExpired  = errors.New("refresh token has expired")
	ErrRefreshUser     = errors.New("the user of this refresh token no longer exists")
	ErrRefreshDisabled = errors.New("the user of this refresh token is disabled")
	ErrRefreshFull     = newLimit("too many refresh-token families (MaxRefreshFamilies, MaxRefreshFamilyBytes)")
	ErrFamilyFull      = newLimit("the refresh token's family holds as many unexpired access tokens as it may (MaxFamilyTokens)")
	ErrRevokedFull     = newLimit("too many revoked access tokens not yet expired (MaxRevokedAccessTokens)")

	// Flow executions (flow_store.go).
	ErrFlowExecutionUnknown = errors.New("unknown flow execution")
	ErrFlowExecutionExpired = errors.New("flow execution expired")
	ErrFlowStepStale        = errors.New("flow step is not the current one")
	ErrFlowExecutionsFull   = newLimit("too many flow executions")
	ErrFlowExecutionBytes   = newLimit("flow executions too large")

	// The login queue (logins.go) and the outbox (outbox.go).
	ErrLoginsFull = newLimit("login queue full")
	ErrOutboxFull = newLimit("outbox full")

	// Access keys of the management API (accesskey_store.go).
	ErrManagedKeyNotFound     = errors.New("access key not found")
	ErrManagedKeyNotRotatable = errors.New("the access key cannot be rotated")
	ErrManagedKeysFull        = newLimit("access keys limit reached")

	// Clients and access keys (clients.go).
	ErrClientNotFound    = errors.New("client not found")
	ErrAccessKeyNotFound = errors.New("access key not found")
	ErrSecretTaken       = errors.New("another access key has the same secret")
	ErrClientLimit       = newLimit("client limit reached")
	ErrAccessKeyLimit    = newLimit("access key limit reached")
)
