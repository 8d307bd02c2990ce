package mockidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Description: "Request is malformed", Message: fmt.Sprintf(format, args...)}
}

func badClient(format string, args ...any) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeBadClient, Description: "Invalid client credentials", Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Description: "Not found", Message: fmt.Sprintf(format, args...)}
}

func mockBadRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeMockBadRequest, Description: "Invalid control-plane request", Message: fmt.Sprintf(format, args...)}
}

func mockNotFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeMockNotFound, Description: "Not found", Message: fmt.Sprintf(format, args...)}
}

func rateLimited(retryAfter int) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Description: "https://docs.descope.com/rate-limit", Message: "API rate limit exceeded.", RetryAfter: retryAfter}
}

// asError turns any error into the Descope shape; unknown errors become 500s
// whose detail is not revealed.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeServerError, Description: "Internal error", Message: "internal error"}
}

// writeError is the one writer of failures. It returns the status written.
func writeError(w http.ResponseWriter, err error) int {
	e := asError(err)
	h := w.Header()
	h["Cache-Control"] = noStore
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	// Messages are read by people in curl output and test logs: "<" and
	// ">" stay as they are instead of json.Marshal's \u003c escapes.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return writeJSON(w, e.Status, e)
	}
	return writeBytes(w, e.Status, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// writeJSON writes v as JSON and returns the status written.
func writeJSON(w http.ResponseWriter, status int, v any) int {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"errorCode":"E010009","errorDescription":"Internal error","errorMessage":"internal error"}`)
	}
	return writeBytes(w, status, body)
}

// Header values shared by every response that sends them. Headers are set by
// assigning these canonical keys directly: Header.Set would allocate a new
// slice per call. No code modifies a header value in place.
var (
	contentTypeJSON = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// writeBytes writes a JSON body and returns the status written.
func writeBytes(w http.ResponseWriter, status int, body []byte) int {
	return writeBody(w, status, body, []string{strconv.Itoa(len(body))})
}

// writeBody writes body with a precomputed Content-Length header value.
func writeBody(w http.ResponseWriter, status int, body []byte, contentLength []string) int {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = contentLength
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

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

// userDisabled is the answer to a sign-in or refresh of a disabled user.
func userDisabled() *Error {
	return descopeError(http.StatusUnauthorized, CodeUserDisabled, "User is disabled", "the user is disabled: enable it with /v1/mgmt/user/update/status")
}
