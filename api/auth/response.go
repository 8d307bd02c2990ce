package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// renderOptions are the per-validator settings WriteError needs; the
// middleware passes them to later handlers through the request context.
// The header values are built once per Validator, not per response.
type renderOptions struct {
	realm       string
	errorDetail bool
	retryAfter  []string

	challengeMissing      []string // Bearer realm="…"
	challengeInvalidReq   []string // …, error="invalid_request"
	challengeInvalidToken []string // …, error="invalid_token"
}

// newRenderOptions precomputes the response headers for realm.
func newRenderOptions(realm string, errorDetail bool, retryAfter string) renderOptions {
	return renderOptions{
		realm:                 realm,
		errorDetail:           errorDetail,
		retryAfter:            headerValue(retryAfter),
		challengeMissing:      headerValue(challenge(realm, "")),
		challengeInvalidReq:   headerValue(challenge(realm, `error="invalid_request"`)),
		challengeInvalidToken: headerValue(challenge(realm, `error="invalid_token"`)),
	}
}

var defaultRenderOptions = newRenderOptions(DefaultRealm, false, "5")

// headerValue is a one-value header slice with no spare capacity, so a later
// Header().Add copies it instead of writing into a slice other responses
// share.
func headerValue(v string) []string { return []string{v}[:1:1] }

// Response header values shared by every error response.
var (
	contentTypeJSON = headerValue("application/json")
	cacheNoStore    = headerValue("no-store")
	noSniff         = headerValue("nosniff")
)

// Fixed response bodies, encoded once.
var (
	bodyMissingHeader = []byte(`{"detail":"Missing Authorization header"}`)
	bodyInvalidHeader = []byte(`{"detail":"Invalid Authorization header format. Expected: Bearer <token>"}`)
	bodyInvalidToken  = []byte(`{"detail":"Invalid or unauthorized token"}`)
	bodyUnavailable   = []byte(`{"detail":"Authentication temporarily unavailable"}`)
	bodyInternal      = []byte(`{"detail":"Internal server error"}`)
)

// WriteError renders an auth failure per the API contract:
//
//   - ErrMissingHeader: 401, WWW-Authenticate: Bearer realm="api"
//   - ErrInvalidHeader: 401, error="invalid_request"
//   - any token failure: 401, error="invalid_token"; the reason is in the body
//     only in ErrorDetail mode
//   - ErrUnavailable: 503 with Retry-After and no challenge
//   - a missing role, permission or scope: 403 {"error":…,"status_code":403};
//     a missing scope adds error="insufficient_scope"
//   - anything else: 500 {"detail":"Internal server error"}
//
// Every body is JSON with Cache-Control: no-store and
// X-Content-Type-Options: nosniff. The realm, detail mode and
// Retry-After come from the Validator whose middleware handled r (defaults
// otherwise).
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	opts := &defaultRenderOptions
	if r != nil {
		if ra, ok := r.Context().Value(contextKey{}).(*requestAuth); ok {
			opts = &ra.render
		}
	}
	writeError(w, opts, err)
}

// writeError is WriteError with the options at hand.
func writeError(w http.ResponseWriter, opts *renderOptions, err error) {
	h := w.Header()
	// Canonical keys assigned directly: Header.Set would canonicalize and
	// allocate a new slice on every response.
	h["Content-Type"] = contentTypeJSON
	h["Cache-Control"] = cacheNoStore
	h["X-Content-Type-Options"] = noSniff

	switch {
	case errors.Is(err, ErrMissingHeader):
		h["Www-Authenticate"] = opts.challengeMissing
		write(w, http.StatusUnauthorized, bodyMissingHeader)
	case errors.Is(err, ErrInvalidHeader):
		h["Www-Authenticate"] = opts.challengeInvalidReq
		write(w, http.StatusUnauthorized, bodyInvalidHeader)
	case isTokenError(err):
		h["Www-Authenticate"] = opts.challengeInvalidToken
		body := bodyInvalidToken
		if opts.errorDetail {
			body = jsonBody(map[string]any{"detail": "Token validation failed: " + tokenReason(err)})
		}
		write(w, http.StatusUnauthorized, body)
	case errors.Is(err, ErrUnavailable):
		h["Retry-After"] = opts.retryAfter
		write(w, http.StatusServiceUnavailable, bodyUnavailable)
	default:
		writeOtherError(w, opts, err)
	}
}

// writeOtherError renders the failures that are not 401 or 503: a missing
// grant (403), anything else (500). It is apart from writeError so that the
// errors.As target is allocated only here.
func writeOtherError(w http.ResponseWriter, opts *renderOptions, err error) {
	h := w.Header()
	var grant *missingGrantError
	switch {
	case errors.As(err, &grant):
		var msg string
		switch grant.kind {
		case "scope":
			msg = "Required scope '" + grant.name + "' not found"
			h.Set("WWW-Authenticate", challenge(opts.realm, `error="insufficient_scope", scope=`+quote(grant.name)))
		default:
			msg = "Missing required Descope " + grant.kind + ": " + grant.name
		}
		write(w, http.StatusForbidden, jsonBody(map[string]any{"error": msg, "status_code": http.StatusForbidden}))
	default:
		write(w, http.StatusInternalServerError, bodyInternal)
	}
}

// tokenReason is the contract's stable reason string for a token failure.
func tokenReason(err error) string {
	for _, e := range tokenErrors {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return ErrMalformed.Error()
}

func challenge(realm, params string) string {
	c := "Bearer realm=" + quote(realm)
	if params != "" {
		c += ", " + params
	}
	return c
}

// quoteEscaper escapes a quoted-string's backslashes and quotes.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quote makes s an HTTP quoted-string.
func quote(s string) string {
	return `"` + quoteEscaper.Replace(s) + `"`
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return bodyInternal
	}
	return b
}

func write(w http.ResponseWriter, status int, body []byte) {
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
