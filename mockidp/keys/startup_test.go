package keys_test

import (
	"crypto/rsa"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp/keys"
)

// TestPoolWaitsForTheInitialRaceLoser: at start-up the pool does not
// generate a key beside the loser of the initial race; it takes the loser's
// key when it is done, and only then generates.
func TestPoolWaitsForTheInitialRaceLoser(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one racer on a single processor: there is no loser")
	}
	t.Parallel()
	fixtures := parsedKeys(t, 3)
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		generate := func(int) (*rsa.PrivateKey, error) {
			switch n := calls.Add(1); n {
			case 1:
				return fixtures[0], nil // the winner
			case 2:
				<-release // the loser, still searching for primes
				return fixtures[1], nil
			default:
				return fixtures[2], nil
			}
		}
		s, err := keys.NewWithGenerator(keys.Config{RotateEvery: -1}, generate)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		synctest.Wait()
		if got := calls.Load(); got != 2 {
			t.Fatalf("got %d generations while the loser runs, want 2 (the two racers only)", got)
		}
		if got := s.PoolGenerations(); got != 0 {
			t.Fatalf("got %d pooled keys before the loser is done, want 0", got)
		}
		close(release)
		synctest.Wait()
		if got := calls.Load(); got != 3 {
			t.Errorf("got %d generations once the pool is full, want 3", got)
		}
		if got := s.PoolGenerations(); got != 2 {
			t.Errorf("got %d pooled keys, want a full pool of 2 (the loser's and one more)", got)
		}
		if err := s.Rotate(1); err != nil {
			t.Fatal(err)
		}
		if s.SyncGenerations() != 0 {
			t.Errorf("the rotation generated a key synchronously, want one from the pool")
		}
	})
}

// TestCloseWhileThePoolWaitsForTheLoser: Close returns while the loser of
// the initial race still runs.
func TestCloseWhileThePoolWaitsForTheLoser(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one racer on a single processor: there is no loser")
	}
	t.Parallel()
	fixtures := parsedKeys(t, 2)
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		s, err := keys.NewWithGenerator(keys.Config{RotateEvery: -1}, func(int) (*rsa.PrivateKey, error) {
			if calls.Add(1) == 1 {
				return fixtures[0], nil
			}
			<-release
			return fixtures[1], nil
		})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		s.Close() // must not wait for the loser
		close(release)
		synctest.Wait()
		if got := s.PoolGenerations(); got != 0 {
			t.Errorf("got %d pooled keys after Close, want 0", got)
		}
	})
}

// parsedKeys parses the first n fixture keys.
func parsedKeys(t *testing.T, n int) []*rsa.PrivateKey {
	t.Helper()
	return fixtures.PrivateKeys()[:n]
}
