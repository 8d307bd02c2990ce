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
}

// sessionStore holds the refresh tokens the mock issued. Entries past their
// expiry are swept as new ones arrive, so a long run stays bounded by the
// tokens alive at once.
type sessionStore struct {
	mu      sync.Mutex
	byJTI   map[string]*session
	inserts int
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

// errSessionLimit: the store holds MaxSessions refresh tokens, none of them
// expired or ended, and takes no more.
var errSessionLimit = errors.New("session limit reached")

func (st *sessionStore) reset() {
	st.mu.Lock()
	st.byJTI = make(map[string]*session)
	st.inserts = 0
	st.mu.Unlock()
}

// add records a new refresh token; now is the mock's unix time. At
// MaxSessions it first forgets expired and ended tokens, and refuses the
// new one (errSessionLimit) when every one held is still live.
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
	if len(st.byJTI) >= MaxSessions {
		st.sweepLocked(now, 0)
		if len(st.byJTI) >= MaxSessions {
			return errSessionLimit
		}
	}
	st.byJTI[jti] = sess
	return nil
}

// sweepLocked forgets expired refresh tokens, and ended ones too when more
// than keepEnded of them are held.
func (st *sessionStore) sweepLocked(now int64, keepEnded int) {
	ended := 0
	for k, v := range st.byJTI {
		switch {
		case v.expires <= now:
			delete(st.byJTI, k)
		case v.state != refreshLive:
			ended++
		}
	}
	if ended > keepEnded {
		for k, v := range st.byJTI {
			if v.state != refreshLive {
				delete(st.byJTI, k)
			}
		}
	}
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
			n++
		}
	}
	return n
}

// revokeUser is logoutUser for the control plane and user deletion.
func (st *sessionStore) revokeUser(userID string) int { return st.logoutUser(userID) }

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

// revokeUsers ends every live session of the listed users in one pass.
func (st *sessionStore) revokeUsers(userIDs []string) {
	if len(userIDs) == 0 {
		return
	}
	set := make(map[string]bool, len(userIDs))
	for _, id := range userIDs {
		set[id] = true
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.byJTI {
		if set[s.userID] && s.state == refreshLive {
			s.state = refreshLoggedOut
		}
	}
}
