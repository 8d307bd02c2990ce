package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/descope-harness/harness/api/auth"
)

// config is everything bin/api reads from the environment. Each field names
// its variable and default; the README (Configuration, api) has the same table.
type config struct {
	// ProjectID - DESCOPE_PROJECT_ID (required unless DISCOVERY_URL and AUDIENCE are both set).
	ProjectID string
	// DiscoveryURL - DISCOVERY_URL (default https://api.descope.com/{DESCOPE_PROJECT_ID}/.well-known/openid-configuration;
	// https unless the host is loopback or ALLOW_INSECURE_DISCOVERY is set).
	DiscoveryURL string
	// Audience - AUDIENCE (default the project ID) - a value the token's aud must contain.
	Audience string
	// Host - HOST (default 127.0.0.1) - listen address.
	Host string
	// Port - PORT (default 8000; 0 picks a free port) - listen port.
	Port int

	// Leeway - LEEWAY (default 5s; 0 disables; at most 5m) - accepted clock skew for exp and nbf.
	Leeway time.Duration
	// JWKSCacheTTL - JWKS_CACHE_TTL (default 1h, clamped to [JWKS_MIN_TTL, JWKS_MAX_TTL]; a value set outside them is refused) - key-set lifetime when the provider sends no max-age.
	JWKSCacheTTL time.Duration
	// JWKSMinTTL - JWKS_MIN_TTL (default 60s) - lower clamp of the key-set lifetime.
	JWKSMinTTL time.Duration
	// JWKSMaxTTL - JWKS_MAX_TTL (default 24h) - upper clamp of the key-set lifetime.
	JWKSMaxTTL time.Duration
	// JWKSRefetchCooldown - JWKS_REFETCH_COOLDOWN (default 5s) - at most one key-set refetch per cooldown on unknown kids.
	JWKSRefetchCooldown time.Duration
	// DiscoveryRetries - DISCOVERY_RETRIES (default 4) - retries per discovery attempt on transient failures.
	DiscoveryRetries int
	// ProviderTimeout - PROVIDER_TIMEOUT (default 10s) - timeout of each discovery or key-set request.
	ProviderTimeout time.Duration
	// ProviderCAFile - PROVIDER_CA_FILE (default none) - PEM file of CA certificates trusted for the provider's
	// https URLs besides the system's roots, e.g. the CA of `mockidp serve --tls`.
	ProviderCAFile string
	// providerRoots is the system's roots plus ProviderCAFile's certificates; nil without ProviderCAFile.
	providerRoots *x509.CertPool
	// ExtraIssuers - EXTRA_ISSUERS (default none) - comma-separated issuers accepted besides the discovered one.
	ExtraIssuers []string
	// AuthErrorDetail - AUTH_ERROR_DETAIL (default false) - put the token failure reason in 401 bodies (development only).
	AuthErrorDetail bool
	// VerifiedCacheSize - VERIFIED_CACHE_SIZE (default auth.DefaultVerifiedCacheSize; 0 disables; else at least 2) - how many verified tokens are remembered so a repeated token skips the RSA verification.
	VerifiedCacheSize int
	// AllowInsecureDiscovery - ALLOW_INSECURE_DISCOVERY (default false) - allow plain http discovery to non-loopback hosts.
	AllowInsecureDiscovery bool

	// LogFormat - LOG_FORMAT (default text) - text or json.
	LogFormat string
	// LogLevel - LOG_LEVEL (default info) - debug, info, warn or error.
	LogLevel slog.Level

	// ReadTimeout - READ_TIMEOUT (default 15s) - limit for reading a whole request.
	ReadTimeout time.Duration
	// ReadHeaderTimeout - READ_HEADER_TIMEOUT (default 5s) - limit for reading request headers.
	ReadHeaderTimeout time.Duration
	// WriteTimeout - WRITE_TIMEOUT (default 30s) - limit for writing a response.
	WriteTimeout time.Duration
	// IdleTimeout - IDLE_TIMEOUT (default 120s) - keep-alive idle limit.
	IdleTimeout time.Duration
	// MaxHeaderBytes - MAX_HEADER_BYTES (default 65536) - largest accepted request header block.
	MaxHeaderBytes int
	// MaxTokenBytes - MAX_TOKEN_BYTES (default 32768) - longest bearer token validated; a longer one is a 401 with reason token too large.
	MaxTokenBytes int
	// ShutdownTimeout - SHUTDOWN_TIMEOUT (default 15s) - how long graceful shutdown waits for requests in flight.
	ShutdownTimeout time.Duration
}

