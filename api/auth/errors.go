package auth

import (
	"errors"
	"net/http"
)

// Sentinel errors returned by Validate and the middleware. Each message is the
// contract's stable reason string; test for them with errors.Is.
var (
	// ErrMissingHeader means the request carries no Authorization header, or an empty one.
	ErrMissingHeader = errors.New("missing authorization header")
	// ErrInvalidHeader means the Authorization header is not exactly "Bearer <token>".
	ErrInvalidHeader = errors.New("invalid authorization header format")
	// ErrMalformed means the token is not a well-formed compact JWS with a JSON object payload.
	ErrMalformed = errors.New("malformed token")
	// ErrTokenTooLarge means the token is longer than Config.MaxTokenBytes; it is refused unparsed.
	ErrTokenTooLarge = errors.New("token too large")
	// ErrInvalidSignature means the signature does not verify with the key named by kid.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrExpired means exp (plus leeway) has passed.
	ErrExpired = errors.New("token has expired")
	// ErrNotYetValid means nbf (minus leeway) is still in the future.
	ErrNotYetValid = errors.New("token is not yet valid")
	// ErrInvalidIssuer means iss is neither the discovered issuer nor a configured extra issuer.
	ErrInvalidIssuer = errors.New("invalid issuer")
	// ErrInvalidAudience means aud does not contain the configured audience.
	ErrInvalidAudience = errors.New("invalid audience")
	// ErrUnknownKey means no usable key in the key set has the token's kid.
	ErrUnknownKey = errors.New("unknown key id")
	// ErrAlgorithm means the header alg is not allowed or differs from the key's alg.
	ErrAlgorithm = errors.New("algorithm not allowed")
	// ErrMissingExp means the token has no exp claim.
	ErrMissingExp = errors.New("missing exp claim")
	// ErrUnavailable means no keys have ever been obtained, so no token can be checked.
	ErrUnavailable = errors.New("authentication keys unavailable")
	// ErrForbidden means the token is valid but lacks a required role, permission or scope.
	ErrForbidden = errors.New("insufficient privileges")
)

type failure struct {
	err       error
	label     string
	status    int
	challenge string
}

// failures is the one table of refusals: each sentinel, its stable label
// (Reason, logs, metrics), the status it is answered with, and the RFC 6750
// error code of its WWW-Authenticate challenge ("" for a bare challenge, "-"
// for none). A new sentinel is a new row here and nothing else. The last
// row, with no sentinel, is any other error: a wiring bug, answered 500.
var failures = [...]failure{
	{ErrMissingHeader, "missing_header", http.StatusUnauthorized, ""},
	{ErrInvalidHeader, "invalid_header", http.StatusUnauthorized, "invalid_request"},
	{ErrMalformed, "malformed", http.StatusUnauthorized, "invalid_token"},
	{ErrTokenTooLarge, "token_too_large", http.StatusUnauthorized, "invalid_token"},
	{ErrInvalidSignature, "invalid_signature", http.StatusUnauthorized, "invalid_token"},
	{ErrExpired, "expired", http.StatusUnauthorized, "invalid_token"},
	{ErrNotYetValid, "not_yet_valid", http.StatusUnauthorized, "invalid_token"},
	{ErrInvalidIssuer, "invalid_issuer", http.StatusUnauthorized, "invalid_token"},
	{ErrInvalidAudience, "invalid_audience", http.StatusUnauthorized, "invalid_token"},
	{ErrUnknownKey, "unknown_key", http.StatusUnauthorized, "invalid_token"},
	{ErrAlgorithm, "algorithm", http.StatusUnauthorized, "invalid_token"},
	{ErrMissingExp, "missing_exp", http.StatusUnauthorized, "invalid_token"},
	{ErrUnavailable, "unavailable", http.StatusServiceUnavailable, "-"},
	{ErrForbidden, "forbidden", http.StatusForbidden, "-"},
	{nil, "internal", http.StatusInternalServerError, "-"},
}

// failureOf is the row of failures whose sentinel err wraps, else the last.
func failureOf(err error) *failure {
	for i := range failures[:len(failures)-1] {
		if errors.Is(err, failures[i].err) {
			return &failures[i]
		}
	}
	return &failures[len(failures)-1]
}

// Reason returns a stable, low-cardinality label for err ("expired",
// "invalid_signature", ...) for use in logs and metric labels. It returns ""
// for nil and "internal" for errors that are not auth errors.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	return failureOf(err).label
}

// Status is the HTTP status err is answered with: 401 for a missing or
// refused token, 403 for a missing grant, 503 when no keys could be
// obtained, 500 for anything else.
func Status(err error) int { return failureOf(err).status }

// Cause returns the sentinel err wraps (its message is the contract's
// reason string, "token has expired"), or nil if it wraps none.
func Cause(err error) error { return failureOf(err).err }

// GrantError is the 403 failure of a Require* middleware: the token lacks
// a role, permission or scope. It wraps ErrForbidden.
type GrantError struct {
	// Kind is "role", "permission", "scope", "tenant role" or "tenant permission".
	Kind string
	// Name is the role, permission or scope that is missing.
	Name string
}

// Error is "missing required <kind>: <name>".
func (e *GrantError) Error() string { return "missing required " + e.Kind + ": " + e.Name }

// Unwrap makes errors.Is(err, ErrForbidden) true.
func (e *GrantError) Unwrap() error { return ErrForbidden }
