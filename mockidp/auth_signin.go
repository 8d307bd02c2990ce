package mockidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp/state"
)

// signMode is Descope's sign-in semantics: sign-in refuses an unknown login
// ID (E062108), sign-up an existing one (E062107), sign-up-or-in takes both.
type signMode uint8

const (
	modeSignIn signMode = iota
	modeSignUp
	modeSignUpOrIn
)

// signModes maps the path segment of each mode.
var signModes = []struct {
	path string
	mode signMode
}{{"signin", modeSignIn}, {"signup", modeSignUp}, {"signup-in", modeSignUpOrIn}}

// Delivery methods of each way to sign in, as core-js-sdk names them
// (src/sdk/types.ts DeliveryMethods: email, sms, voice, whatsapp, im;
// magicLink/index.ts leaves out voice and im; enchantedLink/index.ts is
// email only).
var (
	otpMethods           = []string{"email", "sms", "voice", "whatsapp", "im"}
	magicLinkMethods     = []string{"email", "sms", "whatsapp"}
	enchantedLinkMethods = []string{"email"}
)

// signInRoutes adds every sign-in start route (called from Server.routes).
func (s *Server) signInRoutes(rt *router) {
	for _, m := range signModes {
		for _, method := range otpMethods {
			rt.surface("/v1/auth/otp/"+m.path+"/"+method, EndpointSignIn, s.handleSignInStart(state.CodeOTP, m.mode, method), http.MethodPost)
		}
		for _, method := range magicLinkMethods {
			rt.surface("/v1/auth/magiclink/"+m.path+"/"+method, EndpointSignIn, s.handleSignInStart(state.CodeMagicLink, m.mode, method), http.MethodPost)
		}
		for _, method := range enchantedLinkMethods {
			rt.surface("/v1/auth/enchantedlink/"+m.path+"/"+method, EndpointSignIn, s.handleSignInStart(state.CodeEnchantedLink, m.mode, method), http.MethodPost)
		}
	}
	rt.surface("/v1/auth/password/signup", EndpointSignIn, s.handlePasswordSignUp, http.MethodPost)
	rt.surface("/v1/auth/password/signin", EndpointSignIn, s.handlePasswordSignIn, http.MethodPost)
}

// handleSignInStart serves POST /v1/auth/{otp,magiclink,enchantedlink}/{signin,signup,signup-in}/{method}:
// a code or link goes to the outbox (GET /_mock/outbox) instead of an email
// or text message, and the answer is the masked address: {"maskedEmail"}
// or {"maskedPhone"}, and for an enchanted link {"pendingRef","linkId","maskedEmail"}.
// The existing verify endpoints finish the sign-in.
func (s *Server) handleSignInStart(kind state.CodeKind, mode signMode, method string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) (int, error) {
		body, err := s.readDescopeBody(w, r)
		if err != nil {
			return 0, err
		}
		req, err := parseSignIn(body)
		if err != nil {
			return 0, err
		}
		c, to, err := s.beginSignIn(r, req, mode, method)
		if err != nil {
			return 0, err
		}
		msg := OutboxMessage{LoginID: req.LoginID, Method: method, To: to}
		out := map[string]string{}
		if method == "email" {
			out["maskedEmail"] = maskEmail(to)
		} else {
			out["maskedPhone"] = maskPhone(to)
		}
		var base *url.URL
		c.Kind = kind
		switch kind {
		case state.CodeOTP:
			msg.Kind = OutboxOTP
		default:
			msg.Kind = OutboxMagicLink
			if kind == state.CodeEnchantedLink {
				msg.Kind = OutboxEnchantedLink
				msg.LinkID = linkID()
				out["linkId"] = msg.LinkID
			}
			if base, err = s.linkBase(r, req); err != nil {
				return 0, err
			}
		}
		msg, sent, err := s.state.SendCode(c, msg, func(token string) string { return withToken(base, token) })
		if err != nil {
			return 0, stateError(err)
		}
		if sent.PendingRef != "" {
			out["pendingRef"] = sent.PendingRef
		}
		// The login ID, never the code or link.
		s.log.Debug("sign-in started", "kind", msg.Kind, "method", method, "login_id", truncate(req.LoginID, 64), "new_user", c.SignUp != nil)
		w.Header()["Cache-Control"] = noStore
		return writeJSON(w, http.StatusOK, out), nil
	}
}

