package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewConfig(t *testing.T) {
	t.Parallel()
	ok := Config{DiscoveryURL: "https://api.descope.com/P2/.well-known/openid-configuration", Audience: "P2"}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string // "" means New succeeds
	}{
		{"defaults", func(*Config) {}, ""},
		{"loopback http", func(c *Config) { c.DiscoveryURL = "http://127.0.0.1:8080/.well-known/openid-configuration" }, ""},
		{"localhost http", func(c *Config) { c.DiscoveryURL = "http://localhost:8080/d" }, ""},
		{"ipv6 loopback http", func(c *Config) { c.DiscoveryURL = "http://[::1]:8080/d" }, ""},
		{"insecure http allowed", func(c *Config) { c.DiscoveryURL = "http://idp.internal/d"; c.AllowInsecureHTTP = true }, ""},
		{"PS256 allowed", func(c *Config) { c.Algorithms = []string{"RS256", "PS256"} }, ""},
		{"missing discovery URL", func(c *Config) { c.DiscoveryURL = "" }, "DiscoveryURL is required"},
		{"relative discovery URL", func(c *Config) { c.DiscoveryURL = "/.well-known/openid-configuration" }, "not an absolute URL"},
		{"http to a remote host", func(c *Config) { c.DiscoveryURL = "http://api.descope.com/d" }, "plain http"},
		{"http to a lookalike of localhost", func(c *Config) { c.DiscoveryURL = "http://localhost.evil.test/d" }, "plain http"},
		{"ftp scheme", func(c *Config) { c.DiscoveryURL = "ftp://idp.test/d" }, "scheme must be https"},
		{"missing audience", func(c *Config) { c.Audience = " " }, "Audience is required"},
		{"alg none", func(c *Config) { c.Algorithms = []string{"none"} }, `"none" is not allowed`},
		{"alg HS256", func(c *Config) { c.Algorithms = []string{"RS256", "HS256"} }, `"HS256" is not allowed`},
		{"alg ES256", func(c *Config) { c.Algorithms = []string{"ES256"} }, `"ES256" is not allowed`},
		{"negative leeway", func(c *Config) { c.Leeway = -time.Second }, "Leeway: -1s is negative"},
		{"negative leeway with NoLeeway", func(c *Config) { c.NoLeeway = true; c.Leeway = -time.Second }, "Leeway: -1s is negative"},
		{"negative cooldown", func(c *Config) { c.RefetchCooldown = -time.Second }, "RefetchCooldown"},
		{"min TTL above max", func(c *Config) { c.MinCacheTTL = 2 * time.Hour; c.MaxCacheTTL = time.Hour }, "exceeds MaxCacheTTL"},
		{"empty extra issuer", func(c *Config) { c.ExtraIssuers = []string{""} }, "empty issuer"},
		{"quote in realm", func(c *Config) { c.Realm = `a"b` }, "Realm"},
		{"verified cache disabled", func(c *Config) { c.VerifiedCacheSize = -1 }, ""},
		{"verified cache of two", func(c *Config) { c.VerifiedCacheSize = 2 }, ""},
		{"verified cache of one", func(c *Config) { c.VerifiedCacheSize = 1 }, "VerifiedCacheSize: 1 is too small"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tt.mutate(&cfg)
			v, err := New(cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: got error %v, want none", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("New: got no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("New: got error %q, want it to contain %q", err, tt.wantErr)
			case tt.wantErr != "" && v != nil:
				t.Fatalf("New: got a validator with error %v", err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	v, err := New(Config{DiscoveryURL: "https://idp.test/d", Audience: "P2"})
	if err != nil {
		t.Fatal(err)
	}
	s := v.cfg
	checks := []struct {
		name      string
		got, want any
	}{
		{"Leeway", s.Leeway, 5 * time.Second},
		{"CacheTTL", s.CacheTTL, time.Hour},
		{"MinCacheTTL", s.MinCacheTTL, time.Minute},
		{"MaxCacheTTL", s.MaxCacheTTL, 24 * time.Hour},
		{"RefetchCooldown", s.RefetchCooldown, 5 * time.Second},
		{"DiscoveryRetries", s.DiscoveryRetries, 4},
		{"RetryBackoff", s.RetryBackoff, 200 * time.Millisecond},
		{"HTTP timeout", s.HTTPClient.Timeout, 10 * time.Second},
		{"Realm", s.Realm, "api"},
		{"Algorithms", len(s.algorithms), 1},
		{"RS256 allowed", s.allowed["RS256"], true},
		{"Ready before Start", v.Ready(), false},
		{"Issuer before discovery", v.Issuer(), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	v, err = New(Config{DiscoveryURL: "https://idp.test/d", Audience: "P2", NoLeeway: true, Leeway: time.Minute, DiscoveryRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if v.cfg.Leeway != 0 || v.cfg.DiscoveryRetries != 0 {
		t.Errorf("NoLeeway/negative retries: got leeway %v retries %d, want 0 and 0", v.cfg.Leeway, v.cfg.DiscoveryRetries)
	}
}

// CheckURL gives a service New's verdict on a discovery URL before it builds
// a Validator, and the insecure case is recognisable for a better message.
func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw           string
		allowInsecure bool
		wantErr       bool
		insecure      bool
	}{
		{"https://api.descope.com/P2/.well-known/openid-configuration", false, false, false},
		{"http://127.0.0.1:8080/d", false, false, false},
		{"http://mockidp:8080/d", true, false, false},
		{"http://mockidp:8080/d", false, true, true},
		{"http://localhost.evil.test/d", false, true, true},
		{"ftp://idp.test/d", false, true, false},
		{"/relative/d", false, true, false},
	} {
		err := CheckURL(tt.raw, tt.allowInsecure)
		if (err != nil) != tt.wantErr || errors.Is(err, ErrInsecureURL) != tt.insecure {
			t.Errorf("CheckURL(%q, %v) = %v; want error %v, ErrInsecureURL %v", tt.raw, tt.allowInsecure, err, tt.wantErr, tt.insecure)
		}
		_, newErr := New(Config{DiscoveryURL: tt.raw, Audience: "P2", AllowInsecureHTTP: tt.allowInsecure})
		if (newErr != nil) != tt.wantErr || errors.Is(newErr, ErrInsecureURL) != tt.insecure {
			t.Errorf("New with %q: %v; want the same verdict as CheckURL", tt.raw, newErr)
		}
	}
}