// maxLeeway bounds LEEWAY: the leeway is how long after exp a token is
// still accepted, meant for clock skew (Descope's SDKs use 5s), not minutes.
const maxLeeway = 5 * time.Minute

// maxVerifiedCacheSize bounds VERIFIED_CACHE_SIZE: ten million verified
// tokens is already gigabytes of claims.
const maxVerifiedCacheSize = 10_000_000

// validatorCacheSize maps VERIFIED_CACHE_SIZE to auth.Config.VerifiedCacheSize,
// where 0 means the default and a negative value disables the cache.
func validatorCacheSize(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// defaultDiscoveryURL is Descope's discovery document for a project.
func defaultDiscoveryURL(projectID string) string {
	return "https://api.descope.com/" + url.PathEscape(projectID) + "/.well-known/openid-configuration"
}

// loadConfig reads the configuration through getenv. Every bad value is
// reported, each naming its variable.
func loadConfig(getenv func(string) string) (config, error) {
	p := envParser{getenv: getenv}
	cfg := config{
		ProjectID:              p.str("DESCOPE_PROJECT_ID", ""),
		DiscoveryURL:           p.str("DISCOVERY_URL", ""),
		Audience:               p.str("AUDIENCE", ""),
		Host:                   p.str("HOST", "127.0.0.1"),
		Port:                   p.integer("PORT", 8000, 0, 65535),
		Leeway:                 p.duration("LEEWAY", 5*time.Second, true),
		JWKSCacheTTL:           p.duration("JWKS_CACHE_TTL", time.Hour, false),
		JWKSMinTTL:             p.duration("JWKS_MIN_TTL", 60*time.Second, false),
		JWKSMaxTTL:             p.duration("JWKS_MAX_TTL", 24*time.Hour, false),
		JWKSRefetchCooldown:    p.duration("JWKS_REFETCH_COOLDOWN", 5*time.Second, false),
		DiscoveryRetries:       p.integer("DISCOVERY_RETRIES", 4, 0, 100),
		ProviderTimeout:        p.duration("PROVIDER_TIMEOUT", 10*time.Second, false),
		ProviderCAFile:         p.str("PROVIDER_CA_FILE", ""),
		ExtraIssuers:           p.list("EXTRA_ISSUERS"),
		AuthErrorDetail:        p.boolean("AUTH_ERROR_DETAIL", false),
		VerifiedCacheSize:      p.integer("VERIFIED_CACHE_SIZE", auth.DefaultVerifiedCacheSize, 0, maxVerifiedCacheSize),
		AllowInsecureDiscovery: p.boolean("ALLOW_INSECURE_DISCOVERY", false),
		LogFormat:              p.oneOf("LOG_FORMAT", "text", "text", "json"),
		LogLevel:               p.level("LOG_LEVEL", slog.LevelInfo),
		ReadTimeout:            p.duration("READ_TIMEOUT", 15*time.Second, false),
		ReadHeaderTimeout:      p.duration("READ_HEADER_TIMEOUT", 5*time.Second, false),
		WriteTimeout:           p.duration("WRITE_TIMEOUT", 30*time.Second, false),
		IdleTimeout:            p.duration("IDLE_TIMEOUT", 120*time.Second, false),
		MaxHeaderBytes:         p.integer("MAX_HEADER_BYTES", 64<<10, 4<<10, 16<<20),
		MaxTokenBytes:          p.integer("MAX_TOKEN_BYTES", auth.DefaultMaxTokenBytes, 1<<10, 16<<20),
		ShutdownTimeout:        p.duration("SHUTDOWN_TIMEOUT", 15*time.Second, false),
	}

	if cfg.ProjectID == "" && (cfg.DiscoveryURL == "" || cfg.Audience == "") {
		p.fail("DESCOPE_PROJECT_ID", "is required unless DISCOVERY_URL and AUDIENCE are both set")
	}
	if cfg.DiscoveryURL == "" && cfg.ProjectID != "" {
		cfg.DiscoveryURL = defaultDiscoveryURL(cfg.ProjectID)
	}
	if cfg.Audience == "" {
		cfg.Audience = cfg.ProjectID
	}
	if cfg.DiscoveryURL != "" {
		switch err := auth.CheckURL(cfg.DiscoveryURL, cfg.AllowInsecureDiscovery); {
		case errors.Is(err, auth.ErrInsecureURL):
			p.fail("DISCOVERY_URL", err.Error()+" (use https, or set ALLOW_INSECURE_DISCOVERY=true)")
		case err != nil:
			p.fail("DISCOVERY_URL", fmt.Sprintf("%q is not an absolute http(s) URL", cfg.DiscoveryURL))
		}
	}
	if cfg.ProviderCAFile != "" {
		roots, err := providerRoots(cfg.ProviderCAFile)
		if err != nil {
			p.fail("PROVIDER_CA_FILE", err.Error())
		}
		cfg.providerRoots = roots
	}
	if cfg.Leeway > maxLeeway {
		p.fail("LEEWAY", fmt.Sprintf("%s is more than %s: expired tokens would be accepted that long", cfg.Leeway, maxLeeway))
	}
	for _, iss := range cfg.ExtraIssuers {
		if strings.ContainsAny(iss, " \t") {
			p.fail("EXTRA_ISSUERS", fmt.Sprintf("issuer %q contains whitespace", iss))
		}
	}
	if cfg.Host != "" && net.ParseIP(strings.Trim(cfg.Host, "[]")) == nil && !validHostname(cfg.Host) {
		p.fail("HOST", fmt.Sprintf("%q is not an IP address or host name", cfg.Host))
	}
	if cfg.VerifiedCacheSize == 1 {
		p.fail("VERIFIED_CACHE_SIZE", "1 is too small (0 disables the cache, else at least 2)")
	}
	if cfg.JWKSMinTTL > cfg.JWKSMaxTTL {
		p.fail("JWKS_MIN_TTL", fmt.Sprintf("%s is greater than JWKS_MAX_TTL %s", cfg.JWKSMinTTL, cfg.JWKSMaxTTL))
	} else if _, set := p.raw("JWKS_CACHE_TTL"); set && (cfg.JWKSCacheTTL < cfg.JWKSMinTTL || cfg.JWKSCacheTTL > cfg.JWKSMaxTTL) {
		// The validator would clamp it silently: say so instead. (The
		// default is clamped quietly: JWKS_MIN_TTL=2h alone means 2h.)
		p.fail("JWKS_CACHE_TTL", fmt.Sprintf("%s is outside [JWKS_MIN_TTL %s, JWKS_MAX_TTL %s]", cfg.JWKSCacheTTL, cfg.JWKSMinTTL, cfg.JWKSMaxTTL))
	}
	return cfg, errors.Join(p.errs...)
}

// validHostname accepts letters, digits, dots and hyphens.
func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// addr is the listen address.
func (c config) addr() string {
	return net.JoinHostPort(strings.Trim(c.Host, "[]"), strconv.Itoa(c.Port))
}

// envParser reads typed variables and collects every error.
type envParser struct {
	getenv func(string) string
	errs   []error
}

func (p *envParser) fail(name, msg string) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", name, msg))
}

