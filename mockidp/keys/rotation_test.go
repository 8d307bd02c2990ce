package keys_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/descope-harness/harness/mockidp/keys"
)

func TestScheduledRotationAtTheBoundary(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s := newSet(t, keys.Config{RotateEvery: time.Hour, Keep: 3})
		first := s.Current()

		time.Sleep(time.Hour - time.Nanosecond)
		if got := s.Rotations(); got != 0 {
			t.Fatalf("1ns before the boundary: got %d rotations, want 0", got)
		}
		if got := s.Current().ID; got != first.ID {
			t.Fatalf("1ns before the boundary: got current %s, want %s", got, first.ID)
		}

		time.Sleep(time.Nanosecond)
		if got := s.Current().ID; got != fixtureKid(t, 1) {
			t.Fatalf("at the boundary: got current %s, want fixture 2's %s", got, fixtureKid(t, 1))
		}
		if got := s.Rotations(); got != 1 {
			t.Fatalf("at the boundary: got %d rotations, want 1", got)
		}
		if got, want := s.Current().Created, start.Add(time.Hour); !got.Equal(want) {
			t.Errorf("got Created %v, want the boundary %v", got, want)
		}
		assertKids(t, kids(s.Published()), fixtureKid(t, 1), first.ID)

		time.Sleep(time.Hour - time.Nanosecond)
		if got := s.Rotations(); got != 1 {
			t.Fatalf("before the second boundary: got %d rotations, want 1", got)
		}
		time.Sleep(time.Nanosecond)
		if got := s.Rotations(); got != 2 {
			t.Fatalf("at the second boundary: got %d rotations, want 2", got)
		}
	})
}

func TestScheduledRotationCatchesUpAfterALongJump(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		// No pool: every generated key is counted as a synchronous generation.
		s, err := keys.NewWithPool(keys.Config{PEM: pems(t, 16), RotateEvery: time.Hour, Keep: 2}, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)

		time.Sleep(100*time.Hour + 30*time.Minute)
		if got := s.Rotations(); got != 100 {
			t.Fatalf("got %d rotations, want 100", got)
		}
		published := s.Published()
		if len(published) != 3 {
			t.Fatalf("got %d published keys, want Keep+1 = 3", len(published))
		}
		for i, k := range published {
			if want := start.Add(time.Duration(100-i) * time.Hour); !k.Created.Equal(want) {
				t.Errorf("key %d: got Created %v, want %v", i, k.Created, want)
			}
		}
		// 15 PEM keys are consumed by skipped rotations; only the 3 keys that
		// stay published are generated.
		if got := s.SyncGenerations(); got != 3 {
			t.Errorf("got %d generated keys, want 3 (only the keys that stay published)", got)
		}

		// The schedule advanced by whole intervals: the next rotation is at 101h.
		time.Sleep(30*time.Minute - time.Nanosecond)
		if got := s.Rotations(); got != 100 {
			t.Fatalf("before 101h: got %d rotations, want 100", got)
		}
		time.Sleep(time.Nanosecond)
		if got := s.Rotations(); got != 101 {
			t.Fatalf("at 101h: got %d rotations, want 101", got)
		}
	})
}

func TestCatchUpEqualsSingleRotations(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		jumped := newSet(t, keys.Config{RotateEvery: time.Minute, Keep: 3})
		stepped := newSet(t, keys.Config{RotateEvery: -1, Keep: 3})
		time.Sleep(10 * time.Minute)
		if err := stepped.Rotate(10); err != nil {
			t.Fatal(err)
		}
		assertKids(t, kids(jumped.Published()), kids(stepped.Published())...)
		assertKids(t, kids(jumped.Published()), fixtureKid(t, 10), fixtureKid(t, 9), fixtureKid(t, 8), fixtureKid(t, 7))
	})
}

func TestClockMovedBackwardsRotatesNothing(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newSet(t, keys.Config{Now: clock.Now, RotateEvery: time.Hour})
	clock.Add(-48 * time.Hour)
	if got := s.Rotations(); got != 0 {
		t.Fatalf("after moving back 48h: got %d rotations, want 0", got)
	}
	clock.Add(48*time.Hour + time.Hour)
	if got := s.Rotations(); got != 1 {
		t.Fatalf("back at start+1h: got %d rotations, want 1", got)
	}
}

func TestScheduledRotationDisabled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newSet(t, keys.Config{RotateEvery: -1})
		time.Sleep(1000 * time.Hour)
		if got := s.Rotations(); got != 0 {
			t.Fatalf("got %d rotations, want 0 with RotateEvery < 0", got)
		}
	})
}

