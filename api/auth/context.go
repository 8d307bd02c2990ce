package auth

import "context"

type contextKey struct{}

// requestAuth is what the middleware puts in the request context: the claims
// (nil before validation) and how errors for this request are rendered.
type requestAuth struct {
	claims *Claims
	render *renderOptions
}

// NewContext returns a copy of ctx carrying c.
func NewContext(ctx context.Context, c *Claims) context.Context {
	ra := &requestAuth{claims: c, render: &defaultRenderOptions}
	if prev, ok := ctx.Value(contextKey{}).(*requestAuth); ok {
		ra.render = prev.render
	}
	return context.WithValue(ctx, contextKey{}, ra)
}

// WithErrorRenderer returns a copy of ctx whose refusals (WriteError, the
// Require* middleware) render with render and the default realm, for
// requests that reach those without a Validator's middleware: tests with a
// fake authenticator, or another authentication layer. The claims in ctx,
// if any, are kept.
func WithErrorRenderer(ctx context.Context, render ErrorRenderer) context.Context {
	claims, _ := FromContext(ctx)
	opts := defaultRenderOptions
	if render != nil {
		opts.render = render
	}
	return context.WithValue(ctx, contextKey{}, &requestAuth{claims: claims, render: &opts})
}

// FromContext returns the claims the middleware stored in ctx.
func FromContext(ctx context.Context) (*Claims, bool) {
	ra, ok := ctx.Value(contextKey{}).(*requestAuth)
	if !ok || ra.claims == nil {
		return nil, false
	}
	return ra.claims, true
}
