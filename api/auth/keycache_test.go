package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

var (
	key0 = func() jwk { return jwk{key: testKeys[0], kid: "k0", alg: "RS256"} }
	key1 = func() jwk { return jwk{key: testKeys[1], kid: "k1", alg: "RS256"} }
)

// validNow signs a token with k that is valid at the bubble's current time.
func validNow(t *testing.T, k jwk) string {
	t.Helper()
	return sign(t, k.key, k.kid, jose.RS256, claimsAt(time.Now()))
}

func TestKeyCacheTTLAndRefreshAhead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		cfg          Config
		cacheControl string
		wantTTL      time.Duration
	}{
		{"no Cache-Control uses the default", Config{}, "", time.Hour},
		{"max-age honoured", Config{}, "public, max-age=300", 300 * time.Second},
		{"max-age clamped up to the minimum", Config{}, "max-age=1", time.Minute},
		{"max-age clamped down to the maximum", Config{}, "max-age=9999999", 24 * time.Hour},
		{"bad max-age uses the default", Config{}, "max-age=soon", time.Hour},
		{"no-store uses the default", Config{}, "no-store", time.Hour},
		{"configured default", Config{CacheTTL: 10 * time.Minute}, "", 10 * time.Minute},
		{"configured default clamped to MinCacheTTL", Config{CacheTTL: time.Second}, "", time.Minute},
		{"configured clamps", Config{MinCacheTTL: 2 * time.Minute, MaxCacheTTL: 3 * time.Minute}, "max-age=3600", 3 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				v, idp := newBubbleValidator(t, tt.cfg)
				idp.setJWKS(serveKeys(tt.cacheControl, jwksBody(t, key0())))
				v.Start(t.Context())
				synctest.Wait()
				if !v.Ready() {
					t.Fatal("not ready after Start")
				}
				if got := v.keys.Load().ttl; got != tt.wantTTL {
					t.Fatalf("ttl: got %v, want %v", got, tt.wantTTL)
				}
				// The refresh happens at 80% of the TTL, not before.
				refreshAt := time.Duration(float64(tt.wantTTL) * 0.8)
				time.Sleep(refreshAt - time.Second)
				synctest.Wait()
				if got := idp.jwksHits.Load(); got != 1 {
					t.Fatalf("fetches just before 80%% of the TTL: got %d, want 1", got)
				}
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if got := idp.jwksHits.Load(); got != 2 {
					t.Fatalf("fetches just after 80%% of the TTL: got %d, want 2", got)
				}
			})
		})
	}
}

func TestKeyCacheRefreshPicksUpRotation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{}, key0())
		idp.setJWKS(serveKeys("max-age=100", jwksBody(t, key0())))
		v.Start(t.Context())
		synctest.Wait()

		idp.setJWKS(serveKeys("max-age=100", jwksBody(t, key0(), key1())))
		time.Sleep(81 * time.Second)
		synctest.Wait()
		if got := idp.jwksHits.Load(); got != 2 {
			t.Fatalf("fetches: got %d, want 2", got)
		}
		if _, err := v.Validate(context.Background(), validNow(t, key1())); err != nil {
			t.Fatalf("token signed with the rotated-in key: %v", err)
		}
		if got := idp.jwksHits.Load(); got != 2 {
			t.Errorf("fetches after validating with the new key: got %d, want 2 (no refetch needed)", got)
		}
	})
}

func TestKeyCacheUnknownKidCooldown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{}, key0())
		load(t, v)
		newKid := validNow(t, key1())

		steps := []struct {
			sleep    time.Duration
			wantErr  error
			wantHits int32
		}{
			{0, ErrUnknownKey, 2},               // first miss refetches
			{0, ErrUnknownKey, 2},               // within the cooldown: no fetch
			{4 * time.Second, ErrUnknownKey, 2}, // still within 5s
			{time.Second, ErrUnknownKey, 3},     // cooldown over: one more fetch
		}
		for i, s := range steps {
			time.Sleep(s.sleep)
			_, err := v.Validate(context.Background(), newKid)
			if !errors.Is(err, s.wantErr) {
				t.Fatalf("step %d: got error %v, want %v", i, err, s.wantErr)
			}
			if got := idp.jwksHits.Load(); got != s.wantHits {
				t.Fatalf("step %d: fetches got %d, want %d", i, got, s.wantHits)
			}
		}

		// The provider rotates k1 in; after the cooldown the miss finds it.
		idp.setJWKS(serveKeys("", jwksBody(t, key0(), key1())))
		time.Sleep(5 * time.Second)
		if _, err := v.Validate(context.Background(), newKid); err != nil {
			t.Fatalf("after rotation: got error %v, want none", err)
		}
		if got := idp.jwksHits.Load(); got != 4 {
			t.Errorf("fetches after rotation: got %d, want 4", got)
		}
	})
}

