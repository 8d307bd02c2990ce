package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
)

// Middleware authenticates every request: it reads the bearer token,
// validates it, and calls next with the claims in the request context
// (FromContext). Failures are answered by Config.ErrorRenderer (after the
// protocol headers, see ErrorRenderer) and never reach next.
//
// Header rules: surrounding whitespace is ignored; the scheme "Bearer" is
// case-insensitive and separated from the token by one or more spaces or
// tabs (RFC 6750's 1*SP, read leniently). No header, or one that is empty or
// only whitespace, is ErrMissingHeader. More than one Authorization header,
// another scheme, no token, or anything after the token is ErrInvalidHeader:
// with several headers there is no safe way to pick one.
//
// With Config.SessionCookie set, a request with no Authorization header at
// all takes its token from that cookie (Descope's "DS"); the header wins
// when both are present, as in Descope's Go SDK.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := v.requestToken(r)
		if err != nil {
			v.refused(r.Context(), "auth: request rejected", err, func() []slog.Attr {
				return []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path)}
			})
			v.render.write(w, r, err)
			return
		}
		claims, err := v.Validate(r.Context(), token)
		if err != nil {
			v.render.write(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), contextKey{}, &requestAuth{claims: claims, render: &v.render})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requestToken is the token of r: from the Authorization header, else (when
// configured and the header is absent) from the session cookie.
func (v *Validator) requestToken(r *http.Request) (string, error) {
	if name := v.cfg.SessionCookie; name != "" && len(r.Header.Values("Authorization")) == 0 {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value, nil
		}
	}
	return bearerToken(r.Header)
}

// bearerToken extracts the token from the Authorization header (see Middleware for the rules).
func bearerToken(h http.Header) (string, error) {
	if len(h.Values("Authorization")) > 1 {
		return "", ErrInvalidHeader
	}
	value := strings.TrimSpace(h.Get("Authorization"))
	if value == "" {
		return "", ErrMissingHeader
	}
	i := strings.IndexAny(value, " \t")
	if i < 0 || !strings.EqualFold(value[:i], "Bearer") {
		return "", ErrInvalidHeader
	}
	token := strings.TrimLeft(value[i:], " \t")
	if strings.ContainsAny(token, " \t") {
		return "", ErrInvalidHeader
	}
	return token, nil
}
