package mockidp

import (
	"net/http"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// Descope's "manage in cookies" token response method, as the SDKs read it:
//
//   - DS (session JWT) and DSR (refresh JWT) are Set-Cookie, HttpOnly and
//     Secure, so page JavaScript never sees them (react-sdk README; web-js-sdk
//     withPersistTokens/helpers.ts: "In cookie mode, backend sets ... as
//     HttpOnly cookie (inaccessible to JS)"). Browsers accept Secure cookies
//     from http://localhost, so this works against a mock on loopback.
//   - Neither JWT is in the body: the Go SDK (internal/auth/auth.go
//     generateAuthenticationInfoWithRefreshToken) and the Node SDK
//     (lib/index.ts refreshSession, lib/helpers.ts withCookie) read a session
//     or refresh JWT missing from the body from the Set-Cookie headers. A
//     session JWT longer than a cookie can hold (maxCookieValueBytes) stays
//     in the body (mock's choice; not confirmed against a live project).
//     Python's SDK reads the session JWT from the body only: use the body
//     method with it.
//   - SameSite and the cookie domain are project settings
//     (sessions.cookie_same_site, sessions.cookie_domain); the path is
//     sessions.cookie_path.
//   - x-descope-refresh-cookie-name names the refresh cookie (core-js-sdk
//     httpClient createDescopeHeaders): DSR is set under that name, the
//     refresh JWT is read from it (then from DSR), and the body's cookieName
//     says it.

// Cookie names and limits.
const (
	sessionCookieName = "DS"
	refreshCookieDSR  = "DSR"
	// maxCookieValueBytes is what browsers keep of one cookie (name, value
	// and attributes together are capped near 4096 bytes).
	maxCookieValueBytes = 3800
	maxCookieNameBytes  = 64
)

// SameSite values of SessionSettings.CookieSameSite (package project).
const (
	SameSiteStrict = project.SameSiteStrict
	SameSiteLax    = project.SameSiteLax
	SameSiteNone   = project.SameSiteNone
)

// refreshCookieName is the refresh cookie's name: the request's
// x-descope-refresh-cookie-name, else DSR. custom reports a header name.
func refreshCookieName(r *http.Request) (name string, custom bool, err error) {
	v := r.Header.Get("X-Descope-Refresh-Cookie-Name")
	if v == "" {
		return refreshCookieDSR, false, nil
	}
	if len(v) > maxCookieNameBytes || !cookieToken(v) {
		return "", false, badRequest("x-descope-refresh-cookie-name %q is not a cookie name: 1 to %d letters, digits or !#$%%&'*+-.^_`|~", truncate(v, 64), maxCookieNameBytes)
	}
	return v, v != refreshCookieDSR, nil
}

// cookieToken reports whether s is an RFC 6265 cookie-name (an RFC 7230 token).
func cookieToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c < 0x80 && containsByte("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return s != ""
}

func containsByte(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// cookie builds a DS or refresh cookie, HttpOnly and Secure; exp 0 (or
// past) with now expires it.
func (s *Server) cookie(name, value string, exp int64, now time.Time) *http.Cookie {
	st := s.project.Sessions
	c := &http.Cookie{Name: name, Value: value, Path: st.CookiePath, Domain: st.CookieDomain, HttpOnly: true, Secure: true, SameSite: sameSite(st.CookieSameSite)}
	if exp > now.Unix() {
		c.Expires = time.Unix(exp, 0).UTC()
		c.MaxAge = int(exp - now.Unix())
	} else {
		c.MaxAge = -1
	}
	return c
}

func sameSite(v string) http.SameSite {
	switch v {
	case SameSiteLax:
		return http.SameSiteLaxMode
	case SameSiteNone:
		return http.SameSiteNoneMode
	}
	return http.SameSiteStrictMode
}
