package mockidp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/descope-harness/harness/mockidp/state"
)

// The one place where the state's domain errors (mockidp/state/errors.go)
// become HTTP answers: stateError for the Descope and OAuth surfaces,
// controlError for the control plane (M-codes for what the caller got
// wrong). Every full store is a 409 (M000409) naming its limit on both.

// stateError maps a state error to the Descope surface's answer (an OAuth
// error body for the authorization codes and refresh tokens); a validation
// failure of a user names the request field. Other errors pass unchanged.
func stateError(err error) error {
	if errors.Is(err, state.ErrLimit) {
		return limitError(err)
	}
	switch {
	// Users.
	case errors.Is(err, state.ErrUserExists), errors.Is(err, state.ErrLoginIDTaken):
		return descopeError(http.StatusBadRequest, CodeUserExists, "User already exists", "%v", err)
	case errors.Is(err, state.ErrUserTooLarge):
		return invalidArgument("%v", err)
	case errors.Is(err, state.ErrTestUserLimit):
		return descopeError(http.StatusBadRequest, CodeTestUserLimit, "Test users limit exceeded", "%v", err)
	case errors.Is(err, state.ErrUserNotFound):
		return descopeError(http.StatusBadRequest, CodeMgmtUserNotFound, "User not found", "user not found")
	// Role, tenant and permission definitions.
	case errors.Is(err, state.ErrRoleExists), errors.Is(err, state.ErrTenantExists), errors.Is(err, state.ErrPermissionExists):
		return descopeError(http.StatusConflict, CodeConflict, "Already exists", "%v", err)
	case errors.Is(err, state.ErrRoleNotFound), errors.Is(err, state.ErrTenantNotFound), errors.Is(err, state.ErrPermissionNotFound):
		return invalidArgument("%v", err)
	case errors.Is(err, state.ErrPermissionUndefined):
		return invalidArgument("permissionNames: %v: create it with /v1/mgmt/permission/create", err)
	// Access keys of the management API.
	case errors.Is(err, state.ErrManagedKeyNotFound), errors.Is(err, state.ErrManagedKeyNotRotatable):
		return invalidArgument("%v", err)
	// Flow executions.
	case errors.Is(err, state.ErrFlowExecutionUnknown):
		return flowExecutionError("no running execution of that ID: unknown, forged or ended")
	case errors.Is(err, state.ErrFlowExecutionExpired):
		return descopeError(http.StatusBadRequest, CodeFlowTimedOut, "Flow timed out", "the flow execution expired (flow_settings.execution_ttl on the mock's clock): start again")
	case errors.Is(err, state.ErrFlowStepStale):
		return descopeError(http.StatusBadRequest, CodeFlowStep, "Flow step not found", "the execution moved on meanwhile: a replayed or concurrent request")
	// Pending codes and links.
	case errors.Is(err, state.ErrCodeWrong):
		return descopeError(http.StatusUnauthorized, CodeWrongOTP, "Wrong OTP code", "the code is wrong")
	case errors.Is(err, state.ErrCodeAttempts):
		return descopeError(http.StatusUnauthorized, CodeOTPAttempts, "Too many OTP attempts", "too many wrong codes: generate a new one")
	case errors.Is(err, state.ErrCodeExpired):
		return descopeError(http.StatusUnauthorized, CodeWrongOTP, "Code expired", "the code or link has expired")
	case errors.Is(err, state.ErrCodeUnknown):
		return invalidToken("unknown or already used code or link")
	case errors.Is(err, state.ErrCodePending):
		return descopeError(http.StatusUnauthorized, CodePendingLink, "Enchanted link pending", "the enchanted link has not been verified yet")
	// Authorization codes and refresh-token families: RFC 6749 §5.2.
	case errors.Is(err, state.ErrAuthCodeUnknown), errors.Is(err, state.ErrAuthCodeExpired), errors.Is(err, state.ErrAuthCodeReused),
		errors.Is(err, state.ErrAuthCodeClient), errors.Is(err, state.ErrAuthCodeRedirect), errors.Is(err, state.ErrAuthCodeVerifier),
		errors.Is(err, state.ErrAuthCodeNoPKCE), errors.Is(err, state.ErrAuthCodeNeedPKCE), errors.Is(err, state.ErrAuthCodeUser),
		errors.Is(err, state.ErrAuthCodeDisabled), errors.Is(err, state.ErrRefreshDisabled),
		errors.Is(err, state.ErrRefreshUnknown), errors.Is(err, state.ErrRefreshRevoked), errors.Is(err, state.ErrRefreshRotated),
		errors.Is(err, state.ErrRefreshClient), errors.Is(err, state.ErrRefreshExpired), errors.Is(err, state.ErrRefreshUser):
		return invalidGrant("%v", err)
	}
	if ce, ok := errors.AsType[*ConfigError](err); ok {
		return invalidArgument("%s: %s", strings.TrimPrefix(ce.Field, "."), ce.Reason)
	}
	return err
}

