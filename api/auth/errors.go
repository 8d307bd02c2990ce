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

// failures is the one table of refusals: each sentinel, its stable label
// (Reason, logs, metrics), the status it is answered with, and the RFC 6750
// error code of its WWW-Authenticate challenge ("" for a bare challenge, "-"
// for none). A new sentinel is a new row here and nothing else.
var failures = [...]struct {
	err       error
	label     string
	status    int
	challenge string
}{
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
}

// internalFailure is failureIndex of an error that is not an auth error: a
// wiring bug, answered 500.
const internalFailure = len(failures)

// failureIndex is the row of failures whose sentinel err wraps, or
// internalFailure.
func failureIndex(err error) int {
	for i := range failures {
		if errors.Is(err, failures[i].err) {
			return i
		}
	}
	return internalFailure
}

// Reason returns a stable, low-cardinality label for err ("expired",
// "invalid_signature", ...) for use in logs and metric labels. It returns ""
// for nil and "internal" for errors that are not auth errors.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	if i := failureIndex(err); i < internalFailure {
		return failures[i].label
	}
	return "internal"
}

// Status is the HTTP status err is answered with: 401 for a missing or
// refused token, 403 for a missing grant, 503 when no keys could be
// obtained, 500 for anything else.
func Status(err error) int {
	if i := failureIndex(err); i < internalFailure {
		return failures[i].status
	}
	return http.StatusInternalServerError
}

// Cause returns the sentinel err wraps (its message is the contract's
// reason string, "token has expired"), or nil if it wraps none.
func Cause(err error) error {
	if i := failureIndex(err); i < internalFailure {
		return failures[i].err
	}
	return nil
}

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
