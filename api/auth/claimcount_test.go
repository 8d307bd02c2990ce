package auth

import (
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// TestClaimCount: the count Validate makes when it decodes the claims is
// the count of Raw (a list counts its elements), and Claims built by hand
// are counted from Raw.
func TestClaimCount(t *testing.T) {
	v := refusalValidator(t)
	claims := with(claimsAt(fixedNow), map[string]any{
		"roles": []string{"a", "b", "c"}, "permissions": []string{}, "tenants": map[string]any{"T1": map[string]any{"roles": []string{"x"}}},
		"name": "Ann", "aud": []string{testAudience, "other"},
	})
	c, err := v.Validate(t.Context(), sign(t, testKeys[0], "k0", jose.RS256, claims))
	if err != nil {
		t.Fatal(err)
	}
	// iss, sub, iat, exp, name, tenants: 6; aud 2, roles 3, permissions 0.
	if got, want := c.ClaimCount(), 11; got != want {
		t.Fatalf("ClaimCount of validated claims: got %d, want %d", got, want)
	}
	if got, want := c.ClaimCount(), countClaims(c.Raw); got != want {
		t.Fatalf("ClaimCount %d, count of Raw %d", got, want)
	}
	hand := &Claims{Raw: map[string]any{"sub": "x", "roles": []any{"a", "b"}, "exp": time.Now()}}
	if got, want := hand.ClaimCount(), 4; got != want {
		t.Fatalf("ClaimCount of hand-built claims: got %d, want %d", got, want)
	}
	if got := (&Claims{}).ClaimCount(); got != 0 {
		t.Fatalf("ClaimCount of empty claims: got %d, want 0", got)
	}
}
