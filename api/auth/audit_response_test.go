package auth

import (
	"net/http/httptest"
	"testing"
)

// Every response WriteError renders (401, 403, 503, 500) carries
// X-Content-Type-Options: nosniff, as the API's own JSON responses do, so
// a browser never sniffs an error body into something else.
func TestWriteErrorNoSniff(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		ErrMissingHeader, ErrInvalidHeader, ErrExpired, ErrMalformed, ErrUnavailable,
		&missingGrantError{kind: "role", name: "admin"},
		&missingGrantError{kind: "scope", name: "openid"},
		errNoClaims,
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, nil, err)
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%v (status %d): X-Content-Type-Options %q, want nosniff", err, rec.Code, got)
		}
	}
}
