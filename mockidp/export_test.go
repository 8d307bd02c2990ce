package mockidp

import (
	"time"

	"github.com/descope-harness/harness/mockidp/issue"
)

// ResolveTimeSpec exposes TimeSpec.resolve to the external tests.
func ResolveTimeSpec(t *TimeSpec, now time.Time) int64 { return t.UnixAt(now) }

// EncodeClaims exposes encodeClaims to the external tests.
func EncodeClaims(c Claims) ([]byte, error) { return issue.EncodeClaims(c) }

// CheckDuplicateKeys exposes the control plane's duplicate-key walk.
var CheckDuplicateKeys = checkDuplicateKeys

// ParseSignIn exposes the sign-in start parser to the fuzz target; it
// returns the request's login ID.
func ParseSignIn(body []byte) (string, error) {
	req, err := parseSignIn(body)
	return req.LoginID, err
}

// AllowsOrigin exposes the CORS policy's check of one origin.
func AllowsOrigin(origins []string, origin string) bool { return newCORSPolicy(origins).allows(origin) }
