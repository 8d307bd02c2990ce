package auth

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseKeySet(t *testing.T) {
	t.Parallel()
	v, err := New(Config{DiscoveryURL: "https://idp.test/d", Audience: "P2", Algorithms: []string{"RS256", "PS256"}})
	if err != nil {
		t.Fatal(err)
	}
	good := jwksBody(t, jwk{key: testKeys[0], kid: "k0", alg: "RS256"})
	ec := `{"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`
	unknownKty := `{"kty":"OKP-NEW","kid":"odd"}`
	inner := func(body string) string { return strings.TrimSuffix(strings.TrimPrefix(body, `{"keys":[`), `]}`) }

	tests := []struct {
		name        string
		body        string
		wantKids    []string
		wantSkipped int
		wantErr     bool
	}{
		{"one good key", good, []string{"k0"}, 0, false},
		{"unsupported keys are skipped, not fatal", `{"keys":[` + unknownKty + `,` + ec + `,` + inner(good) + `]}`, []string{"k0"}, 2, false},
		{"key without kid", jwksBody(t, jwk{key: testKeys[0], alg: "RS256"}), nil, 1, false},
		{"duplicate kid keeps the first", jwksBody(t, jwk{key: testKeys[0], kid: "k0", alg: "RS256"}, jwk{key: testKeys[1], kid: "k0", alg: "RS256"}), []string{"k0"}, 1, false},
		{"alg outside the allow-list", jwksBody(t, jwk{key: testKeys[0], kid: "k0", alg: "RS512"}), nil, 1, false},
		{"PS256 key when allowed", jwksBody(t, jwk{key: testKeys[0], kid: "ps", alg: "PS256"}), []string{"ps"}, 0, false},
		{"1024-bit key", jwksBody(t, jwk{key: weakKey, kid: "weak", alg: "RS256"}), nil, 1, false},
		{"no keys member", `{}`, nil, 0, false},
		{"not JSON", `nope`, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			keys, skipped, err := v.parseKeySet([]byte(tt.body))
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			var kids []string
			for kid := range keys {
				kids = append(kids, kid)
			}
			slices.Sort(kids)
			if !slices.Equal(kids, tt.wantKids) {
				t.Errorf("kids: got %v, want %v", kids, tt.wantKids)
			}
			if len(skipped) != tt.wantSkipped {
				t.Errorf("skipped: got %d (%v), want %d", len(skipped), skipped, tt.wantSkipped)
			}
			if tt.name == "duplicate kid keeps the first" && keys["k0"].key.N.Cmp(testKeys[0].N) != 0 {
				t.Error("duplicate kid: got the second key, want the first")
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"120", 120 * time.Second},
		{" 7 ", 7 * time.Second},
		{"0", time.Second},
		{"-5", time.Second},
		{"", time.Second},
		{"soon", time.Second},
		{"99999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			if got := retryAfter(tt.value, now); got != tt.want {
				t.Errorf("retryAfter(%q): got %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		values []string
		want   time.Duration
		wantOK bool
	}{
		{[]string{"max-age=300"}, 300 * time.Second, true},
		{[]string{"public", "Max-Age=60, must-revalidate"}, time.Minute, true},
		{[]string{`max-age="30"`}, 30 * time.Second, true},
		{[]string{"s-maxage=10"}, 0, false},
		{[]string{"max-age=-1"}, 0, false},
		{nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.values, "|"), func(t *testing.T) {
			t.Parallel()
			got, ok := maxAge(tt.values)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("maxAge(%q): got %v %v, want %v %v", tt.values, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
