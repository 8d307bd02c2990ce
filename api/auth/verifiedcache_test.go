package auth

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testClock is a clock the test moves; safe for concurrent use.
type testClock struct{ nanos atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

func (c *testClock) now() time.Time  { return time.Unix(0, c.nanos.Load()).UTC() }
func (c *testClock) set(t time.Time) { c.nanos.Store(t.UnixNano()) }

// newCacheValidator is a loaded validator on a loopback provider serving
// keys, with the clock c.
func newCacheValidator(t *testing.T, c *testClock, cfg Config, keys ...jwk) (*Validator, *fakeIdP) {
	t.Helper()
	cfg.Now = c.now
	v, idp := newServerValidator(t, cfg, keys...)
	load(t, v)
	return v, idp
}

// mustValidate validates tok and fails the test on an error.
func mustValidate(t *testing.T, v *Validator, tok string) *Claims {
	t.Helper()
	c, err := v.Validate(context.Background(), tok)
	if err != nil {
		t.Fatalf("Validate: got error %v, want none", err)
	}
	return c
}

// cached reports whether tok is in v's cache of verified tokens.
func cached(v *Validator, tok string) bool {
	_, ok := v.verified.get(tok)
	return ok
}

func TestVerifiedCacheHitSkipsVerification(t *testing.T) {
	t.Parallel()
	clock := newTestClock(fixedNow)
	v, _ := newCacheValidator(t, clock, Config{}, key0())
	tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))

	first := mustValidate(t, v, tok)
	if !cached(v, tok) {
		t.Fatal("valid token not cached after a full verification")
	}
	// A full verification decodes a new *Claims; a hit answers from the
	// stored one (validate), and Validate hands out an equal copy.
	e, _ := v.verified.get(tok)
	if hit, err := v.validate(context.Background(), tok); err != nil || hit != e.claims {
		t.Errorf("second validation: got claims %p (%v), want the cached %p", hit, err, e.claims)
	}
	if second := mustValidate(t, v, tok); second == e.claims || !reflect.DeepEqual(second, first) {
		t.Errorf("Validate on a hit: got %p %+v, want a copy of the cached %p equal to %+v", second, second, e.claims, first)
	}
}

func TestVerifiedCacheDisabled(t *testing.T) {
	t.Parallel()
	clock := newTestClock(fixedNow)
	v, _ := newCacheValidator(t, clock, Config{VerifiedCacheSize: -1}, key0())
	if v.verified != nil {
		t.Fatal("negative VerifiedCacheSize: got a cache, want none")
	}
	tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))
	first, _ := v.validate(context.Background(), tok)
	if second, _ := v.validate(context.Background(), tok); first == nil || first == second {
		t.Error("cache disabled: got the same claims twice, want a fresh verification each time")
	}
}

func TestVerifiedCacheDefaultSize(t *testing.T) {
	t.Parallel()
	v, err := New(Config{DiscoveryURL: "https://idp.test/d", Audience: "P2"})
	if err != nil {
		t.Fatal(err)
	}
	if v.verified == nil {
		t.Fatal("default config: got no cache, want one")
	}
	capacity := 2 * v.verified.perGeneration
	if capacity > DefaultVerifiedCacheSize || capacity < DefaultVerifiedCacheSize*9/10 {
		t.Errorf("default capacity: got %d, want at most %d and close to it", capacity, DefaultVerifiedCacheSize)
	}
}

func TestVerifiedCacheRechecksTimes(t *testing.T) {
	t.Parallel()
	exp := fixedNow.Add(time.Minute)
	nbf := fixedNow.Add(-time.Minute)
	tests := []struct {
		name    string
		cfg     Config
		later   time.Time // clock of the second validation
		wantErr error
	}{
		{"before exp", Config{}, exp.Add(-time.Second), nil},
		{"exp passed, within the leeway", Config{}, exp.Add(4 * time.Second), nil},
		{"exp plus leeway reached", Config{}, exp.Add(DefaultLeeway), ErrExpired},
		{"long after exp", Config{}, exp.Add(time.Hour), ErrExpired},
		{"no leeway, exp reached", Config{NoLeeway: true}, exp, ErrExpired},
		{"custom leeway, exp passed within it", Config{Leeway: time.Minute}, exp.Add(59 * time.Second), nil},
		{"clock back before nbf, within the leeway", Config{}, nbf.Add(-4 * time.Second), nil},
		{"clock back before nbf minus leeway", Config{}, nbf.Add(-6 * time.Second), ErrNotYetValid},
		{"no leeway, clock back before nbf", Config{NoLeeway: true}, nbf.Add(-time.Second), ErrNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newTestClock(fixedNow)
			v, _ := newCacheValidator(t, clock, tt.cfg, key0())
			tok := sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{
				"exp": exp.Unix(), "nbf": nbf.Unix(),
			}))
			mustValidate(t, v, tok)
			if !cached(v, tok) {
				t.Fatal("token not cached")
			}
			clock.set(tt.later)
			_, err := v.Validate(context.Background(), tok)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("cached token at %s: got error %v, want %v", tt.later.Format(time.TimeOnly), err, tt.wantErr)
			}
			// The answer is the one a full verification gives.
			fresh, _ := newCacheValidator(t, clock, Config{VerifiedCacheSize: -1, Leeway: tt.cfg.Leeway, NoLeeway: tt.cfg.NoLeeway}, key0())
			if _, fullErr := fresh.Validate(context.Background(), tok); !errors.Is(fullErr, tt.wantErr) {
				t.Fatalf("full verification: got error %v, want %v", fullErr, tt.wantErr)
			}
		})
	}
}

