package mockidp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"math/big"
	"sync"
)

// codeKind is what a single-use code proves.
type codeKind uint8

const (
	codeOTP codeKind = iota
	codeMagicLink
	codeEnchantedLink
)

// pendingCode is a generated OTP code, magic-link token or enchanted-link
// token: single use, expiring on the mock's clock.
type pendingCode struct {
	kind     codeKind
	userID   string
	loginID  string
	method   string         // delivery method: email, sms, voice, whatsapp
	secret   string         // the OTP code or link token
	expires  int64          // unix seconds
	attempts int            // wrong OTP codes tried
	custom   map[string]any // loginOptions.customClaims of the generate call
	// Enchanted links: the pending reference polled for the session, and
	// whether the link was verified.
	pendingRef string
	verified   bool
}

// codeStore holds the pending codes. OTP codes are kept per login ID and
// delivery method (a new one replaces the previous, as a resend does); link
// tokens and pending references by their value.
type codeStore struct {
	mu      sync.Mutex
	otp     map[string]*pendingCode // method + "\x00" + login ID
	links   map[string]*pendingCode // link token
	pending map[string]*pendingCode // enchanted-link pending reference
}

// Limits of the code store: at most this many codes pending at once, and
// wrong OTP codes tried before a code is void (Descope: "too many attempts").
const (
	maxPendingCodes = 100_000
	maxOTPAttempts  = 5
)

var (
	errCodeWrong      = errors.New("wrong code")
	errCodeExpired    = errors.New("code expired")
	errCodeAttempts   = errors.New("too many attempts")
	errCodeUnknown    = errors.New("unknown or used code")
	errCodePending    = errors.New("enchanted link not verified yet")
	errTooManyPending = errors.New("too many pending codes")
)

func (cs *codeStore) reset() {
	cs.mu.Lock()
	cs.otp = make(map[string]*pendingCode)
	cs.links = make(map[string]*pendingCode)
	cs.pending = make(map[string]*pendingCode)
	cs.mu.Unlock()
}

// makeRoomLocked drops expired codes when the store is full, and says
// whether there is room for one more.
func (cs *codeStore) makeRoomLocked(now int64) bool {
	if len(cs.otp)+len(cs.links)+len(cs.pending) < maxPendingCodes {
		return true
	}
	for _, m := range []map[string]*pendingCode{cs.otp, cs.links, cs.pending} {
		for k, c := range m {
			if c.expires <= now {
				delete(m, k)
			}
		}
	}
	return len(cs.otp)+len(cs.links)+len(cs.pending) < maxPendingCodes
}

func otpKey(method, loginID string) string { return method + "\x00" + loginID }

// addOTP generates a 6-digit code for c's login ID and method (c gives
// the user, login ID, method, expiry and custom claims).
func (cs *codeStore) addOTP(c pendingCode, now int64) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := n.String()
	for len(code) < 6 {
		code = "0" + code
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.otp == nil {
		cs.otp = make(map[string]*pendingCode)
	}
	key := otpKey(c.method, c.loginID)
	if _, ok := cs.otp[key]; !ok && !cs.makeRoomLocked(now) {
		return "", errTooManyPending
	}
	c.kind, c.secret, c.attempts = codeOTP, code, 0
	cs.otp[key] = &c
	return code, nil
}

// takeOTP checks a code and uses it up; a wrong code counts an attempt.
func (cs *codeStore) takeOTP(method, loginID, code string, now int64) (pendingCode, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	key := otpKey(method, loginID)
	c, ok := cs.otp[key]
	if !ok {
		return pendingCode{}, errCodeUnknown
	}
	if c.expires <= now {
		delete(cs.otp, key)
		return pendingCode{}, errCodeExpired
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(c.secret)) != 1 {
		c.attempts++
		if c.attempts >= maxOTPAttempts {
			delete(cs.otp, key)
			return pendingCode{}, errCodeAttempts
		}
		return pendingCode{}, errCodeWrong
	}
	delete(cs.otp, key)
	return *c, nil
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// addLink generates a magic-link or enchanted-link token (and, for an
// enchanted link, its pending reference) for c (kind, user, login ID,
// method, expiry and custom claims).
func (cs *codeStore) addLink(c pendingCode, now int64) (token, pendingRef string, err error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.links == nil {
		cs.links = make(map[string]*pendingCode)
		cs.pending = make(map[string]*pendingCode)
	}
	if !cs.makeRoomLocked(now) {
		return "", "", errTooManyPending
	}
	c.secret, c.verified = randomToken(), false
	cs.links[c.secret] = &c
	if c.kind == codeEnchantedLink {
		c.pendingRef = randomToken()
		cs.pending[c.pendingRef] = cs.links[c.secret]
		cs.links[c.secret].pendingRef = c.pendingRef
	}
	return c.secret, c.pendingRef, nil
}

// takeLink uses up a link token of a kind. An enchanted link stays pending
// (verified) until its pending reference is polled.
func (cs *codeStore) takeLink(kind codeKind, token string, now int64) (pendingCode, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.links[token]
	if !ok || c.kind != kind {
		return pendingCode{}, errCodeUnknown
	}
	delete(cs.links, token)
	if c.expires <= now {
		delete(cs.pending, c.pendingRef)
		return pendingCode{}, errCodeExpired
	}
	c.verified = true
	return *c, nil
}

// takePending returns the enchanted link of a pending reference once it is
// verified, using the reference up.
func (cs *codeStore) takePending(ref string, now int64) (pendingCode, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.pending[ref]
	if !ok {
		return pendingCode{}, errCodeUnknown
	}
	if c.expires <= now {
		delete(cs.pending, ref)
		delete(cs.links, c.secret)
		return pendingCode{}, errCodeExpired
	}
	if !c.verified {
		return pendingCode{}, errCodePending
	}
	delete(cs.pending, ref)
	return *c, nil
}

// dropUser forgets every pending code of a user (deleted users get no session).
func (cs *codeStore) dropUser(userID string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, m := range []map[string]*pendingCode{cs.otp, cs.links, cs.pending} {
		for k, c := range m {
			if c.userID == userID {
				delete(m, k)
			}
		}
	}
}
