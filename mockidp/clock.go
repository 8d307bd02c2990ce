package mockidp

import (
	"sync"
	"sync/atomic"
	"time"
)

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
// advanced or set again; otherwise it keeps running from t.
func (c *Clock) Set(t time.Time, freeze bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st.Store(&clockState{frozen: freeze, at: t, offset: t.Sub(c.base())})
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.Set(c.Now(), true)
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := *c.st.Load()
	st.offset += d
	st.at = st.at.Add(d)
	c.st.Store(&st)
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
