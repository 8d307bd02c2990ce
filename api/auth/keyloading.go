package auth

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// The key life cycle: the first load (in the background from Start, or
// once synchronously from a request), the refresh ahead of expiry, and the
// refetch for an unknown kid. Fetching and parsing one key set is keyset.go;
// the discovery document is discovery.go.

// Start loads the discovery document and key set in the background, retrying
// with backoff until it succeeds or ctx is done, then keeps the keys fresh by
// refetching ahead of expiry. Calls after the first do nothing.
func (v *Validator) Start(ctx context.Context) {
	v.start.Do(func() { go v.run(ctx) })
}

func (v *Validator) run(ctx context.Context) {
	backoff := v.cfg.RetryBackoff
	for {
		var err error
		ks := v.keys.Load()
		if ks == nil {
			if err = v.load(ctx, v.cfg.DiscoveryRetries); err == nil {
				v.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "auth: keys loaded", slog.String("issuer", v.Issuer()))
			}
		} else if wait := ks.refreshAt().Sub(v.cfg.Now()); wait > 0 {
			if sleep(ctx, wait) != nil {
				return
			}
			continue // another fetch (an unknown kid) may have renewed the set meanwhile
		} else {
			err = v.refreshKeys(ctx)
		}
		if err == nil {
			backoff = v.cfg.RetryBackoff
			continue
		}
		if ctx.Err() != nil {
			return
		}
		msg := "auth: key refresh failed, keeping current keys"
		if ks == nil {
			msg = "auth: loading keys failed, retrying"
		}
		v.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, msg, errAttr(err), slog.Duration("backoff", backoff))
		if sleep(ctx, max(backoff, v.throttleWait())) != nil {
			return
		}
		backoff = nextBackoff(backoff)
	}
}

// throttleWait is how long a 429 Retry-After still asks us to wait.
func (v *Validator) throttleWait() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.throttledUntil.Sub(v.cfg.Now())
}

// load runs discovery (if not done yet), then fetches the key set.
func (v *Validator) load(ctx context.Context, retries int) error {
	if v.disc.Load() == nil {
		d, err := v.discover(ctx, retries)
		if err != nil {
			return err
		}
		v.disc.Store(d)
	}
	return v.refreshKeys(ctx)
}

// refreshKeys fetches the key set once; concurrent callers share the fetch.
func (v *Validator) refreshKeys(ctx context.Context) error {
	d := v.disc.Load()
	if d == nil {
		return errors.New("key set requested before discovery")
	}
	return v.shared(ctx, "jwks", func(fctx context.Context) error {
		outcome, err := v.fetchKeys(fctx, d)
		if f := v.cfg.Observer.KeySetFetched; f != nil {
			f(outcome)
		}
		return err
	})
}

// shared runs fetch once for the concurrent callers with the same key. It
// runs detached from any one caller's cancellation (bounded by the HTTP
// client's timeout, else DefaultHTTPTimeout) so a cancelled request cannot
// fail it for others; a caller whose ctx ends stops waiting.
func (v *Validator) shared(ctx context.Context, key string, fetch func(context.Context) error) error {
	ch := v.fetches.DoChan(key, func() (any, error) {
		timeout := v.cfg.HTTPClient.Timeout
		if timeout <= 0 {
			timeout = DefaultHTTPTimeout
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		return nil, fetch(fctx)
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cooldownGate lets a fetch made on behalf of requests (the first load when
// no keys were ever obtained; the refetch of an unknown kid) load discovery
// if needed and the key set at most once per RefetchCooldown. Callers
// arriving while its fetch runs wait for it (or for their ctx); callers within
// the cooldown with none running return at once, without touching the
// shared-fetch group, so a flood of unknown kids or of requests during an
// outage stays cheap and reaches the provider no more often than that.
type cooldownGate struct {
	name    string     // its shared-fetch key
	mu      sync.Mutex // guards the fields below; never held during I/O
	last    time.Time  // when its last fetch started
	running bool       // its fetch is in flight
}

// open reports whether a fetch through g may start now, and if so marks it
// started.
func (g *cooldownGate) open(now time.Time, cooldown time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.last.IsZero() && now.Sub(g.last) < cooldown {
		return false
	}
	g.last, g.running = now, true
	return true
}

// idle reports whether g is within its cooldown with no fetch running.
func (g *cooldownGate) idle(now time.Time, cooldown time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.running && !g.last.IsZero() && now.Sub(g.last) < cooldown
}

func (g *cooldownGate) done() {
	g.mu.Lock()
	g.running = false
	g.mu.Unlock()
}

// refetch loads keys through gate g (see cooldownGate). It reports false
// when g was idle: nothing was fetched or waited for.
func (v *Validator) refetch(ctx context.Context, g *cooldownGate) bool {
	if g.idle(v.cfg.Now(), v.cfg.RefetchCooldown) {
		return false
	}
	err := v.shared(ctx, g.name, func(fctx context.Context) error {
		if !g.open(v.cfg.Now(), v.cfg.RefetchCooldown) {
			return nil
		}
		defer g.done()
		return v.load(fctx, 0)
	})
	if err != nil && ctx.Err() == nil {
		v.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "auth: loading keys for a "+g.name+" failed", errAttr(err))
	}
	return true
}
