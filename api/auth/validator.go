// Package auth validates Descope session tokens (RS256 JWTs) against keys
// from an OIDC discovery document, and provides net/http middleware that
// renders failures per the API contract. Any Go service can import it.
package auth

import (
	"context"
	"errors"
	"fmt"
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
	started atomic.Bool

	verified *verifiedCache // nil when disabled
	headers  headerCache    // go-jose's parse of the header segments of verified tokens
	refusals *refusalCache  // go-jose's verdict on header segments, for refusals

	mu                sync.Mutex // guards the fields below; never held during I/O
	lastKidRefetch    time.Time  // last unknown-kid refetch
	kidRefetchRunning bool       // an unknown-kid refetch is in flight
	lastBootstrap     time.Time  // last synchronous load attempt from Validate
	bootstrapRunning  bool       // a synchronous load attempt is in flight
	throttledUntil    time.Time  // 429 Retry-After from the key-set endpoint
	retryAfterValue   string     // Retry-After for 503 responses; set by New, then read-only
}

// New validates cfg and returns a Validator. It does no network I/O; call
// Start (or just Validate) to load keys.
func New(cfg Config) (*Validator, error) {
	s, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	v := &Validator{cfg: s, verified: newVerifiedCache(s.VerifiedCacheSize), refusals: newRefusalCache()}
	v.retryAfterValue = fmt.Sprint(max(1, int((s.RefetchCooldown+time.Second-1)/time.Second)))
	return v, nil
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

// Start loads the discovery document and key set in the background, retrying
// with backoff until it succeeds or ctx is done, then keeps the keys fresh by
// refetching ahead of expiry. Calls after the first do nothing.
func (v *Validator) Start(ctx context.Context) {
	if !v.started.CompareAndSwap(false, true) {
		return
	}
	go v.run(ctx)
}

func (v *Validator) run(ctx context.Context) {
	backoff := v.cfg.RetryBackoff
	for v.keys.Load() == nil {
		err := v.load(ctx, v.cfg.DiscoveryRetries)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		v.cfg.Logger.LogAttrs(ctx, warn, "auth: loading keys failed, retrying", errAttr(err), durationAttr("backoff", backoff))
		if sleep(ctx, max(backoff, v.throttleWait())) != nil {
			return
		}
		backoff = nextBackoff(backoff)
	}
	v.cfg.Logger.LogAttrs(ctx, info, "auth: keys loaded", stringAttr("issuer", v.Issuer()))

	backoff = v.cfg.RetryBackoff
	for {
		wait := v.keys.Load().refreshAt().Sub(v.cfg.Now())
		if wait > 0 {
			if sleep(ctx, wait) != nil {
				return
			}
			// Another fetch (an unknown kid) may have renewed the set meanwhile.
			if v.keys.Load().refreshAt().After(v.cfg.Now()) {
				continue
			}
		}
		if err := v.refreshKeys(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			v.cfg.Logger.LogAttrs(ctx, warn, "auth: key refresh failed, keeping current keys",
				errAttr(err), durationAttr("backoff", backoff))
			if sleep(ctx, max(backoff, v.throttleWait())) != nil {
				return
			}
			backoff = nextBackoff(backoff)
			continue
		}
		backoff = v.cfg.RetryBackoff
	}
}

// throttleWait is how long a 429 Retry-After still asks us to wait.
func (v *Validator) throttleWait() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.throttledUntil.Sub(v.cfg.Now())
}

// load runs discovery (if not done yet) and a key-set fetch (if no keys yet).
func (v *Validator) load(ctx context.Context, retries int) error {
	d := v.disc.Load()
	if d == nil {
		var err error
		if d, err = v.discover(ctx, retries); err != nil {
			return err
		}
		v.disc.Store(d)
	}
	if v.keys.Load() != nil {
		return nil
	}
	return v.refreshKeys(ctx)
}

