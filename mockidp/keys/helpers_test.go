package keys_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp/keys"
)

var fixturePEMs = sync.OnceValue(fixtures.KeyPEMs)

// pems returns the first n fixture keys.
func pems(t testing.TB, n int) [][]byte {
	t.Helper()
	all := fixturePEMs()
	if n > len(all) {
		t.Fatalf("want %d fixture keys, only %d exist", n, len(all))
	}
	return all[:n]
}

// newSet builds a Set from cfg, using all fixture keys when cfg.PEM is nil,
// and closes it when the test ends.
func newSet(t testing.TB, cfg keys.Config) *keys.Set {
	t.Helper()
	if cfg.PEM == nil {
		cfg.PEM = fixturePEMs()
	}
	s, err := keys.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// fixtureKid returns the kid of fixture key i (0-based).
func fixtureKid(t testing.TB, i int) string {
	t.Helper()
	s, err := keys.NewWithPool(keys.Config{PEM: pems(t, i+1)[i:]}, 0)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	return s.Current().ID
}

// kids returns the IDs of ks in order.
func kids(ks []*keys.Key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

// fakeClock is a manually moved clock for tests that move time backwards.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func assertKids(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("got kids %v, want %v", got, want)
	}
}
