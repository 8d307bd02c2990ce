package mockidp

import "time"

// ResolveTimeSpec exposes TimeSpec.resolve to the external tests.
func ResolveTimeSpec(t *TimeSpec, now time.Time) int64 { return t.UnixAt(now) }

// EncodeClaims exposes encodeClaims to the external tests.
func EncodeClaims(c Claims) ([]byte, error) { return encodeClaims(c) }

// CheckDuplicateKeys exposes the control plane's duplicate-key walk.
var CheckDuplicateKeys = checkDuplicateKeys
