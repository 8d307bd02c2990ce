package mockidp

import (
	"sync"
	"time"
)

// Clock is the mock's controllable time: it drives iat/exp of issued tokens
// and the key rotation schedule. It runs with its base clock, shifted by an
// offset that tests set or advance, or it is frozen at a fixed instant.
// A Clock is safe for concurrent use.
type Clock struct {
	base func() time.Time

	mu     sync.RWMutex
	offset time.Duration
	frozen bool
	at     time.Time // the instant when frozen
}

// NewClock returns a clock that follows base (time.Now when nil).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Now returns the mock's current time.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.at
	}
	return c.base().Add(c.offset)
}

// Set moves the clock to t. When freeze is true the clock stops there until
// advanced or set again; otherwise it keeps running from t.
func (c *Clock) Set(t time.Time, freeze bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = freeze
	c.at = t
	c.offset = t.Sub(c.base())
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.Set(c.Now(), true)
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	c.at = c.at.Add(d)
}

// Reset returns the clock to its base time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.frozen, c.at = 0, false, time.Time{}
}

// State reports the time, whether the clock is frozen and its offset from the base clock.
func (c *Clock) State() (now time.Time, frozen bool, offset time.Duration) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.at, true, c.at.Sub(c.base())
	}
	return c.base().Add(c.offset), false, c.offset
}