func TestKeyCacheConcurrentMissesShareOneFetch(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{}, key0())
		load(t, v)
		rotated := jwksBody(t, key0(), key1())
		idp.setJWKS(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Second) // a slow provider: every miss arrives while the fetch runs
			serveKeys("", rotated)(w, r)
		})
		tok := validNow(t, key1())

		const callers = 100
		var wg sync.WaitGroup
		var failures atomic.Int32
		for range callers {
			wg.Go(func() {
				if _, err := v.Validate(context.Background(), tok); err != nil {
					failures.Add(1)
				}
			})
		}
		wg.Wait()
		if got := failures.Load(); got != 0 {
			t.Errorf("failed validations: got %d, want 0", got)
		}
		if got := idp.jwksHits.Load(); got != 2 {
			t.Errorf("fetches: got %d, want 2 (initial + one shared refetch for %d misses)", got, callers)
		}
	})
}

func TestKeyCacheKeepsLastGood(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler func(t *testing.T) http.HandlerFunc
	}{
		{"500", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }
		}},
		{"empty key set", func(*testing.T) http.HandlerFunc { return serveKeys("", `{"keys":[]}`) }},
		{"malformed JSON", func(*testing.T) http.HandlerFunc { return serveKeys("", `{"keys":[`) }},
		{"HTML error page", func(*testing.T) http.HandlerFunc { return serveKeys("", `<html>busy</html>`) }},
		{"only unusable keys", func(t *testing.T) http.HandlerFunc {
			return serveKeys("", jwksBody(t, jwk{key: weakKey, kid: "weak", alg: "RS256"}, jwk{key: testKeys[1], kid: "enc", use: "enc"}))
		}},
		{"404", func(*testing.T) http.HandlerFunc { return http.NotFound }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				v, idp := newBubbleValidator(t, Config{}, key0())
				v.Start(t.Context())
				synctest.Wait()
				good := v.keys.Load()
				if good == nil {
					t.Fatal("not ready after Start")
				}
				idp.setJWKS(tt.handler(t))

				// Past the refresh point (48 min of a 1h TTL) and past expiry.
				time.Sleep(2 * time.Hour)
				synctest.Wait()
				if got := idp.jwksHits.Load(); got < 3 {
					t.Fatalf("fetches: got %d, want the refresher to keep trying (>= 3)", got)
				}
				if got := v.keys.Load(); got.keys["k0"].key != good.keys["k0"].key || len(got.keys) != 1 {
					t.Fatalf("key set replaced by a bad fetch: got %d keys", len(got.keys))
				}
				if _, err := v.Validate(context.Background(), validNow(t, key0())); err != nil {
					t.Fatalf("valid token after a bad fetch: got error %v, want none", err)
				}
				// An unknown kid during the outage is still just unknown.
				if _, err := v.Validate(context.Background(), validNow(t, key1())); !errors.Is(err, ErrUnknownKey) {
					t.Fatalf("unknown kid during outage: got %v, want ErrUnknownKey", err)
				}
			})
		})
	}
}

func TestKeyCacheHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{}, key0())
		idp.setJWKS(serveKeys("max-age=60", jwksBody(t, key0())))
		v.Start(t.Context())
		synctest.Wait()

		idp.setJWKS(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		time.Sleep(49 * time.Second) // refresh at 48s gets the 429
		synctest.Wait()
		if got := idp.jwksHits.Load(); got != 2 {
			t.Fatalf("fetches after the refresh point: got %d, want 2", got)
		}
		// An unknown kid inside the Retry-After window must not fetch either.
		if _, err := v.Validate(context.Background(), validNow(t, key1())); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("got %v, want ErrUnknownKey", err)
		}
		time.Sleep(117 * time.Second) // 48s + 117s < 48s + 120s
		synctest.Wait()
		if got := idp.jwksHits.Load(); got != 2 {
			t.Fatalf("fetches inside the Retry-After window: got %d, want 2", got)
		}

		idp.setJWKS(serveKeys("max-age=60", jwksBody(t, key0(), key1())))
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if got := idp.jwksHits.Load(); got != 3 {
			t.Fatalf("fetches after the Retry-After window: got %d, want 3", got)
		}
		if _, err := v.Validate(context.Background(), validNow(t, key1())); err != nil {
			t.Fatalf("after the window: got %v, want none", err)
		}
	})
}

func TestKeyCacheETag(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		v, idp := newBubbleValidator(t, Config{})
		var notModified atomic.Int32
		body := jwksBody(t, key0())
		idp.setJWKS(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "max-age=100")
			if r.Header.Get("If-None-Match") == `"v1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprint(w, body)
		})
		v.Start(t.Context())
		synctest.Wait()
		first := v.keys.Load()

		time.Sleep(81 * time.Second)
		synctest.Wait()
		if got := notModified.Load(); got != 1 {
			t.Fatalf("304 responses: got %d, want 1", got)
		}
		renewed := v.keys.Load()
		if renewed.keys["k0"].key != first.keys["k0"].key {
			t.Fatal("304 replaced the keys, want them kept")
		}
		if got, want := renewed.fetchedAt.Sub(first.fetchedAt), 80*time.Second; got != want {
			t.Errorf("TTL renewal: got fetchedAt moved by %v, want %v", got, want)
		}
		// The renewed TTL schedules the next refresh 80s after the 304.
		time.Sleep(78 * time.Second)
		synctest.Wait()
		if got := idp.jwksHits.Load(); got != 2 {
			t.Errorf("fetches before the renewed refresh point: got %d, want 2", got)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := idp.jwksHits.Load(); got != 3 {
			t.Errorf("fetches after the renewed refresh point: got %d, want 3", got)
		}
	})
}