func TestVerifiedCacheFutureNbfNotCached(t *testing.T) {
	t.Parallel()
	clock := newTestClock(fixedNow)
	v, _ := newCacheValidator(t, clock, Config{}, key0())
	tok := sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"nbf": fixedNow.Add(time.Minute).Unix()}))
	for range 2 {
		if _, err := v.Validate(context.Background(), tok); !errors.Is(err, ErrNotYetValid) {
			t.Fatalf("got error %v, want %v", err, ErrNotYetValid)
		}
	}
	if cached(v, tok) {
		t.Fatal("a refused token was cached")
	}
	clock.set(fixedNow.Add(time.Minute))
	mustValidate(t, v, tok)
	if !cached(v, tok) {
		t.Error("token not cached once nbf passed")
	}
}

func TestVerifiedCacheKeyLeavesSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		after   []jwk // the key set after the rotation
		wantErr error
	}{
		{"kid removed", []jwk{key1()}, ErrUnknownKey},
		{"kid now names another key", []jwk{{key: testKeys[1], kid: "k0", alg: "RS256"}}, ErrInvalidSignature},
		{"kid now pinned to another alg", []jwk{{key: testKeys[0], kid: "k0", alg: "RS384"}}, ErrAlgorithm},
		{"same key refetched", []jwk{key0(), key1()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newTestClock(fixedNow)
			v, idp := newCacheValidator(t, clock, Config{Algorithms: []string{"RS256", "RS384"}}, key0())
			tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))
			mustValidate(t, v, tok)

			idp.setJWKS(serveKeys("", jwksBody(t, tt.after...)))
			if err := v.refreshKeys(context.Background()); err != nil {
				t.Fatalf("refresh: %v", err)
			}
			_, err := v.Validate(context.Background(), tok)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("after rotation: got error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil && cached(v, tok) {
				t.Error("refused token still cached")
			}
		})
	}
}

func TestVerifiedCacheTamperedTokensMiss(t *testing.T) {
	t.Parallel()
	clock := newTestClock(fixedNow)
	v, _ := newCacheValidator(t, clock, Config{}, key0())
	tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))
	mustValidate(t, v, tok)
	parts := strings.Split(tok, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	other := strings.Split(sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"sub": "admin"})), ".")

	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"last signature character changed", parts[0] + "." + parts[1] + "." + flip(parts[2], len(parts[2])-2), ErrInvalidSignature},
		{"first signature character changed", parts[0] + "." + parts[1] + "." + flip(parts[2], 0), ErrInvalidSignature},
		{"payload swapped", parts[0] + "." + other[1] + "." + parts[2], ErrInvalidSignature},
		{"signature truncated", tok[:len(tok)-4], ErrInvalidSignature},
		{"trailing byte", tok + "A", ErrInvalidSignature},
		{"signature removed", parts[0] + "." + parts[1] + ".", ErrInvalidSignature},
		{"prefix only", parts[0] + "." + parts[1], ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if cached(v, tt.token) {
				t.Fatal("tampered token found in the cache")
			}
			_, err := v.Validate(context.Background(), tt.token)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if cached(v, tt.token) {
				t.Error("tampered token cached after its refusal")
			}
		})
	}
}

func TestVerifiedCacheSizeBound(t *testing.T) {
	t.Parallel()
	for _, size := range []int{2, 3, 10, 63, 64, 1000, DefaultVerifiedCacheSize} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			c := newVerifiedCache(size)
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for i := range 3 * size {
						tok := fmt.Sprintf("token-%d-%d", g, i)
						c.put(tok, verifiedEntry{kid: "k0"})
						c.get(tok)
						c.get(fmt.Sprintf("token-%d-%d", g, i/2))
					}
				})
			}
			wg.Wait()
			if got := c.len(); got > size {
				t.Fatalf("entries after a flood: got %d, want at most %d", got, size)
			}
			if got := c.len(); got < size/4 {
				t.Errorf("entries after a flood: got %d, want at least %d (the cache should stay in use)", got, size/4)
			}
		})
	}
}

