package state

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
)

// RefreshState is where a Descope refresh token stands.
type RefreshState uint8

// The states of a refresh token.
const (
	RefreshLive      RefreshState = iota
	RefreshRotated                // replaced by a newer refresh token (rotation)
	RefreshLoggedOut              // ended by logout, logout-all or a revocation
)

// Session is what the mock remembers of one issued Descope refresh token,
// keyed by the token's jti. The token itself is not kept.
type Session struct {
	UserID  string
	Tenant  string         // dct of the tokens it issues
	AMR     []string       // shared, never modified
	Custom  map[string]any // custom claims carried by its session tokens; never modified
	Expires int64          // unix seconds: the refresh token's exp
	State   RefreshState
	// Size is what it counts against MaxSessionBytes (SessionSize).
	Size int
}

// sessionOverhead is what the store spends on one refresh token besides its
// strings and custom claims: the map entry, the jti key and the struct.
const sessionOverhead = 160

// SessionSize is what a session counts against MaxSessionBytes; custom is
// the length of its custom claims as JSON.
func SessionSize(sess *Session, custom int) int {
	return sessionOverhead + len(sess.UserID) + len(sess.Tenant) + custom
}

// sessionStore holds the refresh tokens the mock issued. Entries past their
// expiry are swept as new ones arrive, so a long run stays bounded by the
// tokens alive at once.
type sessionStore struct {
	mu      sync.Mutex
	byJTI   map[string]*Session
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

func (st *sessionStore) resetLocked() {
	st.byJTI = make(map[string]*Session)
	st.bytes, st.inserts, st.ended, st.nextExpiry = 0, 0, 0, 0
}

// add records a new refresh token; now is the mock's unix time. At
// MaxSessions or MaxSessionBytes it first forgets expired and ended tokens,
// and refuses the new one (ErrSessionLimit) when every one held is still
// live. sess.Size must be set (sessionBytes).
func (st *sessionStore) addLocked(jti string, sess *Session, now int64) error {
	st.inserts++
	if st.inserts%sweepEvery == 0 {
		st.sweepLocked(now, maxEnded)
	}
	full := func() bool { return len(st.byJTI) >= MaxSessions || st.bytes+sess.Size > MaxSessionBytes }
	if full() && (st.ended > 0 || now >= st.nextExpiry) {
		st.sweepLocked(now, 0)
	}
	if full() {
		return ErrSessionLimit
	}
	st.byJTI[jti] = sess
	st.bytes += sess.Size
	if st.nextExpiry == 0 || sess.Expires < st.nextExpiry {
		st.nextExpiry = sess.Expires
	}
	if sess.State != RefreshLive {
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
		case v.Expires <= now:
			st.forgetLocked(k, v)
		case v.State != RefreshLive:
			ended++
		}
	}
	for k, v := range st.byJTI {
		if ended > keepEnded && v.State != RefreshLive {
			st.forgetLocked(k, v)
		} else if st.nextExpiry == 0 || v.Expires < st.nextExpiry {
			st.nextExpiry = v.Expires
		}
	}
}

func (st *sessionStore) forgetLocked(jti string, s *Session) {
	st.bytes -= s.Size
	if s.State != RefreshLive {
		st.ended--
	}
	delete(st.byJTI, jti)
}

// get returns a copy of the session of a refresh token.
func (st *sessionStore) get(jti string) (Session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.byJTI[jti]
	if !ok {
		return Session{}, false
	}
	return *s, true
}

// transition moves a live session to state and reports whether it was live:
// two refreshes racing with one rotated token cannot both succeed.
func (st *sessionStore) transition(jti string, state RefreshState) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.byJTI[jti]
	if !ok || s.State != RefreshLive {
		return false
	}
	s.State = state
	st.ended++
	return true
}

// logoutUsersLocked ends every live session of the users and returns how many.
func (st *sessionStore) logoutUsersLocked(users map[string]bool) int {
	n := 0
	for _, s := range st.byJTI {
		if users[s.UserID] && s.State == RefreshLive {
			s.State = RefreshLoggedOut
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
		if s.State == RefreshLive {
			live++
		}
	}
	return live, len(st.byJTI)
}

// NewSessionID returns a random refresh-token ID (the jti claim).
func NewSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}
