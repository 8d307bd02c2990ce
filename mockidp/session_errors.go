package mockidp

import (
	"fmt"
	"net/http"
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
