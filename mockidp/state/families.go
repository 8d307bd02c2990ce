package state

import (
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// A refresh-token family is every refresh token descended from one code
// exchange. Refresh tokens are signed JWTs (as Descope's are) and the store
// remembers them by digest: which family each belongs to, which one is
// current, and which access tokens the family was issued, so revoking the
// family (logout, RFC 7009 revocation, a reused code or a reused rotated-away
// refresh token, as RFC 9700 §4.14.2 advises) revokes all of them.
//
// Every family is bounded: it remembers its newest MaxFamilyTokens refresh
// tokens (an older rotated-away one is then unknown, still refused) and its
// access tokens not yet expired, at most MaxFamilyTokens (a refresh past
// that is refused until some expire). The store is bounded by
// MaxRefreshFamilies and MaxRefreshFamilyBytes: at the limit expired
// families and revoked ones go first (a revoked family's unexpired access
// tokens move to the revoked list, bounded by MaxRevokedAccessTokens).

type tokenDigest [sha256.Size]byte

func digestOf(token string) tokenDigest { return sha256.Sum256([]byte(token)) }

// familyOverhead and tokenOverhead estimate what a family and each token
// digest it remembers (with its index entry) cost.
const (
	familyOverhead = 256
	tokenOverhead  = 112
)

type refreshFamily struct {
	id       string
	grant    Grant
	expires  time.Time // of the family's newest refresh token
	revoked  bool
	current  tokenDigest   // zero while a rotation is between use and issued
	members  []tokenDigest // the newest refresh tokens, oldest first
	accesses []accessRecord
}

// size is an estimate of the bytes a family holds.
func (f *refreshFamily) size() int {
	return familyOverhead + f.grant.size() + tokenOverhead*(len(f.members)+len(f.accesses))
}

type accessRecord struct {
	digest  tokenDigest
	expires time.Time
}

// tokenLedger tracks refresh-token families and revoked access tokens.
type tokenLedger struct {
	mu       sync.Mutex
	families map[string]*refreshFamily
	byToken  map[tokenDigest]*refreshFamily // refresh token to family
	byAccess map[tokenDigest]*refreshFamily // unexpired access token to family
	revoked  map[tokenDigest]time.Time      // access token revoked alone (or of a forgotten family) to its expiry
	bytes    int                            // sum of the families' sizes
	// Whether a sweep at the limit can free anything: the revoked families
	// held, and no family expires before nextExpiry. A full store of live
	// families is refused without walking it again (no quadratic flood).
	revokedFamilies int
	nextExpiry      time.Time
}

func (l *tokenLedger) resetLocked() {
	l.families = map[string]*refreshFamily{}
	l.byToken = map[tokenDigest]*refreshFamily{}
	l.byAccess = map[tokenDigest]*refreshFamily{}
	l.revoked = map[tokenDigest]time.Time{}
	l.bytes, l.revokedFamilies, l.nextExpiry = 0, 0, time.Time{}
}

// newFamily starts a family for a grant; its first tokens are added with issued.
func (l *tokenLedger) newFamilyLocked(g Grant, now time.Time) (string, error) {
	id := rand.Text()
	f := &refreshFamily{id: id, grant: g}
	// Room for the family and its first refresh and access token.
	need := f.size() + 2*tokenOverhead
	full := func() bool { return len(l.families) >= MaxRefreshFamilies || l.bytes+need > MaxRefreshFamilyBytes }
	if full() && (l.revokedFamilies > 0 || !now.Before(l.nextExpiry)) {
		l.pruneLocked(now, true)
	}
	if full() {
		return "", ErrRefreshFull
	}
	l.families[id] = f
	l.bytes += f.size()
	return id, nil
}

// issued records the tokens a family was just issued; refresh becomes its
// current refresh token ("" keeps the current one: no rotation).
func (l *tokenLedger) issued(family, refresh string, refreshExpires time.Time, access string, accessExpires time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.families[family]
	if !ok {
		return
	}
	l.bytes -= f.size()
	defer func() { l.bytes += f.size() }()
	if refresh != "" {
		d := digestOf(refresh)
		f.current, f.expires = d, refreshExpires
		if l.nextExpiry.IsZero() || refreshExpires.Before(l.nextExpiry) {
			l.nextExpiry = refreshExpires
		}
		if len(f.members) >= MaxFamilyTokens {
			delete(l.byToken, f.members[0])
			f.members = f.members[1:]
		}
		f.members = append(f.members, d)
		l.byToken[d] = f
	}
	if access != "" {
		d := digestOf(access)
		f.accesses = append(f.accesses, accessRecord{d, accessExpires})
		l.byAccess[d] = f
	}
}

// pruneAccessesLocked forgets a family's expired access tokens.
func (l *tokenLedger) pruneAccessesLocked(f *refreshFamily, now time.Time) {
	kept := f.accesses[:0]
	for _, a := range f.accesses {
		if now.Before(a.expires) {
			kept = append(kept, a)
		} else {
			delete(l.byAccess, a.digest)
			l.bytes -= tokenOverhead
		}
	}
	clear(f.accesses[len(kept):])
	f.accesses = kept
}

// use looks a refresh token up for a refresh by clientID. Reusing a
// rotated-away token revokes its family. With rotate the token stops being
// current at once, in the same critical section: of two refreshes racing
// with one token, one wins and the other is a reuse.
func (l *tokenLedger) useLocked(refresh, clientID string, rotate bool, now time.Time) (family string, g Grant, err error) {
	d := digestOf(refresh)
	f, ok := l.byToken[d]
	switch {
	case !ok:
		return "", Grant{}, ErrRefreshUnknown
	case f.grant.ClientID != clientID:
		return "", Grant{}, ErrRefreshClient
	case f.revoked:
		return "", Grant{}, ErrRefreshRevoked
	case f.current != d:
		l.revokeLocked(f)
		return "", Grant{}, ErrRefreshRotated
	case !now.Before(f.expires):
		return "", Grant{}, ErrRefreshExpired
	}
	l.pruneAccessesLocked(f, now)
	if len(f.accesses) >= MaxFamilyTokens {
		return "", Grant{}, ErrFamilyFull
	}
	if rotate {
		f.current = tokenDigest{}
	}
	return f.id, f.grant, nil
}

// peekLocked is useLocked without using: the grant of a live, current,
// unexpired refresh token of clientID, changing nothing (a rotated-away
// token is refused but revokes nothing: it was shown, not spent).
func (l *tokenLedger) peekLocked(refresh, clientID string, now time.Time) (Grant, error) {
	f, ok := l.byToken[digestOf(refresh)]
	switch {
	case !ok:
		return Grant{}, ErrRefreshUnknown
	case f.grant.ClientID != clientID:
		return Grant{}, ErrRefreshClient
	case f.revoked:
		return Grant{}, ErrRefreshRevoked
	case f.current != digestOf(refresh):
		return Grant{}, ErrRefreshRotated
	case !now.Before(f.expires):
		return Grant{}, ErrRefreshExpired
	}
	return f.grant, nil
}

// revokeFamilyLocked revokes a family and every access token it was issued.
func (l *tokenLedger) revokeFamilyLocked(family string) {
	if f, ok := l.families[family]; ok {
		l.revokeLocked(f)
	}
}

// revokeToken revokes what token is: a refresh token's family, or one access
// token. It reports whether it knew the token. clientID, when not "", must
// own the token.
func (l *tokenLedger) revokeToken(token string, accessExpires time.Time, accessClient, clientID string, now time.Time) (known bool, err error) {
	d := digestOf(token)
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.byToken[d]; ok {
		if clientID != "" && f.grant.ClientID != clientID {
			return true, ErrRefreshClient
		}
		l.revokeLocked(f)
		return true, nil
	}
	if accessClient == "" {
		return false, nil
	}
	if clientID != "" && accessClient != clientID {
		return true, ErrRefreshClient
	}
	if _, ok := l.revoked[d]; ok {
		return true, nil
	}
	if f, ok := l.byAccess[d]; ok && f.revoked {
		return true, nil
	}
	if len(l.revoked) >= MaxRevokedAccessTokens {
		l.pruneRevokedLocked(now)
		if len(l.revoked) >= MaxRevokedAccessTokens {
			return true, ErrRevokedFull
		}
	}
	l.revoked[d] = accessExpires
	return true, nil
}

// revokeUsersLocked revokes every family of the users at a client, or at
// every client with clientID "", and returns how many were live.
func (l *tokenLedger) revokeUsersLocked(users map[string]bool, clientID string) int {
	n := 0
	for _, f := range l.families {
		if users[f.grant.UserID] && (clientID == "" || f.grant.ClientID == clientID) && !f.revoked {
			l.revokeLocked(f)
			n++
		}
	}
	return n
}

// accessRevoked reports whether an access token was revoked.
func (l *tokenLedger) accessRevoked(token string) bool {
	d := digestOf(token)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.revoked[d]; ok {
		return true
	}
	f, ok := l.byAccess[d]
	return ok && f.revoked
}

func (l *tokenLedger) revokeLocked(f *refreshFamily) {
	if !f.revoked {
		f.revoked = true
		l.revokedFamilies++
	}
}

// pruneRevokedLocked forgets revoked access tokens past their expiry.
func (l *tokenLedger) pruneRevokedLocked(now time.Time) {
	for d, exp := range l.revoked {
		if !now.Before(exp) {
			delete(l.revoked, d)
		}
	}
}

// pruneLocked forgets families whose refresh tokens have all expired and,
// with revokedToo, revoked families (their unexpired access tokens move to
// the revoked list while it has room), and revoked access tokens past
// their expiry.
func (l *tokenLedger) pruneLocked(now time.Time, revokedToo bool) {
	l.pruneRevokedLocked(now)
	l.nextExpiry = time.Time{}
	for id, f := range l.families {
		expired := !f.expires.IsZero() && !now.Before(f.expires)
		if !expired && !(revokedToo && f.revoked) {
			if !f.expires.IsZero() && (l.nextExpiry.IsZero() || f.expires.Before(l.nextExpiry)) {
				l.nextExpiry = f.expires
			}
			continue
		}
		l.pruneAccessesLocked(f, now)
		if f.revoked {
			if len(l.revoked)+len(f.accesses) > MaxRevokedAccessTokens {
				continue // kept: the sweep can free it once its access tokens expire
			}
			for _, a := range f.accesses {
				l.revoked[a.digest] = a.expires
			}
		}
		for _, a := range f.accesses {
			delete(l.byAccess, a.digest)
		}
		for _, d := range f.members {
			delete(l.byToken, d)
		}
		l.bytes -= f.size()
		if f.revoked {
			l.revokedFamilies--
		}
		delete(l.families, id)
	}
}

// stats reports the families held, the live ones among them, the bytes
// they take and the access tokens revoked alone.
func (l *tokenLedger) stats(now time.Time) (families, live, bytes, revoked int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range l.families {
		if !f.revoked && (f.expires.IsZero() || now.Before(f.expires)) {
			live++
		}
	}
	return len(l.families), live, l.bytes, len(l.revoked)
}
