package keys

import (
	"errors"
	"fmt"
)

// ErrUnknownKey reports a kid that is not in the published set: never
// issued, already revoked, or rotated out of the window.
var ErrUnknownKey = errors.New("unknown or unpublished key")

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("invalid key set config")

// ErrBadPEM is wrapped by every error about an unusable PEM key: not PEM,
// not a private key, not RSA, or too small.
var ErrBadPEM = errors.New("bad PEM key")

// FileError is LoadPEMFiles' error: which of its paths failed, and why.
type FileError struct {
	Index int    // position of Path in LoadPEMFiles' arguments
	Path  string // the file
	Err   error  // reading or parsing it
}

func (e *FileError) Error() string { return fmt.Sprintf("loading key file %q: %v", e.Path, e.Err) }

func (e *FileError) Unwrap() error { return e.Err }
