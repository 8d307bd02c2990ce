package mockidp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Descope error codes of the user-session, test-user and management calls
// (research/descope.md §7: GO errors.go, NODE lib/errors.ts, DOCS). The HTTP
// status beside each is the mock's choice where Descope's is not recorded.
const (
	CodeMissingArgument  = "E011002" // 400: a required field is missing
	CodeInvalidArgument  = "E011004" // 400: a field has a value the call cannot use
	CodeTestUserLimit    = "E013002" // 400: test users limit exceeded
	CodeInvalidToken     = "E061005" // 401: invalid, expired, forged or wrong-type token
	CodeWrongOTP         = "E061102" // 401: wrong or expired code
	CodeOTPAttempts      = "E061103" // 401: too many wrong codes
	CodeUserExists       = "E062107" // 400: user already exists
	CodeUserNotFound     = "E062108" // 400: no user with that login ID (auth calls)
	CodePendingLink      = "E062503" // 401: enchanted link not verified yet
	CodeLoggedOut        = "E064001" // 401: token expired by logout (or revoked)
	CodeMgmtUserNotFound = "E112102" // 400: no such user (management calls)
)

func descopeError(status int, code, description, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Description: description, Message: fmt.Sprintf(format, args...)}
}

func missingArgument(field string) *Error {
	return descopeError(http.StatusBadRequest, CodeMissingArgument, "Missing arguments", "%s is required", field)
}

func invalidArgument(format string, args ...any) *Error {
	return descopeError(http.StatusBadRequest, CodeInvalidArgument, "Invalid arguments", format, args...)
}

func invalidToken(format string, args ...any) *Error {
	return descopeError(http.StatusUnauthorized, CodeInvalidToken, "Invalid token", format, args...)
}

func loggedOut() *Error {
	return descopeError(http.StatusUnauthorized, CodeLoggedOut, "Token expired by logout", "the refresh token was ended by a logout or a revocation")
}

func mgmtUserNotFound(id string) *Error {
	return descopeError(http.StatusBadRequest, CodeMgmtUserNotFound, "User not found", "no user with login ID or user ID %q", truncate(id, 64))
}

func authUserNotFound(loginID string) *Error {
	return descopeError(http.StatusBadRequest, CodeUserNotFound, "User not found", "no user with login ID %q", truncate(loginID, 64))
}

// directoryError maps a user-directory failure to Descope's error; a
// validation failure names the request field.
func directoryError(err error) error {
	switch {
	case errors.Is(err, errUserExists), errors.Is(err, errLoginIDTaken):
		return descopeError(http.StatusBadRequest, CodeUserExists, "User already exists", "%v", err)
	case errors.Is(err, errUserLimit):
		return atCapacity("users", MaxUsers, "delete one first")
	case errors.Is(err, errUsersFull):
		return usersFull(err)
	case errors.Is(err, errUserTooLarge):
		return invalidArgument("%v", err)
	case errors.Is(err, errTestUserLimit):
		return descopeError(http.StatusBadRequest, CodeTestUserLimit, "Test users limit exceeded", "%v", err)
	case errors.Is(err, errUserNotFound):
		return descopeError(http.StatusBadRequest, CodeMgmtUserNotFound, "User not found", "user not found")
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return invalidArgument("%s: %s", strings.TrimPrefix(ce.Field, "."), ce.Reason)
	}
	return err
}

// codeError maps a code-store failure to Descope's error.
func codeError(err error) error {
	switch {
	case errors.Is(err, errCodeWrong):
		return descopeError(http.StatusUnauthorized, CodeWrongOTP, "Wrong OTP code", "the code is wrong")
	case errors.Is(err, errCodeAttempts):
		return descopeError(http.StatusUnauthorized, CodeOTPAttempts, "Too many OTP attempts", "too many wrong codes: generate a new one")
	case errors.Is(err, errCodeExpired):
		return descopeError(http.StatusUnauthorized, CodeWrongOTP, "Code expired", "the code or link has expired")
	case errors.Is(err, errCodeUnknown):
		return invalidToken("unknown or already used code or link")
	case errors.Is(err, errCodePending):
		return descopeError(http.StatusUnauthorized, CodePendingLink, "Enchanted link pending", "the enchanted link has not been verified yet")
	case errors.Is(err, errTooManyPending):
		return atCapacity("pending codes and links", MaxPendingCodes, "use or let some expire, or reset")
	case errors.Is(err, errPendingBytes):
		return &Error{Status: http.StatusConflict, Code: CodeMockLimit, Description: "Limit reached",
			Message: fmt.Sprintf("the pending codes and links would hold more than %d bytes (MaxPendingCodeBytes): use or let some expire, or reset", MaxPendingCodeBytes)}
	case errors.Is(err, errOutboxFull):
		return &Error{Status: http.StatusConflict, Code: CodeMockLimit, Description: "Limit reached",
			Message: fmt.Sprintf("the outbox holds at most %d messages or %d bytes (MaxOutboxMessages, MaxOutboxBytes) whose codes are still usable: DELETE /_mock/outbox empties it", MaxOutboxMessages, MaxOutboxBytes)}
	}
	return err
}
