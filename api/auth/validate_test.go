package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// fixedNow is the clock of the validation tests.
var fixedNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// validationKeys: k0 RS256, k1 RS384, k2 without alg (pinned to RS256), an
// encryption key and a 1024-bit key, both of which must be ignored.
func validationKeys() []jwk {
	return []jwk{
		{key: testKeys[0], kid: "k0", alg: "RS256", use: "sig"},
		{key: testKeys[1], kid: "k1", alg: "RS384"},
		{key: testKeys[2], kid: "k2"},
		{key: testKeys[3], kid: "enc", alg: "RS256", use: "enc"},
		{key: weakKey, kid: "weak", alg: "RS256"},
	}
}

func newValidationValidator(t *testing.T, cfg Config) *Validator {
	t.Helper()
	cfg.Now = func() time.Time { return fixedNow }
	if cfg.Algorithms == nil {
		cfg.Algorithms = []string{"RS256", "RS384"}
	}
	v, _ := newServerValidator(t, cfg, validationKeys()...)
	load(t, v)
	return v
}

func TestValidate(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{ExtraIssuers: []string{"https://other.test"}})
	base := claimsAt(fixedNow)
	valid := sign(t, testKeys[0], "k0", jose.RS256, base)
	parts := strings.Split(valid, ".")
	otherPayload := strings.Split(sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"sub": "admin"})), ".")[1]
	hsSecret, err := x509.MarshalPKIXPublicKey(&testKeys[0].PublicKey)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		token   string
		wantErr error // nil means valid
	}{
		{"valid", valid, nil},
		{"audience as a string", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"aud": testAudience})), nil},
		{"audience list with others", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"aud": []string{"x", testAudience}})), nil},
		{"extra issuer", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"iss": "https://other.test"})), nil},
		{"expired within leeway", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"exp": fixedNow.Add(-4 * time.Second).Unix()})), nil},
		{"nbf within leeway", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"nbf": fixedNow.Add(4 * time.Second).Unix()})), nil},
		{"nbf in the past", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"nbf": fixedNow.Add(-time.Minute).Unix()})), nil},
		{"key without alg pinned to RS256", sign(t, testKeys[2], "k2", jose.RS256, base), nil},
		{"RS384 key", sign(t, testKeys[1], "k1", jose.RS384, base), nil},

		{"empty token", "", ErrMalformed},
		{"one segment", "abc", ErrMalformed},
		{"garbage segments", "a.b.c", ErrMalformed},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("{")) + "." + parts[1] + "." + parts[2], ErrMalformed},
		{"over the default 32 KiB", strings.Repeat("a", DefaultMaxTokenBytes+1), ErrTokenTooLarge},
		{"validly signed, over the default 32 KiB", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"pad": strings.Repeat("A", 25<<10)})), ErrTokenTooLarge},
		{"validly signed, under the default 32 KiB", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"pad": strings.Repeat("A", 23<<10)})), nil},
		{"payload not JSON", signRaw(t, testKeys[0], "k0", jose.RS256, []byte("not json")), ErrMalformed},
		{"payload a JSON array", signRaw(t, testKeys[0], "k0", jose.RS256, []byte(`["a"]`)), ErrMalformed},
		{"payload with trailing data", signRaw(t, testKeys[0], "k0", jose.RS256, []byte(`{"exp":1}{}`)), ErrMalformed},
		{"payload with a trailing brace", signRaw(t, testKeys[0], "k0", jose.RS256, []byte(`{"exp":1}}`)), ErrMalformed},
		{"payload with a trailing bracket", signRaw(t, testKeys[0], "k0", jose.RS256, []byte(`{"exp":1}] x`)), ErrMalformed},
		{"exp is a string", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"exp": "tomorrow"})), ErrMalformed},
		{"aud is a number", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"aud": 7})), ErrMalformed},

		{"signed by another key", sign(t, testKeys[3], "k0", jose.RS256, base), ErrInvalidSignature},
		{"payload swapped", parts[0] + "." + otherPayload + "." + parts[2], ErrInvalidSignature},
		{"signature truncated", parts[0] + "." + parts[1] + "." + parts[2][:20], ErrInvalidSignature},

		{"expired", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"exp": fixedNow.Add(-time.Minute).Unix()})), ErrExpired},
		{"expired exactly at leeway", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"exp": fixedNow.Add(-5 * time.Second).Unix()})), ErrExpired},
		{"not yet valid", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"nbf": fixedNow.Add(time.Minute).Unix()})), ErrNotYetValid},

		{"wrong issuer", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"iss": "https://evil.test"})), ErrInvalidIssuer},
		{"issuer with trailing slash", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"iss": testIssuer + "/"})), ErrInvalidIssuer},
		{"no issuer", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"iss": nil})), ErrInvalidIssuer},

		{"wrong audience", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"aud": "other"})), ErrInvalidAudience},
		{"audience differs in case", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"aud": strings.ToLower(testAudience)})), ErrInvalidAudience},
		{"no audience", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"aud": nil})), ErrInvalidAudience},

		{"unknown kid", sign(t, testKeys[0], "nope", jose.RS256, base), ErrUnknownKey},
		{"no kid", sign(t, testKeys[0], "", jose.RS256, base), ErrUnknownKey},
		{"1024-bit key ignored", sign(t, weakKey, "weak", jose.RS256, base), ErrUnknownKey},
		{"encryption key ignored", sign(t, testKeys[3], "enc", jose.RS256, base), ErrUnknownKey},

		{"alg none", unsignedToken(map[string]any{"alg": "none", "kid": "k0"}, base, ""), ErrAlgorithm},
		{"alg HS256 with the public key as secret", hs256Token(t, hsSecret, base), ErrAlgorithm},
		{"alg RS512 not in the allow-list", sign(t, testKeys[0], "k0", jose.RS512, base), ErrAlgorithm},
		{"header alg differs from the key's", sign(t, testKeys[1], "k1", jose.RS256, base), ErrAlgorithm},
		{"RS384 header on an RS256 key", sign(t, testKeys[0], "k0", jose.RS384, base), ErrAlgorithm},

		{"missing exp", sign(t, testKeys[0], "k0", jose.RS256, with(base, map[string]any{"exp": nil})), ErrMissingExp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := v.Validate(context.Background(), tt.token)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate: got error %v, want none", err)
				}
				if c.Token != tt.token || c.Subject != "U2user" {
					t.Errorf("got Token/Subject %q/%q, want the token and U2user", c.Token[:10], c.Subject)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate: got error %v, want %v", err, tt.wantErr)
			}
			if c != nil {
				t.Errorf("got claims %+v with an error, want nil", c)
			}
			if got, want := Cause(err).Error(), tt.wantErr.Error(); got != want {
				t.Errorf("reason: got %q, want %q", got, want)
			}
		})
	}
}

