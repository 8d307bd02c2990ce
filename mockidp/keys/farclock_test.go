package keys_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

// fixtureGenerator returns a key generator that hands out the fixture keys
// in turn instead of generating: tests and benchmarks of many rotations
// then measure the set, not RSA prime search.
func fixtureGenerator(tb testing.TB) func(int) (*rsa.PrivateKey, error) {
	tb.Helper()
	var privs []*rsa.PrivateKey
	for _, b := range fixturePEMs() {
		block, _ := pem.Decode(b)
		if block == nil {
			tb.Fatal("fixture key is not PEM")
		}
		var priv *rsa.PrivateKey
		if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			priv = k
		} else if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			priv = k.(*rsa.PrivateKey)
		} else {
			tb.Fatalf("fixture key: %v", err)
		}
		privs = append(privs, priv)
	}
	var next atomic.Uint64
	return func(int) (*rsa.PrivateKey, error) {
		return privs[(next.Add(1)-1)%uint64(len(privs))], nil
	}
}

// farClock is a clock tests move by any amount, past time.Duration's 292 years.
type farClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *farClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *farClock) jump(years int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.AddDate(years, 0, 0)
}

// TestCatchUpAfterTenThousandYears: one read after the clock jumps 10,000
// years performs every rotation due, arithmetically, stamps the published
// keys at their scheduled instants, and leaves nothing due for the next read.
// (time.Duration saturates at 292 years: the catch-up used to stop there and
// start again on every read, generating keys each time.)
func TestCatchUpAfterTenThousandYears(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &farClock{now: start}
	s, err := keys.NewWithGenerator(keys.Config{Now: clock.Now, RotateEvery: time.Hour, Keep: 2}, fixtureGenerator(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)

	clock.jump(10_000)
	hours := uint64(clock.Now().Unix()-start.Unix()) / 3600 // Sub would saturate
	published := s.Published()
	if got := s.Rotations(); got != hours {
		t.Fatalf("after the jump: got %d rotations, want %d (one per hour of 10,000 years)", got, hours)
	}
	if len(published) != 3 {
		t.Fatalf("got %d published keys, want Keep+1 = 3", len(published))
	}
	for i, k := range published {
		if want := clock.Now().Add(-time.Duration(i) * time.Hour); !k.Created.Equal(want) {
			t.Errorf("key %d: got Created %v, want %v", i, k.Created, want)
		}
	}
	version := s.Snapshot().Version
	for range 3 {
		s.Snapshot()
	}
	if got := s.Rotations(); got != hours {
		t.Errorf("later reads: got %d rotations, want still %d", got, hours)
	}
	if got := s.Snapshot().Version; got != version {
		t.Errorf("later reads changed the set: version %d, want %d", got, version)
	}
	if got := s.SyncGenerations(); got > 3 {
		t.Errorf("got %d keys generated on the request path, want at most Keep+1 = 3", got)
	}
}

// BenchmarkKeySetAfterClockJump reads the key set ten times after moving the
// clock, per op: not at all (ordinary reads), by Keep+1 rotation intervals
// (13 days: every published key is replaced), or by 10,000 years (3.65
// million rotations are due). The last two must cost the same: the catch-up
// is arithmetic, makes at most Keep+1 keys and leaves nothing due for the
// next nine reads. Keys come from
// the fixtures, so RSA prime search is not measured.
func BenchmarkKeySetAfterClockJump(b *testing.B) {
	for _, bc := range []struct {
		name string
		move func(*farClock)
	}{
		{"ordinary", func(*farClock) {}},
		{"keep+1-rotations", func(c *farClock) {
			c.mu.Lock()
			c.now = c.now.Add((keys.DefaultKeep + 1) * keys.DefaultRotateEvery)
			c.mu.Unlock()
		}},
		{"10000-years", func(c *farClock) { c.jump(10_000) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			clock := &farClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			s, err := keys.NewWithGenerator(keys.Config{Now: clock.Now}, fixtureGenerator(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(s.Close)
			s.Snapshot()
			b.ReportAllocs()
			for b.Loop() {
				bc.move(clock)
				for range 10 {
					if len(s.Snapshot().JWKS) == 0 {
						b.Fatal("empty key set")
					}
				}
			}
		})
	}
}
