package wire

import "fmt"

// Error is the failure shape every Descope API returns: a JSON object with a
// non-empty errorCode. The official SDKs refuse any other error body.
type Error struct {
	// Status is the HTTP status the error is sent with; not in the body.
	Status      int    `json:"-"`
	Code        string `json:"errorCode"`
	Description string `json:"errorDescription"`
	Message     string `json:"errorMessage"`
	// OAuth (optional) - the RFC 6749 §5.2 error code of a token endpoint
	// failure, sent as "error" beside Descope's fields (RFC 6749 §5.2: invalid_request, invalid_client, invalid_grant,
	// unauthorized_client, unsupported_grant_type, invalid_scope).
	OAuth string `json:"error,omitempty"`
	// RetryAfter, when positive, is sent as a Retry-After header in seconds.
	RetryAfter int `json:"-"`
}

// Error implements error: the status, the code and the message.
func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}
