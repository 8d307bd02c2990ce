package mockidp

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"sync"
	"time"
)

// A refresh-token family is every refresh token descended from one code
// exchange. Refresh tokens are signed JWTs (as Descope's are) and the store
// remembers them by digest: which family each belongs to, which one is
// current, and which access tokens the family was issued, so revoking the
// family (logout, RFC 7009 revocation, a reused code or a reused rotated-away
// refresh token, as RFC 9700 §4.14.2 advises) revokes all of them.

// maxRefreshFamilies bounds the store.
const maxRefreshFamilies = 100_000

// Refresh failures (each an invalid_grant to the client).
var (
	errRefreshUnknown = errors.New("refresh token is not known")
	errRefreshRevoked = errors.New("refresh token has been revoked")
	errRefreshRotated = errors.New("refresh token was rotated away and reused; its family is revoked")
	errRefreshClient  = errors.New("refresh token was issued to another client")
	errRefreshExpired = errors.New("refresh token has expired")
	errRefreshFull    = errors.New("too many outstanding refresh-token families")
)

type tokenDigest [sha256.Size]byte

func digestOf(token string) tokenDigest { return sha256.Sum256([]byte(token)) }

type refreshFamily struct {
	id       string
	grant    authGrant
	expires  time.Time // of the family's newest refresh token
	revoked  bool
	current  tokenDigest
	members  []tokenDigest // every refresh token of the family
	accesses []accessRecord
}

type accessRecord struct {
	digest  tokenDigest
	expires time.Time
}

// tokenLedger tracks refresh-token families and revoked access tokens.
type tokenLedger struct {
	now func() time.Time

	mu       sync.Mutex
	families map[string]*refreshFamily
	byToken  map[tokenDigest]*refreshFamily
	revoked  map[tokenDigest]time.Time // revoked access token to its expiry
}

func newTokenLedger(now func() time.Time) *tokenLedger {
	l := &tokenLedger{now: now}
	l.clear()
	return l
}

func (l *tokenLedger) clear() {
	l.mu.Lock()
	l.families = map[string]*refreshFamily{}
	l.byToken = map[tokenDigest]*refreshFamily{}
	l.revoked = map[tokenDigest]time.Time{}
	l.mu.Unlock()
}

// newFamily starts a family for a grant; its first tokens are added with issued.
func (l *tokenLedger) newFamily(g authGrant) (string, error) {
	id := rand.Text()
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.families) >= maxRefreshFamilies {
		l.pruneLocked(now)
		if len(l.families) >= maxRefreshFamilies {
			return "", errRefreshFull
		}
	}
	l.families[id] = &refreshFamily{id: id, grant: g}
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
	if refresh != "" {
		d := digestOf(refresh)
		f.current, f.expires = d, refreshExpires
		f.members = append(f.members, d)
		l.byToken[d] = f
	}
	if access != "" {
		f.accesses = append(f.accesses, accessRecord{digestOf(access), accessExpires})
		if f.revoked {
			l.revoked[digestOf(access)] = accessExpires
		}
	}
}

// use looks a refresh token up for a refresh by clientID. Reusing a
// rotated-away token revokes its family.
func (l *tokenLedger) use(refresh, clientID string) (family string, g authGrant, err error) {
	d := digestOf(refresh)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.byToken[d]
	switch {
	case !ok:
		return "", authGrant{}, errRefreshUnknown
	case f.grant.ClientID != clientID:
		return "", authGrant{}, errRefreshClient
	case f.revoked:
		return "", authGrant{}, errRefreshRevoked
	case f.current != d:
		l.revokeLocked(f)
		return "", authGrant{}, errRefreshRotated
	case !now.Before(f.expires):
		return "", authGrant{}, errRefreshExpired
	}
	return f.id, f.grant, nil
}

// revokeFamily revokes a family and every access token it was issued.
func (l *tokenLedger) revokeFamily(family string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.families[family]; ok {
		l.revokeLocked(f)
	}
}

// revokeToken revokes what token is: a refresh token's family, or one access
// token. It reports the client the token was issued to ("" when unknown) and
// whether it knew the token. clientID, when not "", must own the token.
func (l *tokenLedger) revokeToken(token string, accessExpires time.Time, accessClient, clientID string) (known bool, err error) {
	d := digestOf(token)
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.byToken[d]; ok {
		if clientID != "" && f.grant.ClientID != clientID {
			return true, errRefreshClient
		}
		l.revokeLocked(f)
		return true, nil
	}
	if accessClient == "" {
		return false, nil
	}
	if clientID != "" && accessClient != clientID {
		return true, errRefreshClient
	}
	l.revoked[d] = accessExpires
	l.boundRevokedLocked()
	return true, nil
}

// revokeUser revokes every family of a user at a client (logout).
func (l *tokenLedger) revokeUser(userID, clientID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, f := range l.families {
		if f.grant.UserID == userID && (clientID == "" || f.grant.ClientID == clientID) && !f.revoked {
			l.revokeLocked(f)
			n++
		}
	}
	return n
}

// accessRevoked reports whether an access token was revoked.
func (l *tokenLedger) accessRevoked(token string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.revoked[digestOf(token)]
	return ok
}

func (l *tokenLedger) revokeLocked(f *refreshFamily) {
	f.revoked = true
	for _, a := range f.accesses {
		l.revoked[a.digest] = a.expires
	}
	l.boundRevokedLocked()
}

// boundRevokedLocked keeps the revoked access tokens bounded: past the
// limit, those already expired (which no validator accepts) are dropped.
func (l *tokenLedger) boundRevokedLocked() {
	if len(l.revoked) > maxRefreshFamilies {
		l.pruneLocked(l.now())
	}
}

// pruneLocked drops families whose refresh tokens have all expired and
// revoked access tokens past their expiry.
func (l *tokenLedger) pruneLocked(now time.Time) {
	for id, f := range l.families {
		if !f.expires.IsZero() && !now.Before(f.expires) {
			for _, d := range f.members {
				delete(l.byToken, d)
			}
			delete(l.families, id)
		}
	}
	for d, exp := range l.revoked {
		if !now.Before(exp) {
			delete(l.revoked, d)
		}
	}
}