// beginSignIn applies Descope's sign-in semantics and loginOptions to a
// request and returns the pending code to create (without its secret) and
// the address it goes to.
func (s *Server) beginSignIn(r *http.Request, req signInRequest, mode signMode, method string) (state.PendingCode, string, error) {
	refreshJWT, err := s.bearerParts(r, "[:{refreshJwt}]")
	if err != nil {
		return state.PendingCode{}, "", err
	}
	u, exists := s.state.UserByLoginID(req.LoginID)
	switch {
	case mode == modeSignIn && !exists:
		return state.PendingCode{}, "", authUserNotFound(req.LoginID)
	case mode == modeSignUp && exists:
		return state.PendingCode{}, "", userExists(req.LoginID)
	case exists && u.Disabled:
		return state.PendingCode{}, "", userDisabled()
	}
	c := state.PendingCode{LoginID: req.LoginID, Method: method,
		Expires: s.clock.Now().Add(time.Duration(s.project.Sessions.CodeTTL)).Unix()}
	var opts loginOptions
	if req.LoginOptions != nil {
		opts = *req.LoginOptions
	}
	c.Custom = opts.CustomClaims
	if exists {
		c.UserID = u.ID
	} else {
		c.SignUp = newSignUpUser(req)
		u = *c.SignUp
	}
	if opts.Stepup || opts.MFA {
		if err := s.extendSession(&c, u, exists, refreshJWT, opts); err != nil {
			return state.PendingCode{}, "", err
		}
	}
	if opts.TenantID != "" {
		if _, ok := s.state.Tenant(opts.TenantID); !ok {
			return state.PendingCode{}, "", invalidArgument("loginOptions.tenantId %q is not a tenant of the project", truncate(opts.TenantID, 64))
		}
		if !u.HasTenant(opts.TenantID) {
			return state.PendingCode{}, "", invalidArgument("loginOptions.tenantId: the user is not a member of tenant %q", truncate(opts.TenantID, 64))
		}
		c.Tenant = opts.TenantID
	}
	to := deliveryAddress(u, req.LoginID, method)
	if to == "" {
		what := "a phone number (E.164)"
		if method == "email" {
			what = "an email address"
		}
		return state.PendingCode{}, "", invalidArgument("login ID %q has no %s to send to by %s: give user.%s at sign-up or use a login ID that is one",
			truncate(req.LoginID, 64), what, method, map[bool]string{true: "email", false: "phone"}[method == "email"])
	}
	c.Size = state.CodeSize(&c, req.customBytes)
	return c, to, nil
}

// extendSession makes c a step-up or MFA of the session of refreshJWT
// (core-js-sdk passes the refresh JWT as the token of sign-in for these):
// the new session keeps that session's amr, tenant and custom claims and
// adds this method's amr; a step-up also carries su: true.
func (s *Server) extendSession(c *state.PendingCode, u User, exists bool, refreshJWT string, opts loginOptions) error {
	if !exists {
		return invalidArgument("loginOptions.stepup and loginOptions.mfa extend the session of an existing user: sign in, not sign up")
	}
	if refreshJWT == "" {
		return invalidToken("loginOptions.stepup and loginOptions.mfa need the user's refresh JWT: Authorization: Bearer {projectId}:{refreshJwt}")
	}
	lr, err := s.checkRefresh(refreshJWT)
	if err != nil {
		return err
	}
	if lr.user.ID != u.ID {
		return invalidToken("the refresh JWT belongs to another user than login ID %q", truncate(c.LoginID, 64))
	}
	c.AMR = slices.Clone(lr.session.AMR)
	for _, a := range amrOf(c.Method) {
		if !slices.Contains(c.AMR, a) {
			c.AMR = append(c.AMR, a)
		}
	}
	c.Tenant = lr.session.Tenant
	custom := maps.Clone(lr.session.Custom)
	if custom == nil {
		custom = map[string]any{}
	}
	maps.Copy(custom, c.Custom)
	if opts.Stepup {
		custom["su"] = true
	}
	c.Custom = custom
	return nil
}

