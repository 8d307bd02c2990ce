package keys

import "errors"

// ErrUnknownKey reports a kid that is not in the published set: never
// issued, already revoked, or rotated out of the window.
var ErrUnknownKey = errors.New("unknown or unpublished key")

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("invalid key set config")

// ErrBadPEM is wrapped by every error about an unusable PEM key: not PEM,
// not a private key, not RSA, or too small.
var ErrBadPEM = errors.New("bad PEM key")
