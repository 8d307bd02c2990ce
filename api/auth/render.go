package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// ErrorRenderer writes the response to a request the middleware (or a
// Require* middleware, or WriteError) refused: the status (Status(err)) and
// the body. Before it runs, the protocol headers are set: WWW-Authenticate
// (RFC 6750), Retry-After on a 503, Cache-Control: no-store and
// X-Content-Type-Options: nosniff. err wraps one of the package's sentinels
// (Cause, Reason), or is a *GrantError, or anything else for a wiring bug.
type ErrorRenderer func(w http.ResponseWriter, r *http.Request, err error)

// RenderError is the default ErrorRenderer: the status and a JSON body
// {"error":code,"error_description":text} with RFC 6750's codes
// (invalid_request, invalid_token, insufficient_scope) and
// temporarily_unavailable or server_error. A refused token's description is
// the same for every cause, so the body is no oracle; the cause is logged
// and reported to Config.Observer.
func RenderError(w http.ResponseWriter, _ *http.Request, err error) {
	status := Status(err)
	code, description := "server_error", "internal error"
	var grant *GrantError
	switch {
	case errors.Is(err, ErrMissingHeader), errors.Is(err, ErrInvalidHeader):
		code, description = "invalid_request", Cause(err).Error()
	case errors.As(err, &grant):
		code, description = "insufficient_scope", grant.Error()
	case status == http.StatusUnauthorized:
		code, description = "invalid_token", "invalid or unauthorized token"
	case status == http.StatusServiceUnavailable:
		code, description = "temporarily_unavailable", ErrUnavailable.Error()
	}
	body, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// renderOptions are a Validator's settings for answering refusals; the
// middleware passes them to later handlers (Require*, WriteError) through
// the request context.
type renderOptions struct {
	realm      string
	retryAfter string
	render     ErrorRenderer
}

// defaultRenderOptions answer for requests no middleware handled.
var defaultRenderOptions = renderOptions{realm: DefaultRealm, retryAfter: "5", render: RenderError}

// WriteError answers a refused request as the middleware that handled r
// does: its realm, Retry-After and ErrorRenderer (defaults when no
// middleware handled r). Use it from handlers behind the middleware.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	opts := &defaultRenderOptions
	if r != nil {
		if ra, ok := r.Context().Value(contextKey{}).(*requestAuth); ok {
			opts = ra.render
		}
	}
	opts.write(w, r, err)
}

// write sets the protocol headers of err's refusal and renders it.
func (o *renderOptions) write(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	var grant *GrantError
	switch f := failureOf(err); {
	case errors.As(err, &grant) && grant.Kind == "scope":
		h.Set("WWW-Authenticate", challenge(o.realm, `error="insufficient_scope", scope=`+quote(grant.Name)))
	case f.challenge == "-":
		if errors.Is(err, ErrUnavailable) {
			h.Set("Retry-After", o.retryAfter)
		}
	case f.challenge == "":
		h.Set("WWW-Authenticate", challenge(o.realm, ""))
	default:
		h.Set("WWW-Authenticate", challenge(o.realm, `error="`+f.challenge+`"`))
	}
	o.render(w, r, err)
}

func challenge(realm, params string) string {
	c := "Bearer realm=" + quote(realm)
	if params != "" {
		c += ", " + params
	}
	return c
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quote makes s an HTTP quoted-string.
func quote(s string) string {
	return `"` + quoteEscaper.Replace(s) + `"`
}