// newSignUpUser is the user a sign-up creates once its code is used.
func newSignUpUser(req signInRequest) *User {
	u := &User{LoginIDs: []string{req.LoginID}}
	if su := req.User; su != nil {
		u.Email, u.Phone, u.Name = su.Email, su.Phone, su.Name
		if u.Name == "" {
			u.Name = strings.Join(slices.DeleteFunc([]string{su.GivenName, su.MiddleName, su.FamilyName}, func(s string) bool { return s == "" }), " ")
		}
	}
	if u.Email == "" && looksLikeEmail(req.LoginID) {
		u.Email = req.LoginID
	}
	if u.Phone == "" && looksLikePhone(req.LoginID) {
		u.Phone = req.LoginID
	}
	u.ID = DeriveUserID(req.LoginID)
	return u
}

// deliveryAddress is where a code for u goes by method: the user's email
// or phone, else the login ID when it is one.
func deliveryAddress(u User, loginID, method string) string {
	if method == "email" {
		if u.Email != "" {
			return u.Email
		}
		if looksLikeEmail(loginID) {
			return loginID
		}
		return ""
	}
	if u.Phone != "" {
		return u.Phone
	}
	if looksLikePhone(loginID) {
		return loginID
	}
	return ""
}

// linkBase is where a link points: the request's URI (or redirectUrl),
// else the mock's own /magiclink path (a real project's default redirect
// URL is not modelled).
func (s *Server) linkBase(r *http.Request, req signInRequest) (*url.URL, error) {
	base := req.URI
	if base == "" {
		base = req.RedirectURL
	}
	if base == "" {
		base = s.baseURL(r) + "/magiclink"
	}
	u, err := url.Parse(base)
	if err != nil || !u.IsAbs() {
		return nil, invalidArgument("URI %q is not an absolute URL", truncate(base, 128))
	}
	return u, nil
}

// withToken adds t={token} to a link's query.
func withToken(base *url.URL, token string) string {
	u := *base
	q := u.Query()
	q.Set("t", token)
	u.RawQuery = q.Encode()
	return u.String()
}

// linkID is the two-digit number an enchanted-link sign-in shows the user
// (Descope's email has several links; the user clicks this one; the mock
// sends only it).
func linkID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(90)) // crypto/rand never fails
	return fmt.Sprint(n.Int64() + 10)
}

// userExists is Descope's refusal of a sign-up for a login ID in use.
func userExists(loginID string) *Error {
	return descopeError(http.StatusBadRequest, CodeUserExists, "User already exists", "a user with login ID %q already exists: sign in, or use sign-up-or-in", truncate(loginID, 64))
}

// createSignedUp creates the user of a sign-up whose code was used. A user
// that appeared meanwhile under the login ID (another sign-up, the
// management API) is the one signed in.
func (s *Server) createSignedUp(c state.PendingCode) (User, bool, error) {
	nu := *c.SignUp
	// The code proved the address it went to (a password proves neither).
	switch {
	case c.Method == "email":
		nu.VerifiedEmail = nu.Email != ""
	case c.Method != "" && nu.Phone != "":
		nu.VerifiedPhone = true
	}
	created, _, err := s.state.PutUser(nu, false)
	if errors.Is(err, state.ErrUserExists) {
		if u, ok := s.state.UserByLoginID(c.LoginID); ok {
			return u, true, nil
		}
	}
	if err != nil {
		return User{}, false, stateError(err)
	}
	return created, true, nil
}
