package auth

import (
	"hash/maphash"
	"sync"
)

// maxVerifiedShards is the most independently locked parts of the cache:
// enough that concurrent requests for different tokens rarely share a lock.
const maxVerifiedShards = 16

// minVerifiedCacheSize is the smallest usable size: two generations of one
// entry.
const minVerifiedCacheSize = 2

// verifiedCache remembers tokens that passed a full verification, so a
// repeated token costs a map lookup instead of an RSA verification.
//
// It is keyed by the whole token string (a map compares every byte), and it
// stores what a later hit must re-check: the claims (for exp and nbf against
// the clock) and the key the signature was verified with (the kid, its alg
// and the public key), so that an entry is unusable as soon as the current
// key set no longer holds that exact key. The issuer and audience checks are
// not repeated: the audience and extra issuers are fixed when the Validator
// is created and the discovered issuer is never replaced, so a token that
// passed them once always will.
//
// Each shard holds two generations of at most perGeneration entries: inserts
// go to the current one; when it is full, it becomes the previous one and
// the old previous one is dropped. A hit in the previous generation is
// copied to the current one, so tokens in use survive and a flood of new
// tokens only cycles the generations. The cache never holds more than
// 2 × perGeneration × len(shards) entries, at most the configured size.
type verifiedCache struct {
	seed          maphash.Seed
	perGeneration int
	shards        []verifiedShard
}

// verifiedShard is one lock and its two generations; the padding keeps
// shards on separate cache lines.
type verifiedShard struct {
	mu       sync.RWMutex
	current  map[string]verifiedEntry
	previous map[string]verifiedEntry
	_        [64]byte
}

// verifiedEntry is what a hit needs: the claims, and the key they were
// verified with.
type verifiedEntry struct {
	claims *Claims
	kid    string
	key    verificationKey
}

// newVerifiedCache returns a cache of at most size entries, or nil (no
// cache) when size is below minVerifiedCacheSize. Small caches get fewer
// shards so that each generation holds at least one entry.
func newVerifiedCache(size int) *verifiedCache {
	if size < minVerifiedCacheSize {
		return nil
	}
	shards := min(maxVerifiedShards, max(1, size/64))
	c := &verifiedCache{
		seed:          maphash.MakeSeed(),
		perGeneration: size / (2 * shards),
		shards:        make([]verifiedShard, shards),
	}
	for i := range c.shards {
		c.shards[i].current = make(map[string]verifiedEntry)
		c.shards[i].previous = make(map[string]verifiedEntry)
	}
	return c
}

func (c *verifiedCache) shard(token string) *verifiedShard {
	return &c.shards[maphash.String(c.seed, token)%uint64(len(c.shards))]
}

// get returns the entry for token, if any.
func (c *verifiedCache) get(token string) (verifiedEntry, bool) {
	s := c.shard(token)
	s.mu.RLock()
	e, ok := s.current[token]
	if ok {
		s.mu.RUnlock()
		return e, true
	}
	e, ok = s.previous[token]
	s.mu.RUnlock()
	if ok {
		s.mu.Lock()
		s.insert(token, e, c.perGeneration)
		s.mu.Unlock()
	}
	return e, ok
}

// put records a token that passed a full verification.
func (c *verifiedCache) put(token string, e verifiedEntry) {
	s := c.shard(token)
	s.mu.Lock()
	s.insert(token, e, c.perGeneration)
	s.mu.Unlock()
}

// insert adds e to the current generation, first retiring it if full.
// Callers hold s.mu.
func (s *verifiedShard) insert(token string, e verifiedEntry, perGeneration int) {
	if _, ok := s.current[token]; !ok && len(s.current) >= perGeneration {
		s.previous, s.current = s.current, s.previous
		clear(s.current)
	}
	s.current[token] = e
}

// remove drops token from both generations.
func (c *verifiedCache) remove(token string) {
	s := c.shard(token)
	s.mu.Lock()
	delete(s.current, token)
	delete(s.previous, token)
	s.mu.Unlock()
}

// len is the number of entries held (tests and benchmarks).
func (c *verifiedCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.current) + len(s.previous)
		s.mu.RUnlock()
	}
	return n
}
