package mockidp

import (
	"crypto/rand"
	"errors"
	"sync"
	"time"
)

// authGrant is what one login granted a client: who logged in, how and
// when, and what the client asked for. Codes and refresh-token families
// carry it.
type authGrant struct {
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

// AuthorizationCodeTTL is how long an authorization code can be exchanged,
// on the mock's clock. RFC 6749 §4.1.2 recommends at most ten minutes;
// Descope's value is not published.
const AuthorizationCodeTTL = 5 * time.Minute

// grantOverhead is what a grant costs besides its strings: the struct, its
// slices' headers and the auth time.
const grantOverhead = 192

// size is an estimate of the bytes a grant holds.
func (g *authGrant) size() int {
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

// Redemption failures (each an invalid_grant to the client).
var (
	errAuthCodeUnknown  = errors.New("authorization code is not known")
	errAuthCodeExpired  = errors.New("authorization code has expired")
	errAuthCodeReused   = errors.New("authorization code was already used; the tokens issued with it are revoked")
	errAuthCodeClient   = errors.New("authorization code was issued to another client")
	errAuthCodeRedirect = errors.New("redirect_uri differs from the one in the authorization request")
	errAuthCodeVerifier = errors.New("code_verifier does not match the code_challenge")
	errAuthCodeNoPKCE   = errors.New("code_verifier was sent but the authorization request had no code_challenge")
	errAuthCodeNeedPKCE = errors.New("code_verifier is required: the authorization request had a code_challenge")
	errAuthCodesFull    = errors.New("too many outstanding authorization codes (MaxAuthorizationCodes, MaxAuthorizationCodeBytes)")
)

// authCodeEntry is one issued code.
type authCodeEntry struct {
	grant   authGrant
	expires time.Time
	used    bool
	family  string // the refresh-token family its exchange started
	size    int    // codeEntryOverhead + grant.size()
}

// authCodeStore holds authorization codes: single-use, short-lived on the
// mock's clock, bound to client, redirect URI and PKCE challenge.
type authCodeStore struct {
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]*authCodeEntry
	bytes int // sum of the entries' sizes
	// Whether a sweep at the limit can free anything: used codes held, and
	// no code expires before nextExpiry (a full store of fresh codes is
	// refused without walking it again).
	used       int
	nextExpiry time.Time
}

func newAuthCodeStore(now func() time.Time) *authCodeStore {
	return &authCodeStore{now: now, m: map[string]*authCodeEntry{}}
}

// issue stores a grant under a new random code.
func (c *authCodeStore) issue(g authGrant) (string, error) {
	code := rand.Text() + rand.Text() // 256 bits
	now := c.now()
	e := &authCodeEntry{grant: g, expires: now.Add(AuthorizationCodeTTL), size: codeEntryOverhead + g.size()}
	c.mu.Lock()
	defer c.mu.Unlock()
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
		return "", errAuthCodesFull
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

// redeem checks a code against the exchanging client, redirect URI and
// verifier, starts its refresh-token family with attach and marks it used,
// all in one critical section: a reuse arriving at any moment finds the
// family to revoke. A used code reports errAuthCodeReused with the family
// its first exchange started, so the caller can revoke it; only its own
// client can do that (another client's reuse is errAuthCodeClient). A code
// presented with the wrong binding, or whose attach fails, stays usable by
// its rightful client.
func (c *authCodeStore) redeem(code, clientID, redirectURI, verifier string, attach func(authGrant) (string, error)) (authGrant, string, error) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[code]
	switch {
	case !ok:
		return authGrant{}, "", errAuthCodeUnknown
	case !now.Before(e.expires):
		c.deleteLocked(code, e)
		return authGrant{}, "", errAuthCodeExpired
	case e.grant.ClientID != clientID:
		return authGrant{}, "", errAuthCodeClient
	case e.used:
		return authGrant{}, e.family, errAuthCodeReused
	case e.grant.RedirectURI != redirectURI:
		return authGrant{}, "", errAuthCodeRedirect
	case e.grant.Challenge != "" && verifier == "":
		return authGrant{}, "", errAuthCodeNeedPKCE
	case e.grant.Challenge == "" && verifier != "":
		return authGrant{}, "", errAuthCodeNoPKCE
	case e.grant.Challenge != "" && !verifyS256(verifier, e.grant.Challenge):
		return authGrant{}, "", errAuthCodeVerifier
	}
	family, err := attach(e.grant)
	if err != nil {
		return authGrant{}, "", err
	}
	e.used, e.family = true, family
	c.used++
	return e.grant, family, nil
}

// dropUser forgets the codes a user has not exchanged yet (used ones stay
// to revoke their family if they come back).
func (c *authCodeStore) dropUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.grant.UserID == userID && !e.used {
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

func (c *authCodeStore) clear() {
	c.mu.Lock()
	c.m = map[string]*authCodeEntry{}
	c.bytes, c.used, c.nextExpiry = 0, 0, time.Time{}
	c.mu.Unlock()
}
