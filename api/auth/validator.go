// Package auth validates Descope session tokens (RS256 JWTs) against keys
// from an OIDC discovery document, and provides net/http middleware. Any Go
// service can import it: it renders failures as RFC 6750 challenges with a
// small JSON body unless Config.ErrorRenderer says otherwise, and reports
// what it does through Config.Observer (no metrics library is imported).
//
// # Descope sessions
//
// Descope user-session JWTs (drn "DS", sub the user ID, iss in any of the
// project's issuer forms) are validated exactly like access tokens: the
// same signature, iss, aud and exp rules. The token is taken from the
// Authorization header; with Config.SessionCookie set (Descope's cookie is
// "DS"), a request without an Authorization header may carry it in that
// cookie instead, as Descope's Go SDK middleware reads it (the header wins
// when both are present). The validator never refreshes a session: a
// refresh token (cookie DSR) is not read, and an expired session is a 401
// for the client to refresh with Descope.
package auth

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Validator verifies tokens. It is safe for concurrent use. Create it with
// New, then call Start to load keys in the background.
type Validator struct {
	cfg *settings

	// Hot-path state, swapped whole; readers never lock.
	disc atomic.Pointer[discovery]
	keys atomic.Pointer[keySet]

	fetches singleflight.Group
	start   sync.Once

	verified *verifiedCache // nil when disabled
	render   renderOptions  // how the middleware answers refusals

	// Fetches on behalf of requests, each at most once per RefetchCooldown.
	firstLoad  cooldownGate // no keys were ever obtained
	kidRefetch cooldownGate // a token names a kid the key set lacks

	mu             sync.Mutex // guards throttledUntil; never held during I/O
	throttledUntil time.Time  // 429 Retry-After from the key-set endpoint
}

// New validates cfg and returns a Validator. It does no network I/O; call
// Start (or just Validate) to load keys.
func New(cfg Config) (*Validator, error) {
	s, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	retryAfter := fmt.Sprint(max(1, int((s.RefetchCooldown+time.Second-1)/time.Second)))
	return &Validator{
		cfg:        s,
		verified:   newVerifiedCache(s.VerifiedCacheSize),
		render:     renderOptions{realm: s.Realm, retryAfter: retryAfter, render: s.ErrorRenderer},
		firstLoad:  cooldownGate{name: "first key load"},
		kidRefetch: cooldownGate{name: "unknown kid"},
	}, nil
}

// Ready reports whether keys are loaded, so tokens can be verified.
func (v *Validator) Ready() bool { return v.keys.Load() != nil }

// Issuer returns the discovered issuer, or "" before discovery.
func (v *Validator) Issuer() string {
	if d := v.disc.Load(); d != nil {
		return d.Issuer
	}
	return ""
}

// Validate verifies token (signature, algorithm, kid, iss, aud, exp, nbf)
// and returns its claims. Failures wrap the package's sentinel errors. If
// keys were never obtained it tries once synchronously, then returns
// ErrUnavailable. Every failure is logged (with a token fingerprint, never
// the token) and reported to Config.Observer.
//
// A token that passed a full verification is remembered (see
// Config.VerifiedCacheSize); validating it again skips the signature but
// runs every claim check again and checks that its key is still in the key
// set. The Claims returned are the caller's own (a deep copy) either way.
func (v *Validator) Validate(ctx context.Context, token string) (*Claims, error) {
	c, err := v.validate(ctx, token)
	if err != nil {
		v.refused(ctx, "auth: token rejected", err, func() []slog.Attr {
			return []slog.Attr{slog.String("token_fp", fingerprint(token))}
		})
		return nil, err
	}
	return c.clone(), nil
}

// validate returns the verified claims of token, shared with the cache:
// Validate hands out copies.
func (v *Validator) validate(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, ErrMalformed
	}
	if len(token) > v.cfg.MaxTokenBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTokenTooLarge, len(token), v.cfg.MaxTokenBytes)
	}
	if v.verified != nil {
		if e, found := v.verified.get(token); found {
			if ks := v.keys.Load(); ks != nil && ks.holds(e.kid, e.key) {
				if err := v.checkClaims(e.claims); err != nil {
					v.verified.remove(token)
					return nil, err
				}
				return e.claims, nil
			}
			// Its key left the key set: a full verification decides.
			v.verified.remove(token)
		}
	}

	header, err := v.screenHeader(token)
	if err != nil {
		return nil, err
	}
	key, err := v.keyFor(ctx, header)
	if err != nil {
		return nil, err
	}
	payload, err := v.verifyJWS(token, header, key)
	if err != nil {
		return nil, err
	}
	c, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	c.Token = token
	if err := v.checkClaims(c); err != nil {
		return nil, err
	}
	if v.verified != nil {
		v.verified.put(token, verifiedEntry{claims: c, kid: header.Kid, key: key})
	}
	return c, nil
}

// keyFor returns the key the header's kid names, pinned to the header's alg.
// Keys never obtained are tried for once (ErrUnavailable if that fails); an
// unknown kid refetches the key set; each through its cooldownGate.
func (v *Validator) keyFor(ctx context.Context, h joseHeader) (verificationKey, error) {
	ks := v.keys.Load()
	if ks == nil {
		v.refetch(ctx, &v.firstLoad)
		if ks = v.keys.Load(); ks == nil {
			return verificationKey{}, ErrUnavailable
		}
	}
	key, ok := ks.keys[h.Kid]
	// A miss may join a shared fetch that began before its key was
	// published; a second attempt fetches again only when the cooldown since
	// that fetch has passed. A gate within its cooldown ends the attempts.
	for attempt := 0; !ok && attempt < 2 && v.refetch(ctx, &v.kidRefetch); attempt++ {
		key, ok = v.keys.Load().keys[h.Kid]
	}
	if !ok {
		return verificationKey{}, ErrUnknownKey
	}
	// The algorithm is pinned to the key's: a token cannot choose another.
	if h.Alg != key.alg {
		return verificationKey{}, fmt.Errorf("%w: header alg %s, key alg %s", ErrAlgorithm, h.Alg, key.alg)
	}
	return key, nil
}

// checkClaims is every claim check, run on a full verification and on a
// token answered from the verified-token cache alike: iss, aud, then exp and
// nbf with the leeway against the clock.
func (v *Validator) checkClaims(c *Claims) error {
	if d := v.disc.Load(); d == nil || (c.Issuer != d.Issuer && !slices.Contains(v.cfg.ExtraIssuers, c.Issuer)) {
		return ErrInvalidIssuer
	}
	if !slices.Contains(c.Audience, v.cfg.Audience) {
		return ErrInvalidAudience
	}
	now := v.cfg.Now()
	if !now.Before(c.Expiry.Add(v.cfg.Leeway)) {
		return ErrExpired
	}
	if !c.NotBefore.IsZero() && now.Add(v.cfg.Leeway).Before(c.NotBefore) {
		return ErrNotYetValid
	}
	return nil
}
