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

// The bodies are the contract's bytes exactly, as the API's other JSON
// responses and FastAPI's are: no trailing newline, so a client comparing
// bodies sees the same bytes from every response.
func TestWriteErrorExactBodies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		body string
	}{
		{ErrMissingHeader, `{"detail":"Missing Authorization header"}`},
		{ErrInvalidHeader, `{"detail":"Invalid Authorization header format. Expected: Bearer <token>"}`},
		{ErrExpired, `{"detail":"Invalid or unauthorized token"}`},
		{ErrUnavailable, `{"detail":"Authentication temporarily unavailable"}`},
		{&missingGrantError{kind: "role", name: "admin"}, `{"error":"Missing required Descope role: admin","status_code":403}`},
		{&missingGrantError{kind: "scope", name: "openid"}, `{"error":"Required scope 'openid' not found","status_code":403}`},
		{errNoClaims, `{"detail":"Internal server error"}`},
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, nil, tt.err)
		if got := rec.Body.String(); got != tt.body {
			t.Errorf("%v: body %q, want %q", tt.err, got, tt.body)
		}
	}
	rec := httptest.NewRecorder()
	writeError(rec, &renderOptions{errorDetail: true}, ErrExpired)
	if got, want := rec.Body.String(), `{"detail":"Token validation failed: token has expired"}`; got != want {
		t.Errorf("error-detail body %q, want %q", got, want)
	}
}
