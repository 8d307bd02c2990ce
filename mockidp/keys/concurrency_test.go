package keys_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

// Run with -race: readers and writers share the set.
func TestConcurrentReadersDuringRotation(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newSet(t, keys.Config{Now: clock.Now, RotateEvery: time.Hour, Keep: 12})
	stop := make(chan struct{})
	var readers sync.WaitGroup
	errs := make(chan string, 64)
	for range 8 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				snap := s.Snapshot()
				if snap.Current != snap.Kids[0] || !bytes.Contains(snap.JWKS, []byte(snap.Current)) {
					errs <- "snapshot is inconsistent: current " + snap.Current
					return
				}
				cur := s.Current()
				// Keep 12: a key just rotated out of current stays published.
				if _, ok := s.Lookup(cur.ID); !ok {
					errs <- "current key " + cur.ID + " not found by Lookup"
					return
				}
				_ = s.Published()
				_ = s.Revoked()
			}
		})
	}
	var writers sync.WaitGroup
	writers.Go(func() {
		for range 5 {
			if err := s.Rotate(1); err != nil {
				errs <- err.Error()
			}
		}
	})
	writers.Go(func() {
		for range 5 {
			clock.Add(time.Hour) // scheduled rotations performed by readers
			_ = s.Current()
		}
	})
	writers.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := s.Rotations(); got != 10 {
		t.Errorf("got %d rotations, want 10", got)
	}
	if got := len(s.Published()); got != 11 {
		t.Errorf("got %d published keys, want 11", got)
	}
}

func BenchmarkSnapshot(b *testing.B) {
	s := newSet(b, keys.Config{})
	if err := s.Rotate(12); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if len(s.Snapshot().JWKS) == 0 {
				b.Fatal("empty JWKS")
			}
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	s := newSet(b, keys.Config{})
	if err := s.Rotate(12); err != nil {
		b.Fatal(err)
	}
	kid := s.Published()[6].ID
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := s.Lookup(kid); !ok {
				b.Fatal("kid not found")
			}
		}
	})
}
