package state

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"math/big"
	"sync"
)

// CodeKind is what a single-use code proves.
type CodeKind uint8

// The kinds of pending code.
const (
	CodeOTP CodeKind = iota
	CodeMagicLink
	CodeEnchantedLink
)

// PendingCode is a generated OTP code, magic-link token or enchanted-link
// token: single use, expiring on the mock's clock. The caller fills the
// fields above Secret; the store sets the rest.
type PendingCode struct {
	Kind    CodeKind
	UserID  string
	LoginID string
	Method  string         // delivery method: email, sms, voice, whatsapp
	Expires int64          // unix seconds
	Custom  map[string]any // loginOptions.customClaims of the generate call
	// Sign-ins started by the user: SignUp is the user to create when the
	// code is used (a sign-up, or a sign-up-or-in of a new login ID); AMR
	// and Tenant (optional) replace the method's amr and the session's dct
	// (MFA and step-up add to the session they extend).
	SignUp *User
	AMR    []string
	Tenant string
	// Size is what the code holds, in bytes, counted against
	// MaxPendingCodeBytes (CodeSize).
	Size int

	Secret string // the OTP code or link token
	// Enchanted links: the pending reference polled for the session, and
	// whether the link was verified.
	PendingRef string
	Verified   bool
	attempts   int // wrong OTP codes tried
}

// codeStore holds the pending codes. OTP codes are kept per login ID and
// delivery method (a new one replaces the previous, as a resend does); link
// tokens and pending references by their value.
type codeStore struct {
	mu      sync.Mutex
	otp     map[string]*PendingCode // method + "\x00" + login ID
	links   map[string]*PendingCode // link token
	pending map[string]*PendingCode // enchanted-link pending reference
	count   int                     // codes held (an enchanted link is one, in links and pending)
	bytes   int                     // their sizes
	// No code expires before nextExpiry: a full store of fresh codes is
	// refused without walking it again (no quadratic flood).
	nextExpiry int64
}

// CodeSize is what a pending code holds: its strings, its custom claims
// (customBytes, their JSON) and a fixed overhead.
func CodeSize(c *PendingCode, customBytes int) int {
	n := 256 + len(c.UserID) + len(c.LoginID) + len(c.Method) + customBytes + len(c.Tenant)
	for _, a := range c.AMR {
		n += len(a) + 16
	}
	if c.SignUp != nil {
		u := c.SignUp
		n += 128 + len(u.ID) + len(u.Name) + len(u.Email) + len(u.Phone) + len(u.Password)
		for _, l := range u.LoginIDs {
			n += len(l) + 16
		}
	}
	return n
}

func (cs *codeStore) resetLocked() {
	cs.otp = make(map[string]*PendingCode)
	cs.links = make(map[string]*PendingCode)
	cs.pending = make(map[string]*PendingCode)
	cs.count, cs.bytes, cs.nextExpiry = 0, 0, 0
}

// noteExpiryLocked keeps nextExpiry at or before every held code's expiry.
func (cs *codeStore) noteExpiryLocked(exp int64) {
	if cs.nextExpiry == 0 || exp < cs.nextExpiry {
		cs.nextExpiry = exp
	}
}

// forgetLocked removes a code from every map that holds it.
func (cs *codeStore) forgetLocked(c *PendingCode) {
	found := false
	if cs.otp[otpKey(c.Method, c.LoginID)] == c {
		delete(cs.otp, otpKey(c.Method, c.LoginID))
		found = true
	}
	if c.Secret != "" && cs.links[c.Secret] == c {
		delete(cs.links, c.Secret)
		found = true
	}
	if c.PendingRef != "" && cs.pending[c.PendingRef] == c {
		delete(cs.pending, c.PendingRef)
		found = true
	}
	if found {
		cs.count--
		cs.bytes -= c.Size
	}
}

