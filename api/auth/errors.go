package auth

import (
	"errors"
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

// reasons maps each sentinel to its stable label for logs and metrics.
var reasons = [...]struct {
	err   error
	label string
}{
	{ErrMissingHeader, "missing_header"},
	{ErrInvalidHeader, "invalid_header"},
	{ErrMalformed, "malformed"},
	{ErrInvalidSignature, "invalid_signature"},
	{ErrExpired, "expired"},
	{ErrNotYetValid, "not_yet_valid"},
	{ErrInvalidIssuer, "invalid_issuer"},
	{ErrInvalidAudience, "invalid_audience"},
	{ErrUnknownKey, "unknown_key"},
	{ErrAlgorithm, "algorithm"},
	{ErrMissingExp, "missing_exp"},
	{ErrUnavailable, "unavailable"},
	{ErrForbidden, "forbidden"},
}

// Reason returns a stable, low-cardinality label for err ("expired",
// "invalid_signature", ...) for use in logs and metric labels. It returns ""
// for nil and "internal" for errors that are not auth errors.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	return reasonLabel(reasonIndex(err))
}

// internalReason is reasonIndex of an error that is not an auth error.
const internalReason = len(reasons)

// reasonIndex is the index in reasons of err's sentinel, or internalReason.
func reasonIndex(err error) int {
	for i := range reasons {
		if errors.Is(err, reasons[i].err) {
			return i
		}
	}
	return internalReason
}

// reasonLabel is the label of a reasonIndex.
func reasonLabel(i int) string {
	if i == internalReason {
		return "internal"
	}
	return reasons[i].label
}

// isTokenError reports whether err is one of the token failures rendered as
// 401 invalid_token.
func isTokenError(err error) bool {
	for _, e := range tokenErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

var tokenErrors = []error{
	ErrMalformed, ErrInvalidSignature, ErrExpired, ErrNotYetValid, ErrInvalidIssuer,
	ErrInvalidAudience, ErrUnknownKey, ErrAlgorithm, ErrMissingExp,
}

// missingGrantError is the 403 failure of a Require* middleware.
type missingGrantError struct {
	kind string // "role", "permission", "scope", "tenant role", "tenant permission"
	name string
}

func (e *missingGrantError) Error() string { return "missing required " + e.kind + ": " + e.name }

func (e *missingGrantError) Unwrap() error { return ErrForbidden }
