package auth

import (
	"context"
	"net/http"
	"strings"
)

// Middleware authenticates every request: it reads the bearer token,
// validates it, and calls next with the claims in the request context
// (FromContext). Failures are rendered by WriteError and never reach next.
//
// Header rules: surrounding whitespace is ignored; the scheme "Bearer" is
// case-insensitive and separated from the token by one or more spaces or
// tabs (RFC 6750's 1*SP, read leniently). No header, or one that is empty or
// only whitespace, is ErrMissingHeader. More than one Authorization header,
// another scheme, no token, or anything after the token is ErrInvalidHeader:
// with several headers there is no safe way to pick one.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	render := newRenderOptions(v.cfg.Realm, v.cfg.ErrorDetail, v.retryAfterValue)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A refused request keeps its context: the failure is rendered with
		// this middleware's options directly, and the request with the
		// claims is made only for next.
		token, err := bearerToken(r.Header)
		if err != nil {
			v.cfg.Metrics.authFailure(err)
			v.cfg.Logger.LogAttrs(r.Context(), info, "auth: request rejected",
				stringAttr("reason", Reason(err)), stringAttr("method", r.Method), stringAttr("path", r.URL.Path))
			writeError(w, &render, err)
			return
		}
		claims, err := v.Validate(r.Context(), token)
		if err != nil {
			writeError(w, &render, err)
			return
		}
		ctx := &authContext{Context: r.Context(), ra: requestAuth{claims: claims, render: render}}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authContext is the request context the middleware installs: its parent
// plus the request's auth state, in one allocation (context.WithValue and a
// separate *requestAuth would be two).
type authContext struct {
	context.Context
	ra requestAuth
}

// Value returns the request's *requestAuth for contextKey{}, else asks the
// parent.
func (c *authContext) Value(key any) any {
	if _, ok := key.(contextKey); ok {
		return &c.ra
	}
	return c.Context.Value(key)
}

// bearerToken extracts the token from the Authorization header (see Middleware for the rules).
func bearerToken(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", ErrMissingHeader
	case 1:
	default:
		return "", ErrInvalidHeader
	}
	value := strings.TrimSpace(values[0])
	if value == "" {
		return "", ErrMissingHeader
	}
	scheme, token, found := strings.Cut(value, " ")
	if !found {
		scheme, token, found = strings.Cut(value, "\t")
	}
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", ErrInvalidHeader
	}
	token = strings.TrimLeft(token, " \t")
	// Two IndexByte scans are vectorised; ContainsAny walks byte by byte.
	if token == "" || strings.IndexByte(token, ' ') >= 0 || strings.IndexByte(token, '\t') >= 0 {
		return "", ErrInvalidHeader
	}
	return token, nil
}
