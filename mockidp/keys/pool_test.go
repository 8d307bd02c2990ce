package keys_test

import (
	"testing"
	"testing/synctest"

	"github.com/descope-harness/harness/mockidp/keys"
)

func TestRotationUsesTheBackgroundPool(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, err := keys.New(keys.Config{RotateEvery: -1}) // no PEM: keys are generated
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		synctest.Wait() // the generator blocks once the pool is full
		if got := s.PoolGenerations(); got != 2 {
			t.Fatalf("got %d pooled keys, want a full pool of 2", got)
		}
		if err := s.Rotate(2); err != nil {
			t.Fatal(err)
		}
		if got := s.SyncGenerations(); got != 0 {
			t.Errorf("got %d keys generated on the caller's goroutine, want 0 (pool)", got)
		}
		synctest.Wait()
		if got := s.PoolGenerations(); got != 4 {
			t.Errorf("got %d pooled keys after the refill, want 4", got)
		}
		if got := len(s.Published()); got != 3 {
			t.Errorf("got %d published keys, want 3", got)
		}
	})
}

func TestRotationGeneratesSynchronouslyWhenThePoolIsEmpty(t *testing.T) {
	t.Parallel()
	s, err := keys.NewWithPool(keys.Config{PEM: pems(t, 1), RotateEvery: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Rotate(1); err != nil {
		t.Fatal(err)
	}
	if got := s.SyncGenerations(); got != 1 {
		t.Errorf("got %d synchronous generations, want 1 (fallback)", got)
	}
	if cur := s.Current(); cur.Private.N.BitLen() != 2048 || !kidPattern.MatchString(cur.ID) {
		t.Errorf("got a %d-bit key with kid %q, want 2048 bits and an SK kid", cur.Private.N.BitLen(), cur.ID)
	}
}

func TestPoolStaysIdleWhilePEMKeysLast(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newSet(t, keys.Config{RotateEvery: -1}) // 16 fixture keys
		if err := s.Rotate(10); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := s.PoolGenerations() + s.SyncGenerations(); got != 0 {
			t.Errorf("got %d generated keys with 5 PEM keys left, want 0", got)
		}
	})
}

func TestUnpublished(t *testing.T) {
	t.Parallel()
	s := newSet(t, keys.Config{Keep: 3, RotateEvery: -1})
	u := s.Unpublished()
	if u == nil || u.Private == nil || !kidPattern.MatchString(u.ID) {
		t.Fatalf("got %+v, want a key with an SK kid", u)
	}
	if again := s.Unpublished(); again != u {
		t.Errorf("got a different key on the second call, want the same one")
	}
	for round := range 6 {
		if _, ok := s.Lookup(u.ID); ok {
			t.Fatalf("round %d: got the unpublished key %s published", round, u.ID)
		}
		for _, k := range s.Published() {
			if k.Private.PublicKey.Equal(&u.Private.PublicKey) {
				t.Fatalf("round %d: got the unpublished key's material published as %s", round, k.ID)
			}
		}
		if err := s.Rotate(3); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCloseIsIdempotentAndTheSetKeepsWorking(t *testing.T) {
	t.Parallel()
	s, err := keys.New(keys.Config{PEM: pems(t, 1), RotateEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if err := s.Rotate(1); err != nil {
		t.Fatalf("rotate after Close: %v", err)
	}
	if got := len(s.Published()); got != 2 {
		t.Errorf("got %d published keys, want 2", got)
	}
}
