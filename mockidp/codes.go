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
	// customBytes is the length of custom as JSON (customClaimsBytes).
	customBytes int
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
	bytes   int                     // sum of the pending codes' size()
	// No code expires before nextExpiry: a full store of fresh codes is
	// refused without walking it again.
	nextExpiry int64
}

// Limits of the code store: wrong OTP codes tried before a code is void
// (Descope: "too many attempts"); how many codes may be pending at once and
// the bytes they take are MaxPendingCodes and MaxPendingCodeBytes.
const maxOTPAttempts = 5

// codeOverhead is what a pending code costs besides its strings and custom
// claims: the struct, its map entries and keys (two for an enchanted link).
const codeOverhead = 320

// size is what a pending code counts against MaxPendingCodeBytes.
func (c *pendingCode) size() int {
	return codeOverhead + len(c.userID) + 2*len(c.loginID) + len(c.method) + c.customBytes
}

var (
	errCodeWrong      = errors.New("wrong code")
	errCodeExpired    = errors.New("code expired")
	errCodeAttempts   = errors.New("too many attempts")
	errCodeUnknown    = errors.New("unknown or used code")
	errCodePending    = errors.New("enchanted link not verified yet")
	errTooManyPending = errors.New("too many pending codes (MaxPendingCodes, MaxPendingCodeBytes)")
)

func (cs *codeStore) reset() {
	cs.mu.Lock()
	cs.reset0Locked()
	cs.mu.Unlock()
}

// countLocked is how many codes are pending: OTP codes and links (a
// verified enchanted link waiting for its poll is in pending alone).
func (cs *codeStore) countLocked() int {
	n := len(cs.otp) + len(cs.links)
	for _, c := range cs.pending {
		if c.verified {
			n++
		}
	}
	return n
}

// makeRoomLocked drops expired codes when the store is full, and says
// whether there is room for one of size bytes more.
func (cs *codeStore) makeRoomLocked(now int64, size int) bool {
	full := func() bool { return cs.countLocked() >= MaxPendingCodes || cs.bytes+size > MaxPendingCodeBytes }
	if !full() {
		return true
	}
	if now < cs.nextExpiry {
		return false
	}
	cs.nextExpiry = 0
	defer func() {
		for _, m := range []map[string]*pendingCode{cs.otp, cs.links, cs.pending} {
			for _, c := range m {
				if cs.nextExpiry == 0 || c.expires < cs.nextExpiry {
					cs.nextExpiry = c.expires
				}
			}
		}
	}()
	for k, c := range cs.otp {
		if c.expires <= now {
			cs.dropLocked(k, c)
		}
	}
	for k, c := range cs.links {
		if c.expires <= now {
			cs.dropLocked(k, c)
		}
	}
	for _, c := range cs.pending {
		if c.expires <= now {
			cs.dropLocked("", c)
		}
	}
	return !full()
}

// dropLocked forgets a code: an OTP code under key, else a link and its
// pending reference.
func (cs *codeStore) dropLocked(key string, c *pendingCode) {
	if c.kind == codeOTP {
		if cs.otp[key] == c {
			delete(cs.otp, key)
			cs.bytes -= c.size()
		}
		return
	}
	_, inLinks := cs.links[c.secret]
	_, inPending := cs.pending[c.pendingRef]
	if inLinks && cs.links[c.secret] == c || inPending && cs.pending[c.pendingRef] == c {
		cs.bytes -= c.size()
	}
	if inLinks && cs.links[c.secret] == c {
		delete(cs.links, c.secret)
	}
	if inPending && cs.pending[c.pendingRef] == c {
		delete(cs.pending, c.pendingRef)
	}
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
	c.kind, c.secret, c.attempts = codeOTP, code, 0
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.otp == nil {
		cs.reset0Locked()
	}
	key := otpKey(c.method, c.loginID)
	if old, ok := cs.otp[key]; ok {
		cs.dropLocked(key, old) // a resend replaces the previous code
	}
	if !cs.makeRoomLocked(now, c.size()) {
		return "", errTooManyPending
	}
	cs.otp[key] = &c
	cs.bytes += c.size()
	cs.noteExpiryLocked(c.expires)
	return code, nil
}

func (cs *codeStore) noteExpiryLocked(exp int64) {
	if cs.nextExpiry == 0 || exp < cs.nextExpiry {
		cs.nextExpiry = exp
	}
}

func (cs *codeStore) reset0Locked() {
	cs.nextExpiry = 0
	cs.otp = make(map[string]*pendingCode)
	cs.links = make(map[string]*pendingCode)
	cs.pending = make(map[string]*pendingCode)
	cs.bytes = 0
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
		cs.dropLocked(key, c)
		return pendingCode{}, errCodeExpired
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(c.secret)) != 1 {
		c.attempts++
		if c.attempts >= maxOTPAttempts {
			cs.dropLocked(key, c)
			return pendingCode{}, errCodeAttempts
		}
		return pendingCode{}, errCodeWrong
	}
	cs.dropLocked(key, c)
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
	c.secret, c.verified = randomToken(), false
	if c.kind == codeEnchantedLink {
		c.pendingRef = randomToken()
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.links == nil {
		cs.reset0Locked()
	}
	if !cs.makeRoomLocked(now, c.size()) {
		return "", "", errTooManyPending
	}
	cs.links[c.secret] = &c
	if c.kind == codeEnchantedLink {
		cs.pending[c.pendingRef] = &c
	}
	cs.bytes += c.size()
	cs.noteExpiryLocked(c.expires)
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
	if c.expires <= now {
		cs.dropLocked("", c)
		return pendingCode{}, errCodeExpired
	}
	delete(cs.links, token)
	if c.kind != codeEnchantedLink {
		cs.bytes -= c.size()
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
		cs.dropLocked("", c)
		return pendingCode{}, errCodeExpired
	}
	if !c.verified {
		return pendingCode{}, errCodePending
	}
	cs.dropLocked("", c)
	return *c, nil
}

// dropUser forgets every pending code of a user (deleted users get no session).
func (cs *codeStore) dropUser(userID string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for k, c := range cs.otp {
		if c.userID == userID {
			cs.dropLocked(k, c)
		}
	}
	for _, c := range cs.links {
		if c.userID == userID {
			cs.dropLocked("", c)
		}
	}
	for _, c := range cs.pending {
		if c.userID == userID {
			cs.dropLocked("", c)
		}
	}
}

// stats reports the codes pending and the bytes they take.
func (cs *codeStore) stats() (count, bytes int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.countLocked(), cs.bytes
}
