package auth

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Defaults applied by New to zero-valued Config fields.
const (
	DefaultLeeway            = 5 * time.Second
	DefaultCacheTTL          = time.Hour
	DefaultMinCacheTTL       = 60 * time.Second
	DefaultMaxCacheTTL       = 24 * time.Hour
	DefaultRefetchCooldown   = 5 * time.Second
	DefaultDiscoveryRetries  = 4
	DefaultRetryBackoff      = 200 * time.Millisecond
	DefaultHTTPTimeout       = 10 * time.Second
	DefaultRealm             = "api"
	DefaultVerifiedCacheSize = 10000
	// DefaultMaxTokenBytes is 32 KiB, above any token Descope issues and
	// the most the harness's mock mints.
	DefaultMaxTokenBytes = 32 << 10

	// minMaxTokenBytes is the smallest MaxTokenBytes: below it no real token fits.
	minMaxTokenBytes = 1 << 10
	// maxRetryBackoff caps the doubling retry backoff.
	maxRetryBackoff = 5 * time.Second
	// maxDocumentBytes bounds discovery and key-set response bodies.
	maxDocumentBytes = 1 << 20
	// refreshAheadFraction is the part of the key-set TTL after which the
	// background refresher fetches a fresh key set.
	refreshAheadFraction = 0.8
)

// Config configures a Validator. Zero values are safe defaults; New validates
// the whole struct once.
type Config struct {
	// DiscoveryURL (required) - OIDC discovery document URL; https unless the host is loopback or AllowInsecureHTTP is set.
	DiscoveryURL string
	// Audience (required) - a value the token's aud claim (string or list) must contain.
	Audience string
	// ExtraIssuers (optional, default none) - issuers accepted besides the discovery document's issuer.
	ExtraIssuers []string
	// Algorithms (optional, default ["RS256"]) - signature algorithm allow-list; only RS* and PS* are accepted, "none" and HS* are refused.
	Algorithms []string
	// Leeway (optional, default 5s) - accepted clock skew for exp and nbf; a negative value is refused.
	Leeway time.Duration
	// NoLeeway (optional, default false) - force a zero leeway (a zero Leeway means "default").
	NoLeeway bool
	// CacheTTL (optional, default 1h) - key-set lifetime when the response has no Cache-Control max-age; clamped like max-age.
	CacheTTL time.Duration
	// MinCacheTTL (optional, default 60s) - lower clamp for the key-set lifetime.
	MinCacheTTL time.Duration
	// MaxCacheTTL (optional, default 24h) - upper clamp for the key-set lifetime.
	MaxCacheTTL time.Duration
	// RefetchCooldown (optional, default 5s) - an unknown kid refetches the key set at most once per cooldown.
	RefetchCooldown time.Duration
	// DiscoveryRetries (optional, default 4; negative means none) - retries per discovery attempt on transient failures, with exponential backoff.
	DiscoveryRetries int
	// RetryBackoff (optional, default 200ms) - first retry backoff, doubling up to 5s.
	RetryBackoff time.Duration
	// HTTPClient (optional, default a client with a 10s timeout and the system's root CAs) - client for discovery and
	// key-set requests. For a provider whose certificate a private CA signed (mockidp serve --tls), give one whose
	// transport trusts it: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}.
	HTTPClient *http.Client
	// AllowInsecureHTTP (optional, default false) - allow plain http to non-loopback hosts (tests and labs only).
	AllowInsecureHTTP bool
	// Now (optional, default time.Now) - clock for exp/nbf checks and cache timing.
	Now func() time.Time
	// Logger (optional, default discards) - receives rejection reasons and fetch failures, never tokens.
	Logger *slog.Logger
	// ErrorRenderer (optional, default RenderError) - writes the status and body of every refusal, after the
	// protocol headers (WWW-Authenticate, Retry-After) are set.
	ErrorRenderer ErrorRenderer
	// Observer (optional, default none) - receives every refusal and provider fetch, for metrics.
	Observer Observer
	// MaxTokenBytes (optional, default 32768; at least 1024) - longer tokens are refused unparsed with ErrTokenTooLarge.
	MaxTokenBytes int
	// SessionCookie (optional, default "": the Authorization header only) - a cookie the middleware reads the token
	// from when a request has no Authorization header; Descope's session cookie is "DS". A cookie is sent by browsers
	// on their own, so a service reading one must protect its state-changing routes against cross-site requests.
	SessionCookie string
	// Realm (optional, default "api") - realm of the WWW-Authenticate challenge.
	Realm string
	// VerifiedCacheSize (optional, default 10000; negative disables; 1 is refused) - how many verified tokens are
	// remembered, so a repeated token skips the RSA verification. A hit still re-checks exp and nbf (with the leeway)
	// against Now and that the key it was verified with is still in the key set.
	VerifiedCacheSize int
}

// settings is a Config with defaults applied and derived values computed.
type settings struct {
	Config
	algorithms []jose.SignatureAlgorithm
	allowed    map[string]bool
}

