package project

import (
	"fmt"
	"net/url"
	"strings"
)

// CheckRedirectURI says why uri cannot be registered as a client's
// redirect or post-logout redirect URI, or returns nil. A registered URI is
// absolute, http(s) or a private-use scheme with a dot (RFC 8252 §7.1, e.g.
// com.example.app:/cb), with no user information and no fragment
// (RFC 6749 §3.1.2). Presented URIs are then matched exactly, byte for byte,
// against the registered ones: no normalisation, so a look-alike (other
// host, case, trailing slash, encoded slash, userinfo) never matches.
func CheckRedirectURI(uri string) error {
	if uri == "" {
		return fmt.Errorf("is empty")
	}
	if len(uri) > MaxRedirectURIBytes {
		return fmt.Errorf("is longer than %d bytes", MaxRedirectURIBytes)
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("%q contains a space, control or non-ASCII byte", truncate(uri, 64))
		}
	}
	u, err := url.Parse(uri)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", truncate(uri, 64), err)
	}
	switch {
	case u.Scheme == "":
		return fmt.Errorf("%q is not absolute (no scheme)", truncate(uri, 64))
	case u.Fragment != "" || strings.Contains(uri, "#"):
		return fmt.Errorf("%q has a fragment (RFC 6749 §3.1.2 forbids one)", truncate(uri, 64))
	case u.User != nil:
		return fmt.Errorf("%q has user information", truncate(uri, 64))
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Host == "" || u.Opaque != "" {
			return fmt.Errorf("%q has no host", truncate(uri, 64))
		}
	case strings.Contains(u.Scheme, "."):
		// A native app's private-use scheme (reverse domain name).
	default:
		return fmt.Errorf("%q: scheme %q is not http, https or a private-use scheme such as com.example.app", truncate(uri, 64), u.Scheme)
	}
	return nil
}