func TestDefaultScheduleIsDaily(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newSet(t, keys.Config{})
		time.Sleep(24*time.Hour - time.Second)
		if got := s.Rotations(); got != 0 {
			t.Fatalf("before 24h: got %d rotations, want 0", got)
		}
		time.Sleep(time.Second)
		if got := s.Rotations(); got != 1 {
			t.Fatalf("at 24h: got %d rotations, want 1", got)
		}
	})
}

func TestRotationWindowKeepsKeepPreviousKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keep int
		want int // published keys once the window is full
	}{
		{"negative keep publishes only the current key", -1, 1},
		{"keep 1", 1, 2},
		{"keep 3", 3, 4},
		{"zero means the Descope default of 12", 0, 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSet(t, keys.Config{Keep: tt.keep, RotateEvery: -1})
			initial := s.Current().ID
			// tt.want-1 rotations fill the window; the initial key is still published.
			if tt.want > 1 {
				if err := s.Rotate(tt.want - 1); err != nil {
					t.Fatal(err)
				}
			}
			published := kids(s.Published())
			if len(published) != tt.want || published[len(published)-1] != initial {
				t.Fatalf("full window: got %v, want %d keys ending with the initial %s", published, tt.want, initial)
			}
			// One more rotation (Keep+1 in all) drops the oldest key.
			if err := s.Rotate(1); err != nil {
				t.Fatal(err)
			}
			published = kids(s.Published())
			if len(published) != tt.want {
				t.Fatalf("got %d published keys, want %d", len(published), tt.want)
			}
			if _, ok := s.Lookup(initial); ok {
				t.Errorf("got the initial key %s still published after Keep+1 rotations, want it gone", initial)
			}
			if got, want := published[0], fixtureKid(t, tt.want); got != want {
				t.Errorf("got current %s, want fixture %d's %s", got, tt.want+1, want)
			}
			for i, kid := range published {
				if want := fixtureKid(t, tt.want-i); kid != want {
					t.Errorf("published[%d]: got %s, want %s (newest to oldest)", i, kid, want)
				}
			}
		})
	}
}

func TestRotateRejectsNonPositiveCounts(t *testing.T) {
	t.Parallel()
	s := newSet(t, keys.Config{})
	for _, n := range []int{0, -1} {
		if err := s.Rotate(n); err == nil {
			t.Errorf("Rotate(%d): got no error, want one", n)
		}
	}
	if got := s.Rotations(); got != 0 {
		t.Errorf("got %d rotations after rejected calls, want 0", got)
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		revoke        func(t *testing.T) string // kid to revoke, given fixture kids
		wantErr       error
		wantCurrent   func(t *testing.T) string
		wantPublished func(t *testing.T) []string
		wantRotations uint64
	}{
		{
			name:          "current key rotates first",
			revoke:        func(t *testing.T) string { return fixtureKid(t, 2) },
			wantCurrent:   func(t *testing.T) string { return fixtureKid(t, 3) },
			wantPublished: func(t *testing.T) []string { return []string{fixtureKid(t, 3), fixtureKid(t, 1), fixtureKid(t, 0)} },
			wantRotations: 3,
		},
		{
			name:          "previous key leaves at once",
			revoke:        func(t *testing.T) string { return fixtureKid(t, 1) },
			wantCurrent:   func(t *testing.T) string { return fixtureKid(t, 2) },
			wantPublished: func(t *testing.T) []string { return []string{fixtureKid(t, 2), fixtureKid(t, 0)} },
			wantRotations: 2,
		},
		{
			name:          "unknown kid",
			revoke:        func(*testing.T) string { return "SKnotakeyatallnotakeyatallnot" },
			wantErr:       keys.ErrUnknownKey,
			wantCurrent:   func(t *testing.T) string { return fixtureKid(t, 2) },
			wantPublished: func(t *testing.T) []string { return []string{fixtureKid(t, 2), fixtureKid(t, 1), fixtureKid(t, 0)} },
			wantRotations: 2,
		},
		{
			name:          "known but unpublished kid",
			revoke:        func(t *testing.T) string { return fixtureKid(t, 5) },
			wantErr:       keys.ErrUnknownKey,
			wantCurrent:   func(t *testing.T) string { return fixtureKid(t, 2) },
			wantPublished: func(t *testing.T) []string { return []string{fixtureKid(t, 2), fixtureKid(t, 1), fixtureKid(t, 0)} },
			wantRotations: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSet(t, keys.Config{Keep: 3, RotateEvery: -1})
			if err := s.Rotate(2); err != nil {
				t.Fatal(err)
			}
			before := s.Snapshot()
			kid := tt.revoke(t)
			err := s.Revoke(kid)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if got, want := s.Current().ID, tt.wantCurrent(t); got != want {
				t.Errorf("got current %s, want %s", got, want)
			}
			assertKids(t, kids(s.Published()), tt.wantPublished(t)...)
			if got := s.Rotations(); got != tt.wantRotations {
				t.Errorf("got %d rotations, want %d", got, tt.wantRotations)
			}
			after := s.Snapshot()
			if tt.wantErr != nil {
				if len(s.Revoked()) != 0 || after.Version != before.Version {
					t.Errorf("failed revoke: got revoked %v, version %d→%d, want no change", s.Revoked(), before.Version, after.Version)
				}
				return
			}
			assertKids(t, s.Revoked(), kid)
			if _, ok := s.Lookup(kid); ok {
				t.Errorf("got revoked %s still found by Lookup, want it gone", kid)
			}
			if after.Version != before.Version+1 {
				t.Errorf("got version %d→%d, want one change", before.Version, after.Version)
			}
			if err := s.Revoke(kid); !errors.Is(err, keys.ErrUnknownKey) {
				t.Errorf("revoking again: got %v, want ErrUnknownKey", err)
			}
		})
	}
}

