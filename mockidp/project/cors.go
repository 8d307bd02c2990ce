package project

import (
	"fmt"
	"net/url"
	"strings"
)

// CORSSettings says which browser origins may call the Descope surface
// (project file "cors:"; the serve command's --cors-origins and
// MOCKIDP_CORS_ORIGINS replace the list). The control plane (/_mock/) never
// answers a browser's cross-origin call.
type CORSSettings struct {
	// AllowedOrigins (optional, default ["loopback"]) - origins allowed to
	// call with credentials: each an exact origin ("http://localhost:5173",
	// "https://app.test"), "loopback" (http or https on localhost,
	// 127.0.0.1 or [::1], any port) or "*" (any origin, echoed; for a
	// mock reachable only by your own test browser). An empty list is the
	// default; to allow no origin at all, list "none".
	AllowedOrigins []string `yaml:"allowed_origins" json:"allowed_origins,omitempty"`
}

// Keywords of CORSSettings.AllowedOrigins.
const (
	OriginsLoopback = "loopback"
	OriginsAny      = "*"
	OriginsNone     = "none"
)

// Validate checks the allowed origins.
func (c *CORSSettings) Validate() error {
	if len(c.AllowedOrigins) > MaxCORSOrigins {
		return &ConfigError{Field: "cors.allowed_origins", Reason: fmt.Sprintf("%d origins, over the limit of %d (MaxCORSOrigins)", len(c.AllowedOrigins), MaxCORSOrigins)}
	}
	for i, o := range c.AllowedOrigins {
		if err := CheckOrigin(o); err != nil {
			return &ConfigError{Field: fmt.Sprintf("cors.allowed_origins[%d]", i), Reason: err.Error()}
		}
		if o == OriginsNone && len(c.AllowedOrigins) > 1 {
			return &ConfigError{Field: fmt.Sprintf("cors.allowed_origins[%d]", i), Reason: `"none" cannot be listed with other origins`}
		}
	}
	return nil
}

// MaxCORSOrigins bounds the allowed-origin list.
const MaxCORSOrigins = 1000

// CheckOrigin reports whether o can be an entry of
// CORSSettings.AllowedOrigins: a keyword, or an origin as browsers send it
// (scheme, host and optional port; no path, query or trailing slash).
func CheckOrigin(o string) error {
	switch o {
	case OriginsLoopback, OriginsAny, OriginsNone:
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#") {
		return fmt.Errorf(`%q is not an origin: want scheme://host[:port] as a browser sends it (no path or trailing slash), or "loopback", "*" or "none"`, truncate(o, 128))
	}
	if o != u.Scheme+"://"+u.Host || strings.ToLower(o) != o {
		return fmt.Errorf("%q is not an origin as a browser sends it: write it in lower case as scheme://host[:port]", truncate(o, 128))
	}
	return nil
}
