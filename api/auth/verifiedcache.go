package auth

import "sync"

// minVerifiedCacheSize is the smallest usable size: two generations of one
// entry.
const minVerifiedCacheSize = 2

// verifiedCache remembers tokens that passed a full verification, so a
// repeated token costs a map lookup and the claim checks instead of an RSA
// verification.
//
// It is keyed by the whole token string (a map compares every byte).
//
// It holds two generations of at most perGeneration entries: inserts go to
// the current one; when it is full, it becomes the previous one and the old
// previous one is dropped. A hit in the previous generation is copied to the
// current one, so tokens in use survive and a flood of new tokens only
// cycles the generations. It never holds more than the configured size.
type verifiedCache struct {
	mu                sync.Mutex
	perGeneration     int
	current, previous map[string]verifiedEntry
}

// verifiedEntry is what a hit needs: the claims (checked again by
// checkClaims) and the key the signature was verified with (kid, alg and
// public key), so that an entry is unusable as soon as the current key set
// no longer holds that exact key.
type verifiedEntry struct {
	claims *Claims
	kid    string
	key    verificationKey
}

// newVerifiedCache returns a cache of at most size entries, or nil (no
// cache) when size is below minVerifiedCacheSize.
func newVerifiedCache(size int) *verifiedCache {
	if size < minVerifiedCacheSize {
		return nil
	}
	return &verifiedCache{perGeneration: size / 2, current: map[string]verifiedEntry{}, previous: map[string]verifiedEntry{}}
}

func (c *verifiedCache) get(token string) (verifiedEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.current[token]
	if !ok {
		if e, ok = c.previous[token]; ok {
			c.insert(token, e) // tokens in use survive the next retirement
		}
	}
	return e, ok
}

// put records a token that passed a full verification.
func (c *verifiedCache) put(token string, e verifiedEntry) {
	c.mu.Lock()
	c.insert(token, e)
	c.mu.Unlock()
}

// insert adds e to the current generation, first retiring it if full.
// Callers hold c.mu.
func (c *verifiedCache) insert(token string, e verifiedEntry) {
	if _, ok := c.current[token]; !ok && len(c.current) >= c.perGeneration {
		c.previous, c.current = c.current, c.previous
		clear(c.current)
	}
	c.current[token] = e
}

func (c *verifiedCache) remove(token string) {
	c.mu.Lock()
	delete(c.current, token)
	delete(c.previous, token)
	c.mu.Unlock()
}