func TestRevokedKeyDoesNotLengthenTheWindow(t *testing.T) {
	t.Parallel()
	s := newSet(t, keys.Config{Keep: 2, RotateEvery: -1})
	if err := s.Rotate(2); err != nil { // published: f2 f1 f0
		t.Fatal(err)
	}
	if err := s.Revoke(fixtureKid(t, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Rotate(1); err != nil { // f0 is now 3 rotations old
		t.Fatal(err)
	}
	assertKids(t, kids(s.Published()), fixtureKid(t, 3), fixtureKid(t, 2))
}

func TestReset(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newSet(t, keys.Config{Keep: 3, RotateEvery: time.Hour})
		initial := s.Snapshot()
		if err := s.Rotate(3); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(fixtureKid(t, 1)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(90 * time.Minute) // one scheduled rotation, half an interval into the next
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
		snap := s.Snapshot()
		assertKids(t, snap.Kids, fixtureKid(t, 0))
		if got := s.Revoked(); len(got) != 0 {
			t.Errorf("got revoked %v after Reset, want none", got)
		}
		if snap.ETag != initial.ETag {
			t.Errorf("got ETag %s, want the initial %s", snap.ETag, initial.ETag)
		}
		if snap.Version <= initial.Version {
			t.Errorf("got version %d, want more than %d", snap.Version, initial.Version)
		}
		// Rotations after Reset reuse the PEM keys from the second one.
		if err := s.Rotate(1); err != nil {
			t.Fatal(err)
		}
		assertKids(t, kids(s.Published()), fixtureKid(t, 1), fixtureKid(t, 0))
		// The schedule restarted at Reset: the next scheduled rotation is a full hour later.
		rotations := s.Rotations()
		time.Sleep(time.Hour - time.Nanosecond)
		if got := s.Rotations(); got != rotations {
			t.Fatalf("before an hour after Reset: got %d rotations, want %d", got, rotations)
		}
		time.Sleep(time.Nanosecond)
		if got := s.Rotations(); got != rotations+1 {
			t.Fatalf("an hour after Reset: got %d rotations, want %d", got, rotations+1)
		}
	})
}

func TestVersionAndETagChangeOnlyWithTheSet(t *testing.T) {
	t.Parallel()
	s := newSet(t, keys.Config{Keep: 3, RotateEvery: -1})
	tests := []struct {
		name   string
		op     func() error
		change bool
	}{
		{"read current", func() error { s.Current(); return nil }, false},
		{"read published and lookup", func() error { s.Published(); s.Lookup(s.Current().ID); return nil }, false},
		{"unpublished key", func() error { s.Unpublished(); return nil }, false},
		{"rotate", func() error { return s.Rotate(1) }, true},
		{"rotate three times", func() error { return s.Rotate(3) }, true},
		{"rejected rotate", func() error { _ = s.Rotate(0); return nil }, false},
		{"revoke previous", func() error { return s.Revoke(s.Published()[1].ID) }, true},
		{"revoke current", func() error { return s.Revoke(s.Current().ID) }, true},
		{"revoke unknown", func() error { _ = s.Revoke("SKunknown"); return nil }, false},
		{"reset", s.Reset, true},
	}
	// Sequential: each step depends on the previous one.
	for _, tt := range tests {
		before := s.Snapshot()
		if err := tt.op(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		after := s.Snapshot()
		if !tt.change {
			if after.Version != before.Version || after.ETag != before.ETag {
				t.Errorf("%s: got version %d→%d, ETag %s→%s, want no change", tt.name, before.Version, after.Version, before.ETag, after.ETag)
			}
			continue
		}
		if after.Version != before.Version+1 {
			t.Errorf("%s: got version %d→%d, want +1", tt.name, before.Version, after.Version)
		}
		if after.ETag == before.ETag {
			t.Errorf("%s: got unchanged ETag %s, want a new one", tt.name, after.ETag)
		}
	}
}