// withDefaults validates cfg and fills in defaults.
func (cfg Config) withDefaults() (*settings, error) {
	var errs []error
	s := &settings{Config: cfg}

	if cfg.DiscoveryURL == "" {
		errs = append(errs, errors.New("DiscoveryURL is required"))
	} else if err := CheckURL(cfg.DiscoveryURL, cfg.AllowInsecureHTTP); err != nil {
		errs = append(errs, fmt.Errorf("DiscoveryURL: %w", err))
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		errs = append(errs, errors.New("Audience is required"))
	}
	if slices.Contains(cfg.ExtraIssuers, "") {
		errs = append(errs, errors.New("ExtraIssuers: empty issuer"))
	}

	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{string(jose.RS256)}
	}
	s.allowed = make(map[string]bool, len(algs))
	for _, a := range algs {
		if !rsaAlgorithms[a] {
			errs = append(errs, fmt.Errorf("Algorithms: %q is not allowed (use RS256, RS384, RS512, PS256, PS384 or PS512)", a))
			continue
		}
		if !s.allowed[a] {
			s.allowed[a] = true
			s.algorithms = append(s.algorithms, jose.SignatureAlgorithm(a))
		}
	}

	durations := []struct {
		name  string
		value *time.Duration
		def   time.Duration
	}{
		{"Leeway", &s.Leeway, DefaultLeeway},
		{"CacheTTL", &s.CacheTTL, DefaultCacheTTL},
		{"MinCacheTTL", &s.MinCacheTTL, DefaultMinCacheTTL},
		{"MaxCacheTTL", &s.MaxCacheTTL, DefaultMaxCacheTTL},
		{"RefetchCooldown", &s.RefetchCooldown, DefaultRefetchCooldown},
		{"RetryBackoff", &s.RetryBackoff, DefaultRetryBackoff},
	}
	for _, d := range durations {
		switch {
		case *d.value < 0:
			errs = append(errs, fmt.Errorf("%s: %s is negative", d.name, *d.value))
		case *d.value == 0:
			*d.value = d.def
		}
	}
	if cfg.NoLeeway {
		s.Leeway = 0
	}
	if s.MinCacheTTL > s.MaxCacheTTL {
		errs = append(errs, fmt.Errorf("MinCacheTTL %s exceeds MaxCacheTTL %s", s.MinCacheTTL, s.MaxCacheTTL))
	}

	if cfg.DiscoveryRetries == 0 {
		s.DiscoveryRetries = DefaultDiscoveryRetries
	}
	s.DiscoveryRetries = max(s.DiscoveryRetries, 0) // negative means none
	s.HTTPClient = cmp.Or(s.HTTPClient, &http.Client{Timeout: DefaultHTTPTimeout})
	s.Logger = cmp.Or(s.Logger, slog.New(slog.DiscardHandler))
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.ErrorRenderer == nil {
		s.ErrorRenderer = RenderError
	}
	switch {
	case cfg.VerifiedCacheSize == 0:
		s.VerifiedCacheSize = DefaultVerifiedCacheSize
	case cfg.VerifiedCacheSize > 0 && cfg.VerifiedCacheSize < minVerifiedCacheSize:
		errs = append(errs, fmt.Errorf("VerifiedCacheSize: %d is too small (0 means the default, a negative value disables the cache, else at least %d)",
			cfg.VerifiedCacheSize, minVerifiedCacheSize))
	}
	switch {
	case cfg.MaxTokenBytes == 0:
		s.MaxTokenBytes = DefaultMaxTokenBytes
	case cfg.MaxTokenBytes < minMaxTokenBytes:
		errs = append(errs, fmt.Errorf("MaxTokenBytes: %d is below %d", cfg.MaxTokenBytes, minMaxTokenBytes))
	}
	if strings.ContainsAny(cfg.SessionCookie, " \t\r\n;,=\"") {
		errs = append(errs, fmt.Errorf("SessionCookie: %q is not a cookie name", cfg.SessionCookie))
	}
	if s.Realm == "" {
		s.Realm = DefaultRealm
	} else if strings.ContainsAny(s.Realm, "\"\\\r\n") {
		errs = append(errs, fmt.Errorf("Realm: %q must not contain quotes, backslashes or line breaks", s.Realm))
	}

	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("auth: invalid config: %w", err)
	}
	return s, nil
}

// rsaAlgorithms are the algorithms a Config may allow: RSA only, because only
// RSA keys of at least 2048 bits are taken from the key set.
var rsaAlgorithms = map[string]bool{
	string(jose.RS256): true, string(jose.RS384): true, string(jose.RS512): true,
	string(jose.PS256): true, string(jose.PS384): true, string(jose.PS512): true,
}

// ErrInsecureURL is wrapped by the error CheckURL (and New) returns for
// plain http to a host that is not loopback without AllowInsecureHTTP.
var ErrInsecureURL = errors.New("plain http to a non-loopback host")

// CheckURL reports whether raw is a URL New accepts as a DiscoveryURL: an
// absolute https URL, or http to a loopback host (localhost, 127.0.0.0/8,
// ::1), or http to any host when allowInsecure is set. A service can check
// its configuration with it before it builds a Validator.
func CheckURL(raw string, allowInsecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	loopback := strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
	switch {
	case u.Scheme == "http" && !allowInsecure && !loopback:
		return fmt.Errorf("%q uses %w", raw, ErrInsecureURL)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%q: scheme must be https", raw)
	}
	return nil
}
