package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/api/auth"
)

// projectEnv is a getenv over vars with DESCOPE_PROJECT_ID set.
func projectEnv(vars map[string]string) func(string) string {
	return func(name string) string {
		if name == "DESCOPE_PROJECT_ID" {
			if v, ok := vars[name]; ok {
				return v
			}
			return "P2MockDescopeHarness00000001"
		}
		return vars[name]
	}
}

// A bad value stops start-up in loadConfig, naming its variable, rather
// than passing it on to be refused by auth.New in terms of auth.Config's
// fields (DiscoveryURL), accepted absurdly (a leeway of hours) or changed
// silently (a key-set lifetime clamped to other bounds).
func TestLoadConfigRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		vars     map[string]string
		wantName string
		wantText string
	}{
		{"plain http to a remote host", map[string]string{"DISCOVERY_URL": "http://idp.example/P2x/.well-known/openid-configuration"},
			"DISCOVERY_URL", "ALLOW_INSECURE_DISCOVERY"},
		{"plain http to a remote IP", map[string]string{"DISCOVERY_URL": "http://10.0.0.7:8080/x"}, "DISCOVERY_URL", "non-loopback"},
		{"leeway of hours", map[string]string{"LEEWAY": "2h"}, "LEEWAY", "5m0s"},
		{"leeway in milliseconds by mistake", map[string]string{"LEEWAY": "5000"}, "LEEWAY", "5m0s"},
		{"cache ttl under the minimum", map[string]string{"JWKS_CACHE_TTL": "10s"}, "JWKS_CACHE_TTL", "JWKS_MIN_TTL"},
		{"cache ttl over the maximum", map[string]string{"JWKS_CACHE_TTL": "48h"}, "JWKS_CACHE_TTL", "JWKS_MAX_TTL"},
		{"cache ttl over a lowered maximum", map[string]string{"JWKS_CACHE_TTL": "2h", "JWKS_MAX_TTL": "90m"}, "JWKS_CACHE_TTL", "1h30m0s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(projectEnv(tt.vars))
			if err == nil {
				t.Fatalf("loadConfig(%v): no error, want one naming %s", tt.vars, tt.wantName)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantName+":") || !strings.Contains(msg, tt.wantText) {
				t.Errorf("loadConfig(%v): error %q, want it to name %s and say %q", tt.vars, msg, tt.wantName, tt.wantText)
			}
		})
	}
}

// What loadConfig accepts, auth.New accepts too: no bad value reaches the
// validator, whose messages name auth.Config's fields, not variables.
func TestAcceptedConfigBuildsValidator(t *testing.T) {
	t.Parallel()
	for _, vars := range []map[string]string{
		{},
		{"DISCOVERY_URL": "http://127.0.0.1:8080/P2x/.well-known/openid-configuration"},
		{"DISCOVERY_URL": "http://localhost:8080/x"},
		{"DISCOVERY_URL": "http://[::1]:8080/x"},
		{"DISCOVERY_URL": "http://127.0.0.2/x"},
		{"DISCOVERY_URL": "http://mockidp:8080/x", "ALLOW_INSECURE_DISCOVERY": "true"},
		{"DISCOVERY_URL": "https://auth.example.com/P2x/.well-known/openid-configuration"},
		{"DESCOPE_PROJECT_ID": "", "DISCOVERY_URL": "https://idp.example/x", "AUDIENCE": "api"},
		{"LEEWAY": "5m"},
		{"LEEWAY": "0"},
		{"JWKS_CACHE_TTL": "60s"},
		{"JWKS_CACHE_TTL": "24h"},
		{"JWKS_MIN_TTL": "2h"}, // the default 1h is clamped up, as asked
		{"JWKS_MAX_TTL": "30m"},
		{"EXTRA_ISSUERS": "https://api.descope.com/v1/apps/P2x, https://x.example"},
		{"VERIFIED_CACHE_SIZE": "0"},
		{"VERIFIED_CACHE_SIZE": "2"},
		{"DISCOVERY_RETRIES": "0"},
	} {
		cfg, err := loadConfig(projectEnv(vars))
		if err != nil {
			t.Errorf("loadConfig(%v): %v", vars, err)
			continue
		}
		if _, err := auth.New(cfg.authConfig(nil, auth.Observer{})); err != nil {
			t.Errorf("loadConfig(%v) accepted, auth.New refused: %v", vars, err)
		}
	}
}

// authConfig passes every setting on: a zero LEEWAY is no leeway (not
// auth's default), and the durations arrive unchanged.
func TestAuthConfig(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(projectEnv(map[string]string{"LEEWAY": "0", "JWKS_CACHE_TTL": "2h", "JWKS_REFETCH_COOLDOWN": "7s",
		"AUTH_ERROR_DETAIL": "true", "PROVIDER_TIMEOUT": "3s"}))
	if err != nil {
		t.Fatal(err)
	}
	ac := cfg.authConfig(nil, auth.Observer{})
	if !ac.NoLeeway || ac.CacheTTL != 2*time.Hour || ac.RefetchCooldown != 7*time.Second ||
		ac.HTTPClient == nil || ac.HTTPClient.Timeout != 3*time.Second {
		t.Errorf("authConfig: got %+v", ac)
	}
	rec := httptest.NewRecorder()
	ac.ErrorRenderer(rec, nil, auth.ErrExpired) // AUTH_ERROR_DETAIL: the reason in the body
	if got, want := rec.Body.String(), `{"detail":"Token validation failed: token has expired"}`; got != want {
		t.Errorf("authConfig's renderer: body %s, want %s", got, want)
	}
}