// refreshKeys fetches the key set once; concurrent callers share the fetch.
// The fetch runs detached from any one caller's cancellation (bounded by the
// HTTP client's timeout) so a cancelled request cannot fail it for others.
func (v *Validator) refreshKeys(ctx context.Context) error {
	d := v.disc.Load()
	if d == nil {
		return errors.New("key set requested before discovery")
	}
	ch := v.fetches.DoChan("jwks", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout(v.cfg.HTTPClient.Timeout))
		defer cancel()
		return nil, v.fetchKeys(fctx, d)
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fetchTimeout bounds a shared fetch: the client's timeout, else the default.
func fetchTimeout(clientTimeout time.Duration) time.Duration {
	if clientTimeout > 0 {
		return clientTimeout
	}
	return DefaultHTTPTimeout
}

// bootstrap is Validate's one bounded synchronous attempt to load discovery
// and keys when nothing was ever loaded. Attempts are shared between
// concurrent callers (a caller arriving while one runs waits for it) and
// made at most once per RefetchCooldown, so an outage does not turn every
// request into a provider call.
func (v *Validator) bootstrap(ctx context.Context) *keySet {
	v.mu.Lock()
	idle := !v.bootstrapRunning && !v.lastBootstrap.IsZero() &&
		v.cfg.Now().Sub(v.lastBootstrap) < v.cfg.RefetchCooldown
	v.mu.Unlock()
	if idle {
		return v.keys.Load()
	}
	ch := v.fetches.DoChan("bootstrap", func() (any, error) {
		v.mu.Lock()
		now := v.cfg.Now()
		allowed := v.lastBootstrap.IsZero() || now.Sub(v.lastBootstrap) >= v.cfg.RefetchCooldown
		if allowed {
			v.lastBootstrap = now
			v.bootstrapRunning = true
		}
		v.mu.Unlock()
		if !allowed {
			return nil, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout(v.cfg.HTTPClient.Timeout))
		defer cancel()
		err := v.load(fctx, 0)
		v.mu.Lock()
		v.bootstrapRunning = false
		v.mu.Unlock()
		return nil, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			v.cfg.Logger.LogAttrs(ctx, warn, "auth: loading keys failed", errAttr(r.Err))
		}
	case <-ctx.Done():
	}
	return v.keys.Load()
}

// refetchForKid refetches the key set for an unknown kid, at most once per
// RefetchCooldown; misses that arrive while a refetch runs wait for it.
// Misses within the cooldown with no refetch running return at once, without
// touching the shared-fetch group, so a flood of unknown kids stays cheap.
func (v *Validator) refetchForKid(ctx context.Context) {
	v.mu.Lock()
	idle := !v.kidRefetchRunning && !v.lastKidRefetch.IsZero() &&
		v.cfg.Now().Sub(v.lastKidRefetch) < v.cfg.RefetchCooldown
	v.mu.Unlock()
	if idle {
		return
	}
	ch := v.fetches.DoChan("kid-miss", func() (any, error) {
		v.mu.Lock()
		now := v.cfg.Now()
		allowed := v.lastKidRefetch.IsZero() || now.Sub(v.lastKidRefetch) >= v.cfg.RefetchCooldown
		if allowed {
			v.lastKidRefetch = now
			v.kidRefetchRunning = true
		}
		v.mu.Unlock()
		if !allowed {
			return nil, nil
		}
		err := v.refreshKeys(context.WithoutCancel(ctx))
		v.mu.Lock()
		v.kidRefetchRunning = false
		v.mu.Unlock()
		return nil, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			v.cfg.Logger.LogAttrs(ctx, warn, "auth: key refetch for unknown kid failed", errAttr(r.Err))
		}
	case <-ctx.Done():
	}
}

// Validate verifies token (signature, algorithm, kid, iss, aud, exp, nbf)
// and returns its claims. Failures wrap the package's sentinel errors. If
// keys were never obtained it tries once synchronously, then returns
// ErrUnavailable. Every failure is logged (with a token fingerprint, never
// the token) and counted.
//
// A token that passed a full verification is remembered (see
// Config.VerifiedCacheSize); validating it again re-checks exp and nbf and
// that its key is still in the key set, and returns the same *Claims, so
// callers must treat the claims as read-only.
func (v *Validator) Validate(ctx context.Context, token string) (*Claims, error) {
	c, err := v.validate(ctx, token)
	if err != nil {
		v.cfg.Metrics.authFailure(err)
		if v.cfg.Logger.Enabled(ctx, info) {
			v.cfg.Logger.LogAttrs(ctx, info, "auth: token rejected",
				stringAttr("reason", Reason(err)), errAttr(err), stringAttr("token_fp", fingerprint(token)))
		}
		return nil, err
	}
	return c, nil
}

// errNoKid is the failure of a token whose header has no kid.
var errNoKid = fmt.Errorf("%w: token has no kid", ErrUnknownKey)

func (v *Validator) validate(ctx context.Context, token string) (*Claims, error) {
	if token == "" || len(token) > maxTokenBytes {
		return nil, ErrMalformed
	}
	if v.verified != nil {
		if c, hit, err := v.validateCached(token); hit {
			return c, err
		}
	}

	parsed, partial, err := v.parseToken(token)
	if err != nil {
		return nil, err
	}
	header := parsed.header()
	kid := header.KeyID
	if kid == "" {
		return nil, errNoKid
	}
	ks := v.keys.Load()
	if ks == nil {
		if ks = v.bootstrap(ctx); ks == nil {
			return nil, ErrUnavailable
		}
	}
	key, ok := ks.keys[kid]
	// A miss may join a shared fetch that began before its key was
	// published; a second attempt fetches again only when the cooldown since
	// that fetch has passed, and returns at once otherwise.
	for attempt := 0; !ok && attempt < 2; attempt++ {
		v.refetchForKid(ctx)
		key, ok = v.keys.Load().keys[kid]
	}
	if !ok {
		return nil, ErrUnknownKey
	}
	// The algorithm is pinned to the key's: a token cannot choose another.
	if header.Algorithm != key.alg {
		return nil, fmt.Errorf("%w: header alg %s, key alg %s", ErrAlgorithm, header.Algorithm, key.alg)
	}
	if partial {
		// Parsed from the verdict on its header, for refusing it: nothing
		// is verified without go-jose's parse of the whole token.
		if parsed, err = v.parseTokenFull(token); err != nil {
			return nil, err
		}
	}
	payload, err := parsed.verify(key.key)
	if err != nil {
		return nil, ErrInvalidSignature
	}
	v.headers.add(token, &parsed)
	c, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	c.Token = token

	if d := v.disc.Load(); d == nil || !d.issuers[c.Issuer] {
		return nil, ErrInvalidIssuer
	}
	if !slices.Contains(c.Audience, v.cfg.Audience) {
		return nil, ErrInvalidAudience
	}
	if err := v.checkTimes(c); err != nil {
		return nil, err
	}
	if v.verified != nil {
		v.verified.put(token, verifiedEntry{claims: c, kid: kid, key: key})
	}
	return c, nil
}

// validateCached answers from the cache of verified tokens when it can: hit
// is false when token is not there or its key is no longer in the current
// key set, and then a full verification decides (for a key that left the
// set: ErrUnknownKey, after the usual cooldown-limited refetch).
func (v *Validator) validateCached(token string) (c *Claims, hit bool, err error) {
	e, found := v.verified.get(token)
	if !found {
		return nil, false, nil
	}
	if ks := v.keys.Load(); ks == nil || !ks.holds(e.kid, e.key) {
		v.verified.remove(token)
		return nil, false, nil
	}
	if err := v.checkTimes(e.claims); err != nil {
		v.verified.remove(token)
		return nil, true, err
	}
	return e.claims, true, nil
}

// checkTimes checks exp and nbf, with the leeway, against the clock.
func (v *Validator) checkTimes(c *Claims) error {
	now := v.cfg.Now()
	if !now.Before(c.Expiry.Add(v.cfg.Leeway)) {
		return ErrExpired
	}
	if !c.NotBefore.IsZero() && now.Add(v.cfg.Leeway).Before(c.NotBefore) {
		return ErrNotYetValid
	}
	return nil
}
