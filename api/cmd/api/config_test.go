package main

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/api/auth"
)

// env is a getenv over a map.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// withProject adds the one required variable to vars.
func withProject(vars map[string]string) map[string]string {
	out := map[string]string{"DESCOPE_PROJECT_ID": "P2Test"}
	for k, v := range vars {
		out[k] = v
	}
	return out
}

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	got, err := loadConfig(env(map[string]string{"DESCOPE_PROJECT_ID": "P2Test"}))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	want := config{
		ProjectID:           "P2Test",
		DiscoveryURL:        "https://api.descope.com/P2Test/.well-known/openid-configuration",
		Audience:            "P2Test",
		Host:                "127.0.0.1",
		Port:                8000,
		Leeway:              5 * time.Second,
		JWKSCacheTTL:        time.Hour,
		JWKSMinTTL:          60 * time.Second,
		JWKSMaxTTL:          24 * time.Hour,
		JWKSRefetchCooldown: 5 * time.Second,
		DiscoveryRetries:    4,
		ProviderTimeout:     10 * time.Second,
		VerifiedCacheSize:   auth.DefaultVerifiedCacheSize,
		LogFormat:           "text",
		LogLevel:            slog.LevelInfo,
		ReadTimeout:         15 * time.Second,
		ReadHeaderTimeout:   5 * time.Second,
		WriteTimeout:        30 * time.Second,
		IdleTimeout:         120 * time.Second,
		MaxHeaderBytes:      64 << 10,
		MaxTokenBytes:       32 << 10,
		ShutdownTimeout:     15 * time.Second,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if got.addr() != "127.0.0.1:8000" {
		t.Errorf("addr: got %q, want 127.0.0.1:8000", got.addr())
	}
}

// Each variable, set to a good value, lands in its field.
func TestLoadConfigEachVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		vars  map[string]string
		check func(config) bool
	}{
		{"DISCOVERY_URL", map[string]string{"DISCOVERY_URL": "http://127.0.0.1:8080/P2Test/.well-known/openid-configuration"},
			func(c config) bool {
				return c.DiscoveryURL == "http://127.0.0.1:8080/P2Test/.well-known/openid-configuration"
			}},
		{"AUDIENCE", map[string]string{"AUDIENCE": "my-api"}, func(c config) bool { return c.Audience == "my-api" }},
		{"HOST", map[string]string{"HOST": "0.0.0.0"}, func(c config) bool { return c.addr() == "0.0.0.0:8000" }},
		{"HOST IPv6", map[string]string{"HOST": "::1"}, func(c config) bool { return c.addr() == "[::1]:8000" }},
		{"HOST name", map[string]string{"HOST": "localhost"}, func(c config) bool { return c.Host == "localhost" }},
		{"PORT", map[string]string{"PORT": "9000"}, func(c config) bool { return c.Port == 9000 }},
		{"PORT zero picks a free port", map[string]string{"PORT": "0"}, func(c config) bool { return c.Port == 0 }},
		{"LEEWAY duration", map[string]string{"LEEWAY": "30s"}, func(c config) bool { return c.Leeway == 30*time.Second }},
		{"LEEWAY seconds", map[string]string{"LEEWAY": "10"}, func(c config) bool { return c.Leeway == 10*time.Second }},
		{"LEEWAY zero disables", map[string]string{"LEEWAY": "0"}, func(c config) bool { return c.Leeway == 0 }},
		{"JWKS_CACHE_TTL", map[string]string{"JWKS_CACHE_TTL": "30m"}, func(c config) bool { return c.JWKSCacheTTL == 30*time.Minute }},
		{"JWKS_MIN_TTL", map[string]string{"JWKS_MIN_TTL": "2m"}, func(c config) bool { return c.JWKSMinTTL == 2*time.Minute }},
		{"JWKS_MAX_TTL", map[string]string{"JWKS_MAX_TTL": "12h"}, func(c config) bool { return c.JWKSMaxTTL == 12*time.Hour }},
		{"JWKS_REFETCH_COOLDOWN", map[string]string{"JWKS_REFETCH_COOLDOWN": "1s"},
			func(c config) bool { return c.JWKSRefetchCooldown == time.Second }},
		{"DISCOVERY_RETRIES", map[string]string{"DISCOVERY_RETRIES": "0"}, func(c config) bool { return c.DiscoveryRetries == 0 }},
		{"PROVIDER_TIMEOUT", map[string]string{"PROVIDER_TIMEOUT": "3s"}, func(c config) bool { return c.ProviderTimeout == 3*time.Second }},
		{"EXTRA_ISSUERS", map[string]string{"EXTRA_ISSUERS": " https://a.example/P1 , ,https://api.descope.com/v1/apps/P2Test"},
			func(c config) bool {
				return reflect.DeepEqual(c.ExtraIssuers, []string{"https://a.example/P1", "https://api.descope.com/v1/apps/P2Test"})
			}},
		{"AUTH_ERROR_DETAIL", map[string]string{"AUTH_ERROR_DETAIL": "true"}, func(c config) bool { return c.AuthErrorDetail }},
		{"ALLOW_INSECURE_DISCOVERY", map[string]string{"ALLOW_INSECURE_DISCOVERY": "1"}, func(c config) bool { return c.AllowInsecureDiscovery }},
		{"VERIFIED_CACHE_SIZE", map[string]string{"VERIFIED_CACHE_SIZE": "256"}, func(c config) bool { return c.VerifiedCacheSize == 256 }},
		{"VERIFIED_CACHE_SIZE zero disables", map[string]string{"VERIFIED_CACHE_SIZE": "0"}, func(c config) bool { return c.VerifiedCacheSize == 0 }},
		{"LOG_FORMAT", map[string]string{"LOG_FORMAT": "JSON"}, func(c config) bool { return c.LogFormat == "json" }},
		{"LOG_LEVEL", map[string]string{"LOG_LEVEL": "debug"}, func(c config) bool { return c.LogLevel == slog.LevelDebug }},
		{"READ_TIMEOUT", map[string]string{"READ_TIMEOUT": "1m"}, func(c config) bool { return c.ReadTimeout == time.Minute }},
		{"READ_HEADER_TIMEOUT", map[string]string{"READ_HEADER_TIMEOUT": "2s"}, func(c config) bool { return c.ReadHeaderTimeout == 2*time.Second }},
		{"WRITE_TIMEOUT", map[string]string{"WRITE_TIMEOUT": "45s"}, func(c config) bool { return c.WriteTimeout == 45*time.Second }},
		{"IDLE_TIMEOUT", map[string]string{"IDLE_TIMEOUT": "5m"}, func(c config) bool { return c.IdleTimeout == 5*time.Minute }},
		{"MAX_TOKEN_BYTES", map[string]string{"MAX_TOKEN_BYTES": "4096"}, func(c config) bool { return c.MaxTokenBytes == 4096 }},
		{"MAX_HEADER_BYTES", map[string]string{"MAX_HEADER_BYTES": "32768"}, func(c config) bool { return c.MaxHeaderBytes == 32768 }},
		{"SHUTDOWN_TIMEOUT", map[string]string{"SHUTDOWN_TIMEOUT": "3s"}, func(c config) bool { return c.ShutdownTimeout == 3*time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(env(withProject(tt.vars)))
			if err != nil {
				t.Fatalf("loadConfig: got error %v, want none", err)
			}
			if !tt.check(got) {
				t.Errorf("got %+v, want %v applied", got, tt.vars)
			}
		})
	}
}