// controlError maps a state error, or a validation failure of a client,
// access key, user or role given at run time, to the control plane's
// answer: a 400 naming the JSON field, a 404, or the limit's 409.
func controlError(err error) error {
	if errors.Is(err, state.ErrLimit) {
		return limitError(err)
	}
	switch {
	case errors.Is(err, state.ErrUserNotFound):
		return mockNotFound("user not found")
	case errors.Is(err, state.ErrRoleNotFound):
		return mockNotFound("role not found")
	case errors.Is(err, state.ErrClientNotFound):
		return mockNotFound("client not found")
	case errors.Is(err, state.ErrAccessKeyNotFound):
		return mockNotFound("access key not found")
	}
	if ce, ok := errors.AsType[*ConfigError](err); ok {
		return mockBadRequest("%s: %s", strings.TrimPrefix(ce.Field, "."), ce.Reason)
	}
	return mockBadRequest("%v", err)
}

// limitError is the 409 of a full store, naming its limit and what frees
// room.
func limitError(err error) *Error {
	var msg string
	switch {
	case errors.Is(err, state.ErrUserLimit):
		return atCapacity("users", MaxUsers, "MaxUsers: remove one with DELETE /_mock/users/{id} or POST /v1/mgmt/user/delete")
	case errors.Is(err, state.ErrClientLimit):
		return atCapacity("clients", MaxClients, "remove one with DELETE /_mock/clients/{id}")
	case errors.Is(err, state.ErrAccessKeyLimit):
		return atCapacity("access keys", MaxAccessKeys, "remove one with DELETE /_mock/access-keys/{id}")
	case errors.Is(err, state.ErrLoginsFull):
		return atCapacity("queued logins", MaxQueuedLogins, "MaxQueuedLogins: DELETE /_mock/logins empties the queue")
	case errors.Is(err, state.ErrTooManyPending):
		return atCapacity("pending codes and links", MaxPendingCodes, "use or let some expire, or reset")
	case errors.Is(err, state.ErrFamilyFull):
		return atCapacity("unexpired access tokens in one refresh-token family", MaxFamilyTokens, "MaxFamilyTokens: let some expire")
	case errors.Is(err, state.ErrRevokedFull):
		return atCapacity("revoked access tokens not yet expired", MaxRevokedAccessTokens, "MaxRevokedAccessTokens: let some expire or reset")
	case errors.Is(err, state.ErrRefreshFull):
		return atCapacity(fmt.Sprintf("refresh-token families or %d bytes of them", MaxRefreshFamilyBytes), MaxRefreshFamilies,
			"MaxRefreshFamilies, MaxRefreshFamilyBytes: log users out, revoke tokens or reset")
	case errors.Is(err, state.ErrFlowExecutionsFull):
		return atCapacity("flow executions", MaxFlowExecutions, "finish some, let them expire (flow_settings.execution_ttl), or reset")
	case errors.Is(err, state.ErrFlowExecutionBytes):
		msg = fmt.Sprintf("the flow executions would hold more than %d bytes (MaxFlowExecutionBytes): finish some, let them expire, or reset", MaxFlowExecutionBytes)
	case errors.Is(err, state.ErrPendingBytes):
		msg = fmt.Sprintf("the pending codes and links would hold more than %d bytes (MaxPendingCodeBytes): use or let some expire, or reset", MaxPendingCodeBytes)
	case errors.Is(err, state.ErrOutboxFull):
		msg = fmt.Sprintf("the outbox holds at most %d messages or %d bytes (MaxOutboxMessages, MaxOutboxBytes) whose codes are still usable: DELETE /_mock/outbox empties it", MaxOutboxMessages, MaxOutboxBytes)
	case errors.Is(err, state.ErrSessionLimit):
		msg = fmt.Sprintf("the mock holds at most %d live sessions or %d bytes of them (MaxSessions, MaxSessionBytes): log some out, revoke a user's sessions or reset", MaxSessions, MaxSessionBytes)
	case errors.Is(err, state.ErrAuthCodesFull):
		msg = fmt.Sprintf("the mock holds at most %d authorization codes or %d bytes of them (MaxAuthorizationCodes, MaxAuthorizationCodeBytes): exchange or let some expire, or reset",
			MaxAuthorizationCodes, MaxAuthorizationCodeBytes)
	default: // ErrUsersFull and a store added later: its sentinel's message names the limit
		msg = err.Error()
	}
	return &Error{Status: http.StatusConflict, Code: CodeMockLimit, Description: "Limit reached", Message: msg}
}