// makeRoomLocked drops expired codes when the store is full, and says
// whether there is room for one more of size bytes (ErrTooManyPending or
// ErrPendingBytes when not).
func (cs *codeStore) makeRoomLocked(now int64, size int) error {
	if cs.count < MaxPendingCodes && cs.bytes+size <= MaxPendingCodeBytes {
		return nil
	}
	if now >= cs.nextExpiry {
		cs.nextExpiry = 0
		for _, m := range []map[string]*PendingCode{cs.otp, cs.links, cs.pending} {
			for _, c := range m {
				if c.Expires <= now {
					cs.forgetLocked(c)
				} else {
					cs.noteExpiryLocked(c.Expires)
				}
			}
		}
	}
	if cs.count >= MaxPendingCodes {
		return ErrTooManyPending
	}
	if cs.bytes+size > MaxPendingCodeBytes {
		return ErrPendingBytes
	}
	return nil
}

func otpKey(method, loginID string) string { return method + "\x00" + loginID }

// addLocked stores c under a new secret: a 6-digit OTP code for its login
// ID and method (replacing the previous one, as a resend does), or a
// magic-link or enchanted-link token (and, for an enchanted link, its
// pending reference). It returns the stored code.
func (cs *codeStore) addLocked(c PendingCode, now int64) (*PendingCode, error) {
	if c.Kind == CodeOTP {
		key := otpKey(c.Method, c.LoginID)
		if old, ok := cs.otp[key]; ok {
			cs.forgetLocked(old) // a resend replaces the code
		}
	}
	if err := cs.makeRoomLocked(now, c.Size); err != nil {
		return nil, err
	}
	c.attempts, c.Verified, c.PendingRef = 0, false, ""
	switch c.Kind {
	case CodeOTP:
		c.Secret = otpCode()
		cs.otp[otpKey(c.Method, c.LoginID)] = &c
	case CodeEnchantedLink:
		c.PendingRef = randomToken()
		cs.pending[c.PendingRef] = &c
		fallthrough
	default:
		c.Secret = randomToken()
		cs.links[c.Secret] = &c
	}
	cs.count++
	cs.bytes += c.Size
	cs.noteExpiryLocked(c.Expires)
	return &c, nil
}

// otpCode is a random 6-digit code.
func otpCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000)) // crypto/rand never fails
	code := n.String()
	for len(code) < 6 {
		code = "0" + code
	}
	return code
}

// takeOTP checks a code and uses it up; a wrong code counts an attempt.
func (cs *codeStore) takeOTP(method, loginID, code string, now int64) (PendingCode, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	key := otpKey(method, loginID)
	c, ok := cs.otp[key]
	if !ok {
		return PendingCode{}, ErrCodeUnknown
	}
	if c.Expires <= now {
		cs.forgetLocked(c)
		return PendingCode{}, ErrCodeExpired
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(c.Secret)) != 1 {
		c.attempts++
		if c.attempts >= maxOTPAttempts {
			cs.forgetLocked(c)
			return PendingCode{}, ErrCodeAttempts
		}
		return PendingCode{}, ErrCodeWrong
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

// takeLink uses up a link token of a kind. An enchanted link stays pending
// (verified) until its pending reference is polled.
func (cs *codeStore) takeLink(kind CodeKind, token string, now int64) (PendingCode, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.links[token]
	if !ok || c.Kind != kind {
		return PendingCode{}, ErrCodeUnknown
	}
	if c.Expires <= now {
		cs.forgetLocked(c)
		return PendingCode{}, ErrCodeExpired
	}
	if c.Kind == CodeEnchantedLink {
		// Still held, by its pending reference, until polled.
		delete(cs.links, token)
	} else {
		cs.forgetLocked(c)
	}
	c.Verified = true
	return *c, nil
}

// takePending returns the enchanted link of a pending reference once it is
// verified, using the reference up.
func (cs *codeStore) takePending(ref string, now int64) (PendingCode, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.pending[ref]
	if !ok {
		return PendingCode{}, ErrCodeUnknown
	}
	if c.Expires <= now {
		cs.forgetLocked(c)
		return PendingCode{}, ErrCodeExpired
	}
	if !c.Verified {
		return PendingCode{}, ErrCodePending
	}
	cs.forgetLocked(c)
	return *c, nil
}

// dropUsersLocked forgets every pending code of the users (deleted users
// get no session).
func (cs *codeStore) dropUsersLocked(users map[string]bool) {
	for _, m := range []map[string]*PendingCode{cs.otp, cs.links, cs.pending} {
		for _, c := range m {
			if users[c.UserID] {
				cs.forgetLocked(c)
			}
		}
	}
}