func hs256Token(t *testing.T, secret []byte, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]any{"alg": "HS256", "kid": "k0", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestValidateLeeway(t *testing.T) {
	t.Parallel()
	expiredBy := func(d time.Duration) map[string]any {
		return with(claimsAt(fixedNow), map[string]any{"exp": fixedNow.Add(-d).Unix()})
	}
	tests := []struct {
		name    string
		cfg     Config
		claims  map[string]any
		wantErr error
	}{
		{"default 5s accepts 4s late", Config{}, expiredBy(4 * time.Second), nil},
		{"NoLeeway refuses 1s late", Config{NoLeeway: true}, expiredBy(time.Second), ErrExpired},
		{"NoLeeway refuses exp == now", Config{NoLeeway: true}, expiredBy(0), ErrExpired},
		{"30s leeway accepts 29s late", Config{Leeway: 30 * time.Second}, expiredBy(29 * time.Second), nil},
		{"30s leeway refuses 31s late", Config{Leeway: 30 * time.Second}, expiredBy(31 * time.Second), ErrExpired},
		{"NoLeeway refuses nbf 1s ahead", Config{NoLeeway: true}, with(claimsAt(fixedNow), map[string]any{"nbf": fixedNow.Add(time.Second).Unix()}), ErrNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newValidationValidator(t, tt.cfg)
			_, err := v.Validate(context.Background(), sign(t, testKeys[0], "k0", jose.RS256, tt.claims))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestValidateClaims(t *testing.T) {
	t.Parallel()
	v := newValidationValidator(t, Config{})
	payload := `{"iss":"` + testIssuer + `","aud":"` + testAudience + `","sub":"U2user","exp":` +
		jsonInt(fixedNow.Add(time.Hour).Unix()) + `,"iat":1767268800.25,"big":12345678901234567890123,"ratio":0.1,` +
		`"azp":"app1","client_id":"cid","roles":"viewer, editor admin","permissions":["users.read","users.create"],` +
		`"scope":"openid profile","scp":["ignored"],"dct":"T1","tenants":{"T1":{"roles":["admin","tenant-admin"],` +
		`"permissions":["billing.read"]},"T2":{"roles":["owner"]}},"nested":{"n":1.50}}`
	c, err := v.Validate(context.Background(), signRaw(t, testKeys[0], "k0", jose.RS256, []byte(payload)))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}

	if got, want := c.Raw["big"], json.Number("12345678901234567890123"); got != want {
		t.Errorf("Raw[big]: got %#v, want %#v", got, want)
	}
	if got, want := c.Raw["nested"].(map[string]any)["n"], json.Number("1.50"); got != want {
		t.Errorf("Raw[nested][n]: got %#v, want %#v", got, want)
	}
	if got, want := c.IssuedAt, time.Unix(1767268800, 250_000_000); !got.Equal(want) {
		t.Errorf("IssuedAt: got %v, want %v", got, want)
	}
	if got, want := c.Expiry, fixedNow.Add(time.Hour); !got.Equal(want) {
		t.Errorf("Expiry: got %v, want %v", got, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ClientID", c.ClientID, "app1"},
		{"Issuer", c.Issuer, testIssuer},
		{"Audience", c.Audience, []string{testAudience}},
		{"Roles", c.Roles, []string{"viewer", "editor", "admin"}},
		{"Permissions", c.Permissions, []string{"users.read", "users.create"}},
		{"Scopes", c.Scopes, []string{"openid", "profile"}},
		{"CurrentTenant", c.CurrentTenant, "T1"},
		{"Tenants[T1]", c.Tenants["T1"], Tenant{Roles: []string{"admin", "tenant-admin"}, Permissions: []string{"billing.read"}}},
		{"Tenants[T2].Roles", c.Tenants["T2"].Roles, []string{"owner"}},
		{"EffectiveRoles", c.EffectiveRoles(), []string{"viewer", "editor", "admin", "tenant-admin"}},
		{"EffectivePermissions", c.EffectivePermissions(), []string{"users.read", "users.create", "billing.read"}},
		{"HasRole(tenant-admin)", c.HasRole("tenant-admin"), true},
		{"HasRole(owner) of another tenant", c.HasRole("owner"), false},
		{"HasRole(Admin) is case-sensitive", c.HasRole("Admin"), false},
		{"HasPermission(billing.read)", c.HasPermission("billing.read"), true},
		{"HasScope(openid)", c.HasScope("openid"), true},
		{"HasScope(ignored) from scp", c.HasScope("ignored"), false},
		{"HasTenantRole(viewer) top-level only", c.HasTenantRole("viewer"), false},
		{"HasTenantRole(tenant-admin)", c.HasTenantRole("tenant-admin"), true},
	}
	for _, ch := range checks {
		if !equal(ch.got, ch.want) {
			t.Errorf("%s: got %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestClaimsFallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		payload      string
		wantClientID string
		wantScopes   []string
		wantRoles    []string
	}{
		{"client_id when no azp", `{"exp":1,"client_id":"cid"}`, "cid", nil, nil},
		{"scp list when no scope", `{"exp":1,"scp":["openid","email"]}`, "", []string{"openid", "email"}, nil},
		{"roles list skips non-strings", `{"exp":1,"roles":["a",1,null,"b"]}`, "", nil, []string{"a", "b"}},
		{"roles split on commas without spaces", `{"exp":1,"roles":"a,b,,c"}`, "", nil, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseClaims([]byte(tt.payload))
			if err != nil {
				t.Fatalf("parseClaims: %v", err)
			}
			if c.ClientID != tt.wantClientID || !slices.Equal(c.Scopes, tt.wantScopes) || !slices.Equal(c.Roles, tt.wantRoles) {
				t.Errorf("got client %q scopes %q roles %q, want %q %q %q",
					c.ClientID, c.Scopes, c.Roles, tt.wantClientID, tt.wantScopes, tt.wantRoles)
			}
		})
	}
}

func TestValidateUnavailable(t *testing.T) {
	t.Parallel()
	v, idp := newServerValidator(t, Config{Now: func() time.Time { return fixedNow }})
	idp.setDiscovery(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	tok := sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow))

	_, err := v.Validate(context.Background(), tok)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got error %v, want ErrUnavailable", err)
	}
	if got := idp.discoveryHits.Load(); got != 1 {
		t.Errorf("discovery fetches: got %d, want 1 (one bounded attempt, no retries)", got)
	}
	// Within the cooldown a second request does not call the provider again.
	if _, err := v.Validate(context.Background(), tok); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("second call: got error %v, want ErrUnavailable", err)
	}
	if got := idp.discoveryHits.Load(); got != 1 {
		t.Errorf("discovery fetches after second call: got %d, want 1", got)
	}
	if v.Ready() || v.Issuer() != "" {
		t.Errorf("got Ready %v Issuer %q, want false and empty", v.Ready(), v.Issuer())
	}
}

func TestValidateLoadsSynchronously(t *testing.T) {
	t.Parallel()
	v, _ := newServerValidator(t, Config{Now: func() time.Time { return fixedNow }}, jwk{key: testKeys[0], kid: "k0", alg: "RS256"})
	c, err := v.Validate(context.Background(), sign(t, testKeys[0], "k0", jose.RS256, claimsAt(fixedNow)))
	if err != nil {
		t.Fatalf("Validate without Start: %v", err)
	}
	if c.Subject != "U2user" || !v.Ready() || v.Issuer() != testIssuer {
		t.Errorf("got subject %q ready %v issuer %q, want U2user true %q", c.Subject, v.Ready(), v.Issuer(), testIssuer)
	}
}

func jsonInt(i int64) string { b, _ := json.Marshal(i); return string(b) }

func equal(a, b any) bool {
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	return string(ab) == string(bb)
}
