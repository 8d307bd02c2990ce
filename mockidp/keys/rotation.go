package keys

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"
)

// load returns the current state after performing any scheduled rotations
// that are due. Readers only take the lock when a rotation is due.
func (s *Set) load() *state {
	st := s.st.Load()
	if !s.due(st, s.now()) {
		return st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catchUpLocked()
}

// due reports whether a scheduled rotation is due at now. A clock moved
// backwards is never due.
func (s *Set) due(st *state, now time.Time) bool {
	return s.every > 0 && now.Sub(st.lastRotation) >= s.every
}

// catchUpLocked performs floor(elapsed/RotateEvery) scheduled rotations and
// stores the result. The count is worked out arithmetically, so any gap
// costs the same: at most Keep+1 keys are made (rotateLocked). On a key
// generation failure it logs and keeps the old state, so the rotation is
// retried by the next call. s.mu must be held.
func (s *Set) catchUpLocked() *state {
	st := s.st.Load()
	now := s.now()
	if !s.due(st, now) {
		return st
	}
	n, at := periodsBetween(st.lastRotation, now, s.every)
	next, err := s.rotateLocked(st, n, func(i uint64) time.Time {
		// The i-th rotation happened n-i periods before at; only the last
		// Keep+1 are stamped, so n-i is small.
		return at.Add(-mulDuration(n-i, s.every))
	})
	if err != nil {
		s.log.Error("scheduled key rotation failed", "err", err)
		return st
	}
	next.lastRotation = at
	s.st.Store(next)
	s.log.Info("keys rotated on schedule", "rotations", n, "current", next.current.key.ID)
	return next
}

// periodsBetween is how many whole periods of every fit from from to to
// (to after from) and the instant from + n×every. It is exact for gaps
// beyond time.Duration's 292 years, where to.Sub(from) saturates: the gap is
// counted in 128-bit nanoseconds.
func periodsBetween(from, to time.Time, every time.Duration) (n uint64, at time.Time) {
	if d := to.Sub(from); d < math.MaxInt64 {
		n = uint64(d / every)
		return n, to.Add(-(d % every))
	}
	secs := uint64(to.Unix() - from.Unix()) // positive: the gap is over 292 years
	hi, lo := bits.Mul64(secs, uint64(time.Second))
	var borrow uint64
	if dn := to.Nanosecond() - from.Nanosecond(); dn >= 0 {
		var carry uint64
		lo, carry = bits.Add64(lo, uint64(dn), 0)
		hi += carry
	} else {
		lo, borrow = bits.Sub64(lo, uint64(-dn), 0)
		hi -= borrow
	}
	if hi >= uint64(every) {
		// More than 2^64 periods: beyond any time the clock can hold
		// with every >= 1s; count what fits.
		return math.MaxUint64, to
	}
	n, rem := bits.Div64(hi, lo, uint64(every))
	return n, to.Add(-time.Duration(rem))
}

// mulDuration is k×d, saturated at the largest Duration.
func mulDuration(k uint64, d time.Duration) time.Duration {
	if d > 0 && k > uint64(math.MaxInt64/int64(d)) {
		return math.MaxInt64
	}
	return time.Duration(k) * d
}

// Rotate rotates the set now, n times (n >= 1). On-demand rotations do not
// move the schedule of scheduled ones.
func (s *Set) Rotate(n int) error {
	if n < 1 {
		return fmt.Errorf("rotate: n is %d, want at least 1", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.catchUpLocked()
	now := s.now()
	next, err := s.rotateLocked(st, uint64(n), func(uint64) time.Time { return now })
	if err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	s.st.Store(next)
	s.log.Info("keys rotated on demand", "rotations", n, "current", next.current.key.ID)
	return nil
}

// Revoke is "rotate and revoke": the key kid leaves the published set at
// once. If it is the current key, the set rotates first so that a new
// current key exists. A kid that is not published gives ErrUnknownKey.
func (s *Set) Revoke(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.catchUpLocked()
	if _, ok := st.byKid[kid]; !ok {
		return fmt.Errorf("revoke %q: %w", kid, ErrUnknownKey)
	}
	if st.current.key.ID == kid {
		now := s.now()
		rotated, err := s.rotateLocked(st, 1, func(uint64) time.Time { return now })
		if err != nil {
			return fmt.Errorf("revoke %q: %w", kid, err)
		}
		// rotated is never stored: the revocation below makes one change of it.
		st = rotated
	}
	previous := slices.DeleteFunc(slices.Clone(st.previous), func(e entry) bool { return e.key.ID == kid })
	revoked := append(slices.Clone(st.revoked), kid)
	next := s.newState(s.st.Load(), st.current, previous, revoked, st.pemNext, st.lastRotation)
	s.st.Store(next)
	s.log.Info("key revoked", "kid", kid, "current", next.current.key.ID)
	return nil
}

// Reset returns the set to its configured start state: the initial current
// key only, nothing revoked, PEM keys used again from the second one, and
// the rotation schedule restarted from Now(). It counts as a change
// (Version increments); the ETag returns to its initial value.
func (s *Set) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pemNext := 0
	if len(s.pemKeys) > 0 {
		pemNext = 1
	}
	next := s.newState(s.st.Load(), entry{key: s.initial}, nil, nil, pemNext, s.now())
	s.st.Store(next)
	s.wakePool(pemNext)
	s.log.Info("key set reset", "current", s.initial.ID)
	return nil
}

// rotateLocked returns the state after n rotations of st, without storing
// it. created(i) stamps the key made current by the i-th rotation (1-based).
// Only the keys of the last Keep+1 rotations can stay published, so only
// those are made; the skipped rotations still consume PEM keys in order, so
// the result equals n single rotations. s.mu must be held.
func (s *Set) rotateLocked(st *state, n uint64, created func(i uint64) time.Time) (*state, error) {
	if n == 0 {
		return st, nil
	}
	window := uint64(s.keep) + 1
	skip := uint64(0)
	if n > window {
		skip = n - window
	}
	pemNext := st.pemNext
	if remaining := uint64(len(s.pemKeys) - pemNext); remaining > 0 {
		pemNext += int(min(skip, remaining))
	}
	newSeq := st.current.seq + n
	fresh := make([]entry, 0, n-skip)
	for i := skip + 1; i <= n; i++ {
		k, fromPEM, err := s.nextKey(pemNext)
		if err != nil {
			return nil, err
		}
		if fromPEM {
			pemNext++
		}
		k.Created = created(i)
		fresh = append(fresh, entry{key: k, seq: st.current.seq + i})
	}
	slices.Reverse(fresh) // newest first
	candidates := append(fresh, st.current)
	candidates = append(candidates, st.previous...)
	previous := make([]entry, 0, s.keep)
	for _, e := range candidates[1:] {
		if newSeq-e.seq <= uint64(s.keep) {
			previous = append(previous, e)
		}
	}
	s.rotations.Add(n)
	s.wakePool(pemNext)
	return s.newState(st, candidates[0], previous, st.revoked, pemNext, st.lastRotation), nil
}

// nextKey returns a new, unstamped key for a rotation: the next PEM key if
// any is left, else one from the background pool, else one generated here
// (the documented fallback when the pool is empty).
func (s *Set) nextKey(pemNext int) (k *Key, fromPEM bool, err error) {
	if pemNext < len(s.pemKeys) {
		p := s.pemKeys[pemNext]
		return &Key{ID: p.ID, Private: p.Private}, true, nil
	}
	if p := s.takePooled(); p != nil {
		return &Key{ID: p.ID, Private: p.Private}, false, nil
	}
	s.syncGenerations.Add(1)
	s.log.Warn("key pool empty: generating a key synchronously")
	priv, err := s.generate(s.bits)
	if err != nil {
		return nil, false, fmt.Errorf("generating a key: %w", err)
	}
	k, err = newKey(priv)
	return k, false, err
}
