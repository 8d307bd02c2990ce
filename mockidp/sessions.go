package mockidp

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
)

// refreshState is where a refresh token stands.
type refreshState uint8

const (
	refreshLive      refreshState = iota
	refreshRotated                // replaced by a newer refresh token (rotation)
	refreshLoggedOut              // ended by logout, logout-all or a revocation
)

// session is what the mock remembers of one issued refresh token, keyed by
// the token's jti. The token itself is not kept.
type session struct {
	userID  string
	tenant  string         // dct of the tokens it issues
	amr     []string       // shared, never modified
	custom  map[string]any // custom claims carried by its session tokens; never modified
	expires int64          // unix seconds: the refresh token's exp
	state   refreshState
	size    int // bytes it counts against MaxSessionBytes (sessionBytes)
}

// sessionOverhead is what the store spends on one refresh token besides its
// strings and custom claims: the map entry, the jti key and the struct.
const sessionOverhead = 160

// sessionBytes is what a session counts against MaxSessionBytes; custom is
// the length of its custom claims as JSON.
func sessionBytes(sess *session, custom int) int {
	return sessionOverhead + len(sess.userID) + len(sess.tenant) + custom
}

// sessionStore holds the refresh tokens the mock issued. Entries past their
// expiry are swept as new ones arrive, so a long run stays bounded by the
// tokens alive at once.
type sessionStore struct {
	mu      sync.Mutex
	byJTI   map[string]*session
	bytes   int // sum of the sessions' sizes
	inserts int
	// Whether a sweep at the limit can free anything: the ended sessions
	// held, and none expires before nextExpiry (a full store of live
	// sessions is refused without walking it again).
	ended      int
	nextExpiry int64
}

// sweepEvery is how many inserts pass between sweeps of expired sessions;
// maxEnded is how many ended (rotated or logged-out) refresh tokens a sweep
// keeps, so that a long run of rotations cannot grow the store without
// bound. Past it, ended tokens are forgotten: refresh then refuses them as
// unknown (401 E061005) instead of as logged out (E064001).
const (
	sweepEvery = 4096
	maxEnded   = 100_000
)

// errSessionLimit: the store holds MaxSessions refresh tokens (or
// MaxSessionBytes), none of them expired or ended, and takes no more.
var errSessionLimit = errors.New("session limit reached")

func (st *sessionStore) reset() {
	st.mu.Lock()
	st.byJTI = make(map[string]*session)
	st.bytes, st.inserts, st.ended, st.nextExpiry = 0, 0, 0, 0
	st.mu.Unlock()
}

// add records a new refresh token; now is the mock's unix time. At
// MaxSessions or MaxSessionBytes it first forgets expired and ended tokens,
// and refuses the new one (errSessionLimit) when every one held is still
// live. sess.size must be set (sessionBytes).
func (st *sessionStore) add(jti string, sess *session, now int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byJTI == nil {
		st.byJTI = make(map[string]*session)
	}
	st.inserts++
	if st.inserts%sweepEvery == 0 {
		st.sweepLocked(now, maxEnded)
	}
	full := func() bool { return len(st.byJTI) >= MaxSessions || st.bytes+sess.size > MaxSessionBytes }
	if full() && (st.ended > 0 || now >= st.nextExpiry) {
		st.sweepLocked(now, 0)
	}
	if full() {
		return errSessionLimit
	}
	st.byJTI[jti] = sess
	st.bytes += sess.size
	if st.nextExpiry == 0 || sess.expires < st.nextExpiry {
		st.nextExpiry = sess.expires
	}
	if sess.state != refreshLive {
		st.ended++
	}
	return nil
}

// sweepLocked forgets expired refresh tokens, and ended ones too when more
// than keepEnded of them are held.
func (st *sessionStore) sweepLocked(now int64, keepEnded int) {
	ended := 0
	st.nextExpiry = 0
	for k, v := range st.byJTI {
		switch {
		case v.expires <= now:
			st.forgetLocked(k, v)
		case v.state != refreshLive:
			ended++
		}
	}
	for k, v := range st.byJTI {
		if ended > keepEnded && v.state != refreshLive {
			st.forgetLocked(k, v)
		} else if st.nextExpiry == 0 || v.expires < st.nextExpiry {
			st.nextExpiry = v.expires
		}
	}
}

func (st *sessionStore) forgetLocked(jti string, s *session) {
	st.bytes -= s.size
	if s.state != refreshLive {
		st.ended--
	}
	delete(st.byJTI, jti)
}

// get returns a copy of the session of a refresh token.
func (st *sessionStore) get(jti string) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.byJTI[jti]
	if !ok {
		return session{}, false
	}
	return *s, true
}

// transition moves a live session to state and reports whether it was live:
// two refreshes racing with one rotated token cannot both succeed.
func (st *sessionStore) transition(jti string, state refreshState) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.byJTI[jti]
	if !ok || s.state != refreshLive {
		return false
	}
	s.state = state
	st.ended++
	return true
}

// logoutUser ends every live session of a user and returns how many.
func (st *sessionStore) logoutUser(userID string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for _, s := range st.byJTI {
		if s.userID == userID && s.state == refreshLive {
			s.state = refreshLoggedOut
			st.ended++
			n++
		}
	}
	return n
}

// counts reports live sessions and all remembered ones.
func (st *sessionStore) counts() (live, total int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.byJTI {
		if s.state == refreshLive {
			live++
		}
	}
	return live, len(st.byJTI)
}

// newSessionID returns a random refresh-token ID (the jti claim).
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}
