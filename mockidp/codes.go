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
	// Sign-ins started by the user (auth_signin.go): signUp is the user to
	// create when the code is used (a sign-up, or a sign-up-or-in of a new
	// login ID); amr and tenant (optional) replace the method's amr and
	// the session's dct (MFA and step-up add to the session they extend).
	signUp *User
	amr    []string
	tenant string
	// size is what the code holds, in bytes, counted against MaxPendingCodeBytes.
	size int
}

// codeStore holds the pending codes. OTP codes are kept per login ID and
// delivery method (a new one replaces the previous, as a resend does); link
// tokens and pending references by their value.
type codeStore struct {
	mu      sync.Mutex
	otp     map[string]*pendingCode // method + "\x00" + login ID
	links   map[string]*pendingCode // link token
	pending map[string]*pendingCode // enchanted-link pending reference
	count   int                     // codes held (an enchanted link is one, in links and pending)
	bytes   int                     // their sizes
	// No code expires before nextExpiry: a full store of fresh codes is
	// refused without walking it again (no quadratic flood).
	nextExpiry int64
}

// Limits of the code store: at most MaxPendingCodes codes (OTP codes,
// magic and enchanted links, sign-ins started) of MaxPendingCodeBytes
// pending at once (at the limit expired ones are forgotten first), and
// wrong OTP codes tried before a code is void (Descope: "too many attempts").
const (
	MaxPendingCodes     = 100_000
	MaxPendingCodeBytes = 64 << 20
	maxOTPAttempts      = 5
)

// codeSize is what a pending code holds: its strings, its custom claims
// (customBytes, their JSON) and a fixed overhead.
func codeSize(c *pendingCode, customBytes int) int {
	n := 256 + len(c.userID) + len(c.loginID) + len(c.method) + customBytes + len(c.tenant)
	for _, a := range c.amr {
		n += len(a) + 16
	}
	if c.signUp != nil {
		u := c.signUp
		n += 128 + len(u.ID) + len(u.Name) + len(u.Email) + len(u.Phone) + len(u.Password)
		for _, l := range u.LoginIDs {
			n += len(l) + 16
		}
	}
	return n
}

var (
	errCodeWrong      = errors.New("wrong code")
	errCodeExpired    = errors.New("code expired")
	errCodeAttempts   = errors.New("too many attempts")
	errCodeUnknown    = errors.New("unknown or used code")
	errCodePending    = errors.New("enchanted link not verified yet")
	errTooManyPending = errors.New("too many pending codes")
	errPendingBytes   = errors.New("pending codes too large")
)

func (cs *codeStore) reset() {
	cs.mu.Lock()
	cs.otp = make(map[string]*pendingCode)
	cs.links = make(map[string]*pendingCode)
	cs.pending = make(map[string]*pendingCode)
	cs.count, cs.bytes, cs.nextExpiry = 0, 0, 0
	cs.mu.Unlock()
}

// noteExpiryLocked keeps nextExpiry at or before every held code's expiry.
func (cs *codeStore) noteExpiryLocked(exp int64) {
	if cs.nextExpiry == 0 || exp < cs.nextExpiry {
		cs.nextExpiry = exp
	}
}

// forgetLocked removes a code from every map that holds it.
func (cs *codeStore) forgetLocked(c *pendingCode) {
	found := false
	if cs.otp[otpKey(c.method, c.loginID)] == c {
		delete(cs.otp, otpKey(c.method, c.loginID))
		found = true
	}
	if c.secret != "" && cs.links[c.secret] == c {
		delete(cs.links, c.secret)
		found = true
	}
	if c.pendingRef != "" && cs.pending[c.pendingRef] == c {
		delete(cs.pending, c.pendingRef)
		found = true
	}
	if found {
		cs.count--
		cs.bytes -= c.size
	}
}

// makeRoomLocked drops expired codes when the store is full, and says
// whether there is room for one more of size bytes (errTooManyPending or
// errPendingBytes when not).
func (cs *codeStore) makeRoomLocked(now int64, size int) error {
	if cs.count < MaxPendingCodes && cs.bytes+size <= MaxPendingCodeBytes {
		return nil
	}
	if now >= cs.nextExpiry {
		cs.nextExpiry = 0
		for _, m := range []map[string]*pendingCode{cs.otp, cs.links, cs.pending} {
			for _, c := range m {
				if c.expires <= now {
					cs.forgetLocked(c)
				} else {
					cs.noteExpiryLocked(c.expires)
				}
			}
		}
	}
	if cs.count >= MaxPendingCodes {
		return errTooManyPending
	}
	if cs.bytes+size > MaxPendingCodeBytes {
		return errPendingBytes
	}
	return nil
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
	if old, ok := cs.otp[key]; ok {
		cs.forgetLocked(old) // a resend replaces the code
	}
	if err := cs.makeRoomLocked(now, c.size); err != nil {
		return "", err
	}
	c.kind, c.secret, c.attempts = codeOTP, code, 0
	cs.otp[key] = &c
	cs.count++
	cs.bytes += c.size
	cs.noteExpiryLocked(c.expires)
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
		cs.forgetLocked(c)
		return pendingCode{}, errCodeExpired
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(c.secret)) != 1 {
		c.attempts++
		if c.attempts >= maxOTPAttempts {
			cs.forgetLocked(c)
			return pendingCode{}, errCodeAttempts
		}
		return pendingCode{}, errCodeWrong
	}
	cs.forgetLocked(c)
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
	if err := cs.makeRoomLocked(now, c.size); err != nil {
		return "", "", err
	}
	c.secret, c.verified = randomToken(), false
	if c.kind == codeEnchantedLink {
		c.pendingRef = randomToken()
		cs.pending[c.pendingRef] = &c
	}
	cs.links[c.secret] = &c
	cs.count++
	cs.bytes += c.size
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
		cs.forgetLocked(c)
		return pendingCode{}, errCodeExpired
	}
	if c.kind == codeEnchantedLink {
		// Still held, by its pending reference, until polled.
		delete(cs.links, token)
	} else {
		cs.forgetLocked(c)
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
		cs.forgetLocked(c)
		return pendingCode{}, errCodeExpired
	}
	if !c.verified {
		return pendingCode{}, errCodePending
	}
	cs.forgetLocked(c)
	return *c, nil
}

// dropUser forgets every pending code of a user (deleted users get no session).
func (cs *codeStore) dropUser(userID string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, m := range []map[string]*pendingCode{cs.otp, cs.links, cs.pending} {
		for _, c := range m {
			if c.userID == userID {
				cs.forgetLocked(c)
			}
		}
	}
}

// forgetSecret removes the code or link whose secret is secret (a sign-in
// whose message could not be kept).
func (cs *codeStore) forgetSecret(method, loginID, secret string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c, ok := cs.otp[otpKey(method, loginID)]; ok && c.secret == secret {
		cs.forgetLocked(c)
	}
	if c, ok := cs.links[secret]; ok {
		cs.forgetLocked(c)
	}
}
