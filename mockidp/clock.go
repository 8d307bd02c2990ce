package mockidp

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// MaxClockOffset bounds every way of moving a Clock (Set, frozen or not, and
// Advance; over HTTP and from Go): it stays within 200 years of its base
// clock. That keeps its offset far from time.Duration's 292-year limit and
// every token time a positive unix second a JSON number holds exactly.
const MaxClockOffset = 200 * 365 * 24 * time.Hour

// ClockRangeError is a clock move refused by MaxClockOffset.
type ClockRangeError struct {
	Want           time.Time // where the clock would have gone
	Earliest, Last time.Time // the bounds at the time of the call
}

func (e *ClockRangeError) Error() string {
	return fmt.Sprintf("the clock must stay within 200 years of real time (%s to %s); %s is outside",
		e.Earliest.UTC().Format(time.RFC3339), e.Last.UTC().Format(time.RFC3339), describeInstant(e.Want))
}

// describeInstant formats t for a message even where RFC 3339 cannot (years
// past 9999 or before 0).
func describeInstant(t time.Time) string {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Sprintf("unix second %d (year %d)", t.Unix(), y)
	}
	return t.UTC().Format(time.RFC3339)
}

// checkRange refuses t when it is more than MaxClockOffset from base.
func checkRange(base, t time.Time) error {
	lo, hi := base.Add(-MaxClockOffset), base.Add(MaxClockOffset)
	if t.Before(lo) || t.After(hi) {
		return &ClockRangeError{Want: t, Earliest: lo, Last: hi}
	}
	return nil
}

// Clock is the mock's controllable time: it drives iat/exp of issued tokens
// and the key rotation schedule. It runs with its base clock, shifted by an
// offset that tests set or advance, or it is frozen at a fixed instant.
// A Clock is safe for concurrent use.
type Clock struct {
	base func() time.Time

	mu sync.Mutex // serialises writers; readers load st
	st atomic.Pointer[clockState]
}

// clockState is an immutable setting of a Clock; every change stores a new one.
type clockState struct {
	offset time.Duration
	frozen bool
	at     time.Time // the instant when frozen
}

// NewClock returns a clock that follows base (time.Now when nil).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	c := &Clock{base: base}
	c.st.Store(&clockState{})
	return c
}

// Now returns the mock's current time.
func (c *Clock) Now() time.Time {
	st := c.st.Load()
	if st.frozen {
		return st.at
	}
	return c.base().Add(st.offset)
}

// Set moves the clock to t. When freeze is true the clock stops there until
// advanced or set again; otherwise it keeps running from t. A t more than
// MaxClockOffset from the base clock is refused with a *ClockRangeError.
func (c *Clock) Set(t time.Time, freeze bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := c.base()
	if err := checkRange(base, t); err != nil {
		return err
	}
	c.st.Store(&clockState{frozen: freeze, at: t, offset: t.Sub(base)})
	return nil
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Now()
	c.st.Store(&clockState{frozen: true, at: now, offset: now.Sub(c.base())})
}

// Advance moves the clock forward by d (backward when d is negative). A
// move to more than MaxClockOffset from the base clock is refused with a
// *ClockRangeError.
func (c *Clock) Advance(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := *c.st.Load()
	base := c.base()
	now := base.Add(st.offset)
	if st.frozen {
		now = st.at
	}
	if err := checkRange(base, now.Add(d)); err != nil {
		return err
	}
	st.offset += d
	st.at = st.at.Add(d)
	c.st.Store(&st)
	return nil
}

// Reset returns the clock to its base time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st.Store(&clockState{})
}

// State reports the time, whether the clock is frozen and its offset from the base clock.
func (c *Clock) State() (now time.Time, frozen bool, offset time.Duration) {
	st := c.st.Load()
	if st.frozen {
		return st.at, true, st.at.Sub(c.base())
	}
	return c.base().Add(st.offset), false, st.offset
}
