package state

import (
	"crypto/rand"
	"sync"
	"time"
)

// Grant is what one login granted a client: who logged in, how and when,
// and what the client asked for. Authorization codes and refresh-token
// families carry it.
type Grant struct {
	ClientID    string
	RedirectURI string
	Challenge   string // S256 code challenge; "" when none was sent
	Nonce       string
	Scopes      []string
	UserID      string
	AMR         []string
	AuthTime    time.Time
	IssuerForm  string // IssuerURL for /oauth2/v1, IssuerApps for /oauth2/v1/apps
}

// grantOverhead is what a grant costs besides its strings: the struct, its
// slices' headers and the auth time.
const grantOverhead = 192

// size is an estimate of the bytes a grant holds.
func (g *Grant) size() int {
	n := grantOverhead + len(g.ClientID) + len(g.RedirectURI) + len(g.Challenge) + len(g.Nonce) + len(g.UserID) + len(g.IssuerForm)
	for _, s := range g.Scopes {
		n += 16 + len(s)
	}
	for _, s := range g.AMR {
		n += 16 + len(s)
	}
	return n
}

// codeEntryOverhead is what a code costs besides its grant: the map entry,
// the 52-character code and the entry.
const codeEntryOverhead = 128

// authCodeEntry is one issued code.
type authCodeEntry struct {
	grant   Grant
	expires time.Time
	used    bool
	family  string // the refresh-token family its exchange started
	size    int    // codeEntryOverhead + grant.size()
}

// authCodeStore holds authorization codes: single-use, short-lived on the
// mock's clock, bound to client, redirect URI and PKCE challenge.
type authCodeStore struct {
	mu    sync.Mutex
	m     map[string]*authCodeEntry
	bytes int // sum of the entries' sizes
	// Whether a sweep at the limit can free anything: used codes held, and
	// no code expires before nextExpiry (a full store of fresh codes is
	// refused without walking it again).
	used       int
	nextExpiry time.Time
}

// issue stores a grant under a new random code.
func (c *authCodeStore) issueLocked(g Grant, now time.Time) (string, error) {
	code := rand.Text() + rand.Text() // 256 bits
	e := &authCodeEntry{grant: g, expires: now.Add(AuthorizationCodeTTL), size: codeEntryOverhead + g.size()}
	full := func() bool { return len(c.m) >= MaxAuthorizationCodes || c.bytes+e.size > MaxAuthorizationCodeBytes }
	if full() && (c.used > 0 || !now.Before(c.nextExpiry)) {
		// Expired and used codes go first: a used code is kept only to
		// revoke what it issued if it comes back, which an unknown code
		// cannot do but is refused all the same.
		c.nextExpiry = time.Time{}
		for k, old := range c.m {
			if old.used || !now.Before(old.expires) {
				c.deleteLocked(k, old)
			} else if c.nextExpiry.IsZero() || old.expires.Before(c.nextExpiry) {
				c.nextExpiry = old.expires
			}
		}
	}
	if full() {
		return "", ErrAuthCodesFull
	}
	c.m[code] = e
	c.bytes += e.size
	if c.nextExpiry.IsZero() || e.expires.Before(c.nextExpiry) {
		c.nextExpiry = e.expires
	}
	return code, nil
}

func (c *authCodeStore) deleteLocked(code string, e *authCodeEntry) {
	delete(c.m, code)
	c.bytes -= e.size
	if e.used {
		c.used--
	}
}

// checkLocked finds a code the exchanging client may redeem with this
// redirect URI and verifier. A used code reports ErrAuthCodeReused with the
// entry (whose family the caller revokes); only its own client gets that
// far (another client's reuse is ErrAuthCodeClient). A code presented with
// the wrong binding stays usable by its rightful client.
func (c *authCodeStore) checkLocked(code, clientID, redirectURI, verifier string, now time.Time) (*authCodeEntry, error) {
	e, ok := c.m[code]
	switch {
	case !ok:
		return nil, ErrAuthCodeUnknown
	case !now.Before(e.expires):
		c.deleteLocked(code, e)
		return nil, ErrAuthCodeExpired
	case e.grant.ClientID != clientID:
		return nil, ErrAuthCodeClient
	case e.used:
		return e, ErrAuthCodeReused
	case e.grant.RedirectURI != redirectURI:
		return nil, ErrAuthCodeRedirect
	case e.grant.Challenge != "" && verifier == "":
		return nil, ErrAuthCodeNeedPKCE
	case e.grant.Challenge == "" && verifier != "":
		return nil, ErrAuthCodeNoPKCE
	case e.grant.Challenge != "" && !VerifyS256(verifier, e.grant.Challenge):
		return nil, ErrAuthCodeVerifier
	}
	return e, nil
}

// useLocked marks a checked code used by the exchange that started family.
func (c *authCodeStore) useLocked(e *authCodeEntry, family string) {
	e.used, e.family = true, family
	c.used++
}

// dropUsersLocked forgets the codes the users have not exchanged yet (used
// ones stay to revoke their family if they come back).
func (c *authCodeStore) dropUsersLocked(users map[string]bool) {
	for k, e := range c.m {
		if users[e.grant.UserID] && !e.used {
			c.deleteLocked(k, e)
		}
	}
}

// stats reports the codes held and the bytes they take.
func (c *authCodeStore) stats() (count, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.bytes
}

func (c *authCodeStore) resetLocked() {
	c.m = map[string]*authCodeEntry{}
	c.bytes, c.used, c.nextExpiry = 0, 0, time.Time{}
}
