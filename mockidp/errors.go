package mockidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Descope error codes used by the mock. Where Descope's exact choice is not
// known the spec page (descope-surface.md) fixes one.
const (
	CodeBadRequest   = "E011001" // malformed request, unsupported grant
	CodeBadClient    = "E011003" // bad or unknown client, bad access key, invalid token
	CodeInvalidScope = "E011004" // scope not allowed for the client
	CodeNotFound     = "E011404" // unknown project or path (mock's choice)
	CodeMethod       = "E011405" // wrong method (mock's choice)
	CodeTooLarge     = "E011413" // body too large (mock's choice)
	// CodeOriginNotAllowed: a browser preflight from an origin not in
	// cors.allowed_origins (mock's choice; Descope's answer is not recorded).
	CodeOriginNotAllowed = "E011403"
	CodeRateLimited      = "E130429"
	CodeServerError      = "E010009" // observed live on server faults
	CodeMockBadRequest   = "M000400" // control-plane errors
	CodeMockAuth         = "M000401"
	CodeMockNotFound     = "M000404"
	// CodeMockUnsupportedMedia: a control-plane body not sent as application/json.
	CodeMockUnsupportedMedia = "M000415"
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