func (p *envParser) raw(name string) (string, bool) {
	v := strings.TrimSpace(p.getenv(name))
	return v, v != ""
}

func (p *envParser) str(name, def string) string {
	if v, ok := p.raw(name); ok {
		return v
	}
	return def
}

func (p *envParser) integer(name string, def, lo, hi int) int {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(name, fmt.Sprintf("%q is not an integer", v))
		return def
	}
	if n < lo || n > hi {
		p.fail(name, fmt.Sprintf("%d is out of range [%d, %d]", n, lo, hi))
		return def
	}
	return n
}

// duration accepts a Go duration ("90s", "1h30m") or whole seconds ("90").
// Zero is accepted only where allowZero says so; negative never.
func (p *envParser) duration(name string, def time.Duration, allowZero bool) time.Duration {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.Atoi(v)
		if serr != nil {
			p.fail(name, fmt.Sprintf("%q is not a duration (like 30s or 5m) or a number of seconds", v))
			return def
		}
		d = time.Duration(secs) * time.Second
	}
	switch {
	case d < 0:
		p.fail(name, fmt.Sprintf("%q is negative", v))
		return def
	case d == 0 && !allowZero:
		p.fail(name, fmt.Sprintf("%q must be greater than zero", v))
		return def
	}
	return d
}

func (p *envParser) boolean(name string, def bool) bool {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, fmt.Sprintf("%q is not a boolean (true or false)", v))
		return def
	}
	return b
}

func (p *envParser) oneOf(name, def string, allowed ...string) string {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	p.fail(name, fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", ")))
	return def
}

func (p *envParser) level(name string, def slog.Level) slog.Level {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, fmt.Sprintf("%q is not a log level (debug, info, warn, error)", v))
		return def
	}
	return l
}

// list splits a comma-separated value, dropping empty items.
func (p *envParser) list(name string) []string {
	v, ok := p.raw(name)
	if !ok {
		return nil
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
