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

// maxOutstandingCodes bounds the code store: a code is some hundred bytes
// and lives AuthorizationCodeTTL.
const maxOutstandingCodes = 100_000

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
	errAuthCodesFull    = errors.New("too many outstanding authorization codes")
)

// authCodeEntry is one issued code.
type authCodeEntry struct {
	grant   authGrant
	expires time.Time
	used    bool
	family  string // the refresh-token family its exchange started
}

// authCodeStore holds authorization codes: single-use, short-lived on the
// mock's clock, bound to client, redirect URI and PKCE challenge.
type authCodeStore struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*authCodeEntry
}

func newAuthCodeStore(now func() time.Time) *authCodeStore {
	return &authCodeStore{now: now, m: map[string]*authCodeEntry{}}
}

// issue stores a grant under a new random code.
func (c *authCodeStore) issue(g authGrant) (string, error) {
	code := rand.Text() + rand.Text() // 256 bits
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxOutstandingCodes {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxOutstandingCodes {
			return "", errAuthCodesFull
		}
	}
	c.m[code] = &authCodeEntry{grant: g, expires: now.Add(AuthorizationCodeTTL)}
	return code, nil
}

// redeem checks a code against the exchanging client, redirect URI and
// verifier and marks it used. A used code reports errAuthCodeReused with the
// family its first exchange started, so the caller can revoke it. A code
// presented with the wrong binding stays usable by its rightful client.
func (c *authCodeStore) redeem(code, clientID, redirectURI, verifier string) (authGrant, string, error) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[code]
	switch {
	case !ok:
		return authGrant{}, "", errAuthCodeUnknown
	case !now.Before(e.expires):
		delete(c.m, code)
		return authGrant{}, "", errAuthCodeExpired
	case e.used:
		return authGrant{}, e.family, errAuthCodeReused
	case e.grant.ClientID != clientID:
		return authGrant{}, "", errAuthCodeClient
	case e.grant.RedirectURI != redirectURI:
		return authGrant{}, "", errAuthCodeRedirect
	case e.grant.Challenge != "" && verifier == "":
		return authGrant{}, "", errAuthCodeNeedPKCE
	case e.grant.Challenge == "" && verifier != "":
		return authGrant{}, "", errAuthCodeNoPKCE
	case e.grant.Challenge != "" && !verifyS256(verifier, e.grant.Challenge):
		return authGrant{}, "", errAuthCodeVerifier
	}
	e.used = true
	return e.grant, "", nil
}

// setFamily records the refresh-token family a code's exchange started.
func (c *authCodeStore) setFamily(code, family string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[code]; ok {
		e.family = family
	}
}

func (c *authCodeStore) clear() {
	c.mu.Lock()
	c.m = map[string]*authCodeEntry{}
	c.mu.Unlock()
}