func TestLoadConfigWithoutProjectID(t *testing.T) {
	t.Parallel()
	got, err := loadConfig(env(map[string]string{"DISCOVERY_URL": "https://idp.example/.well-known/openid-configuration", "AUDIENCE": "api"}))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if got.ProjectID != "" || got.Audience != "api" {
		t.Errorf("got project %q audience %q, want \"\" and api", got.ProjectID, got.Audience)
	}
}

// A bad value stops start-up with a message that names the variable.
func TestLoadConfigBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		vars     map[string]string
		wantName string
	}{
		{"nothing set", map[string]string{}, "DESCOPE_PROJECT_ID"},
		{"discovery without audience", map[string]string{"DISCOVERY_URL": "https://idp.example/x"}, "DESCOPE_PROJECT_ID"},
		{"relative discovery URL", withProject(map[string]string{"DISCOVERY_URL": "/x"}), "DISCOVERY_URL"},
		{"ftp discovery URL", withProject(map[string]string{"DISCOVERY_URL": "ftp://idp.example/x"}), "DISCOVERY_URL"},
		{"bad host", withProject(map[string]string{"HOST": "bad host!"}), "HOST"},
		{"port not a number", withProject(map[string]string{"PORT": "http"}), "PORT"},
		{"port out of range", withProject(map[string]string{"PORT": "70000"}), "PORT"},
		{"negative port", withProject(map[string]string{"PORT": "-1"}), "PORT"},
		{"leeway garbage", withProject(map[string]string{"LEEWAY": "soon"}), "LEEWAY"},
		{"negative leeway", withProject(map[string]string{"LEEWAY": "-5s"}), "LEEWAY"},
		{"cache ttl zero", withProject(map[string]string{"JWKS_CACHE_TTL": "0"}), "JWKS_CACHE_TTL"},
		{"min ttl garbage", withProject(map[string]string{"JWKS_MIN_TTL": "1x"}), "JWKS_MIN_TTL"},
		{"max ttl negative", withProject(map[string]string{"JWKS_MAX_TTL": "-1h"}), "JWKS_MAX_TTL"},
		{"min above max", withProject(map[string]string{"JWKS_MIN_TTL": "2h", "JWKS_MAX_TTL": "1h"}), "JWKS_MIN_TTL"},
		{"cooldown garbage", withProject(map[string]string{"JWKS_REFETCH_COOLDOWN": "often"}), "JWKS_REFETCH_COOLDOWN"},
		{"retries negative", withProject(map[string]string{"DISCOVERY_RETRIES": "-1"}), "DISCOVERY_RETRIES"},
		{"provider timeout zero", withProject(map[string]string{"PROVIDER_TIMEOUT": "0s"}), "PROVIDER_TIMEOUT"},
		{"issuer with space", withProject(map[string]string{"EXTRA_ISSUERS": "https://a.example/x y"}), "EXTRA_ISSUERS"},
		{"error detail not a bool", withProject(map[string]string{"AUTH_ERROR_DETAIL": "yes please"}), "AUTH_ERROR_DETAIL"},
		{"insecure not a bool", withProject(map[string]string{"ALLOW_INSECURE_DISCOVERY": "maybe"}), "ALLOW_INSECURE_DISCOVERY"},
		{"cache size one", withProject(map[string]string{"VERIFIED_CACHE_SIZE": "1"}), "VERIFIED_CACHE_SIZE"},
		{"cache size negative", withProject(map[string]string{"VERIFIED_CACHE_SIZE": "-1"}), "VERIFIED_CACHE_SIZE"},
		{"cache size too large", withProject(map[string]string{"VERIFIED_CACHE_SIZE": "20000000"}), "VERIFIED_CACHE_SIZE"},
		{"cache size not a number", withProject(map[string]string{"VERIFIED_CACHE_SIZE": "10k"}), "VERIFIED_CACHE_SIZE"},
		{"log format", withProject(map[string]string{"LOG_FORMAT": "xml"}), "LOG_FORMAT"},
		{"log level", withProject(map[string]string{"LOG_LEVEL": "loud"}), "LOG_LEVEL"},
		{"read timeout", withProject(map[string]string{"READ_TIMEOUT": "x"}), "READ_TIMEOUT"},
		{"read header timeout", withProject(map[string]string{"READ_HEADER_TIMEOUT": "0"}), "READ_HEADER_TIMEOUT"},
		{"write timeout", withProject(map[string]string{"WRITE_TIMEOUT": "-1"}), "WRITE_TIMEOUT"},
		{"idle timeout", withProject(map[string]string{"IDLE_TIMEOUT": "forever"}), "IDLE_TIMEOUT"},
		{"header bytes too small", withProject(map[string]string{"MAX_HEADER_BYTES": "100"}), "MAX_HEADER_BYTES"},
		{"header bytes not a number", withProject(map[string]string{"MAX_HEADER_BYTES": "1MB"}), "MAX_HEADER_BYTES"},
		{"token bytes too small", withProject(map[string]string{"MAX_TOKEN_BYTES": "100"}), "MAX_TOKEN_BYTES"},
		{"shutdown timeout", withProject(map[string]string{"SHUTDOWN_TIMEOUT": "later"}), "SHUTDOWN_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(env(tt.vars))
			if err == nil {
				t.Fatalf("loadConfig: got nil error, want one naming %s", tt.wantName)
			}
			if !strings.Contains(err.Error(), tt.wantName+":") {
				t.Errorf("error %q does not name %s", err, tt.wantName)
			}
		})
	}
}

// Every bad variable is reported at once, not only the first.
func TestLoadConfigReportsAllErrors(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(env(withProject(map[string]string{"PORT": "x", "LEEWAY": "y", "LOG_FORMAT": "z"})))
	for _, name := range []string{"PORT:", "LEEWAY:", "LOG_FORMAT:"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v: does not name %s", err, name)
		}
	}
}

// VERIFIED_CACHE_SIZE=0 disables the validator's cache, which auth.Config
// spells as a negative size (its 0 means the default); other sizes pass as is.
func TestValidatorCacheSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ env, want int }{{0, -1}, {2, 2}, {256, 256}, {auth.DefaultVerifiedCacheSize, auth.DefaultVerifiedCacheSize}} {
		if got := validatorCacheSize(tt.env); got != tt.want {
			t.Errorf("validatorCacheSize(%d): got %d, want %d", tt.env, got, tt.want)
		}
	}
	if _, err := auth.New(auth.Config{DiscoveryURL: "https://idp.example/.well-known/openid-configuration", Audience: "a",
		VerifiedCacheSize: validatorCacheSize(0)}); err != nil {
		t.Errorf("auth.New with VERIFIED_CACHE_SIZE=0: %v", err)
	}
}
