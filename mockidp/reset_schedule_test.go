package mockidp_test

import (
	"testing"
	"time"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp"
)

// TestResetRestartsRotationScheduleFromTheResetClock: after the clock was
// moved forward, Reset (which also resets the clock) must restart the
// rotation schedule from the reset clock's now, so the next scheduled
// rotation comes one interval later, not "interval + the old offset" later.
func TestResetRestartsRotationScheduleFromTheResetClock(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_750_000_000, 0)
	now := base
	p := mockidp.DefaultProject()
	p.Keys.RotateEvery = mockidp.Duration(time.Hour)
	s, err := mockidp.New(mockidp.Config{Project: p, KeyPEM: fixtures.KeyPEMs(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)

	s.Advance(10 * time.Hour)
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	initial := s.KeysState().Current
	if got := s.Now(); !got.Equal(base) {
		t.Fatalf("after Reset: got clock %s, want %s", got, base)
	}
	s.Advance(time.Hour + time.Second)
	if got := s.KeysState(); got.Current == initial {
		t.Errorf("one interval after Reset: current key is still %s (rotations %d), want a scheduled rotation", got.Current, got.Rotations)
	}
}