func TestVerifiedCacheKeepsTokensInUse(t *testing.T) {
	t.Parallel()
	c := newVerifiedCache(100)
	c.put("hot", verifiedEntry{kid: "k0"})
	for i := range 10000 {
		c.put(fmt.Sprint("cold-", i), verifiedEntry{kid: "k0"})
		if _, ok := c.get("hot"); !ok {
			t.Fatalf("token in use evicted after %d inserts", i+1)
		}
	}
}

func TestVerifiedCacheFloodOfValidTokens(t *testing.T) {
	t.Parallel()
	clock := newTestClock(fixedNow)
	const size = 8
	v, _ := newCacheValidator(t, clock, Config{VerifiedCacheSize: size}, key0())
	for i := range 40 {
		tok := sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"sub": fmt.Sprint("U", i)}))
		mustValidate(t, v, tok)
		if got := v.verified.len(); got > size {
			t.Fatalf("after %d tokens: got %d entries, want at most %d", i+1, got, size)
		}
	}
}

// TestVerifiedCacheConcurrentRotation validates cached tokens while another
// goroutine removes and restores their key. A validation that starts after
// the key left the set must fail, whatever the cache holds.
func TestVerifiedCacheConcurrentRotation(t *testing.T) {
	t.Parallel()
	clock := newTestClock(fixedNow)
	// A refetch for the missing kid finds only k1, so it cannot bring k0 back.
	v, idp := newCacheValidator(t, clock, Config{RefetchCooldown: time.Hour}, key0(), key1())
	idp.setJWKS(serveKeys("", jwksBody(t, key1())))
	toks := make([]string, 4)
	for i := range toks {
		toks[i] = sign(t, testKeys[0], "k0", jose.RS256, with(claimsAt(fixedNow), map[string]any{"sub": fmt.Sprint("U", i)}))
		mustValidate(t, v, toks[i])
	}
	withK0 := v.keys.Load()
	withoutK0 := &keySet{keys: map[string]verificationKey{"k1": withK0.keys["k1"]}, fetchedAt: withK0.fetchedAt, ttl: withK0.ttl}

	// epoch is odd while the set without k0 is installed: it turns odd after
	// that set is stored and even before k0 comes back. A validation that
	// sees the same odd epoch before and after ran entirely without k0.
	var (
		epoch     atomic.Int64
		accepted  atomic.Int64
		falseAcks atomic.Int64
		stop      atomic.Bool
		wg        sync.WaitGroup
	)
	for g := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				before := epoch.Load()
				_, err := v.Validate(context.Background(), toks[(g+i)%len(toks)])
				removed := before%2 == 1 && epoch.Load() == before
				switch {
				case err == nil && removed:
					falseAcks.Add(1)
				case err == nil:
					accepted.Add(1)
				case !errors.Is(err, ErrUnknownKey):
					t.Errorf("got error %v, want none or %v", err, ErrUnknownKey)
				}
			}
		})
	}
	for range 200 {
		v.keys.Store(withoutK0)
		epoch.Add(1)
		for _, tok := range toks {
			if _, err := v.Validate(context.Background(), tok); !errors.Is(err, ErrUnknownKey) {
				t.Errorf("right after removing the key: got error %v, want %v", err, ErrUnknownKey)
			}
		}
		epoch.Add(1)
		v.keys.Store(withK0)
		for _, tok := range toks {
			mustValidate(t, v, tok) // repopulates the cache
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := falseAcks.Load(); n != 0 {
		t.Errorf("validations accepted after the key left the set: got %d, want 0", n)
	}
	if accepted.Load() == 0 {
		t.Error("no concurrent validation succeeded; the test exercised nothing")
	}
}

// TestUnknownKidFlood sends many concurrent tokens with unknown kids: the
// key set is fetched once per RefetchCooldown, not once per token.
func TestUnknownKidFlood(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{}, key0())
		load(t, v)
		unknown := make([]string, 8)
		for i := range unknown {
			unknown[i] = sign(t, testKeys[1], fmt.Sprint("unknown-", i), jose.RS256, claimsAt(time.Now()))
		}
		flood := func() {
			var wg sync.WaitGroup
			for range 25 {
				for _, tok := range unknown {
					wg.Go(func() {
						if _, err := v.Validate(context.Background(), tok); !errors.Is(err, ErrUnknownKey) {
							t.Errorf("got error %v, want %v", err, ErrUnknownKey)
						}
					})
				}
			}
			wg.Wait()
		}
		steps := []struct {
			sleep    time.Duration
			wantHits int32
		}{
			{0, 2},                          // initial load + one refetch for the whole flood
			{DefaultRefetchCooldown / 2, 2}, // within the cooldown: none
			{DefaultRefetchCooldown / 2, 3}, // cooldown over: exactly one more
			{0, 3},
		}
		for i, s := range steps {
			time.Sleep(s.sleep)
			flood()
			if got := idp.jwksHits.Load(); got != s.wantHits {
				t.Fatalf("step %d: key-set fetches got %d, want %d", i, got, s.wantHits)
			}
		}
	})
}
