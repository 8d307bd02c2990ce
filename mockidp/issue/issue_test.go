package issue_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp/issue"
	"github.com/descope-harness/harness/mockidp/keys"
)

func newKeys(t *testing.T, now time.Time) *keys.Set {
	t.Helper()
	ks, err := keys.New(keys.Config{Now: func() time.Time { return now }, RotateEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// TestVerify: what Sign signed verifies on the same key set until exp;
// every refusal is the sentinel that names it.
func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	ks, other := newKeys(t, now), newKeys(t, now)
	var s issue.Signer
	sign := func(ks *keys.Set, c issue.Claims) string {
		t.Helper()
		tok, err := s.Sign(ks.Current(), c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := sign(ks, issue.Claims{"sub": "a", "exp": now.Unix() + 60, "token_type": "access_token"})
	tests := []struct {
		name    string
		token   string
		now     time.Time
		wantErr error
	}{
		{name: "valid", token: good, now: now},
		{name: "expired", token: good, now: now.Add(time.Minute), wantErr: issue.ErrExpired},
		{name: "expired, times not checked (logout hint)", token: good},
		{name: "not yet valid", token: sign(ks, issue.Claims{"exp": now.Unix() + 60, "nbf": now.Unix() + 30}), now: now, wantErr: issue.ErrNotYetValid},
		{name: "no exp", token: sign(ks, issue.Claims{"sub": "a"}), now: now, wantErr: issue.ErrMissingExp},
		{name: "another key set's key", token: sign(other, issue.Claims{"exp": now.Unix() + 60}), now: now, wantErr: issue.ErrUnknownKeyID},
		{name: "bad signature", token: good[:len(good)-4] + "AAAA", now: now, wantErr: issue.ErrSignature},
		{name: "not a JWS", token: "a.b", now: now, wantErr: issue.ErrMalformed},
		{name: "too large", token: strings.Repeat("a", issue.MaxTokenBytes+1), now: now, wantErr: issue.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims, err := issue.Verify(ks, tt.now, tt.token)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && claims["sub"] != "a") {
				t.Fatalf("got %v, %v; want error %v", claims, err, tt.wantErr)
			}
		})
	}
}

// TestKind tells each kind of token the mock signs by its claims.
func TestKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"token_type": "access_token"}, issue.KindAccess},
		{map[string]any{"token_type": "id_token"}, issue.KindID},
		{map[string]any{"token_type": "refresh_token"}, issue.KindRefresh},
		{map[string]any{"drn": "DS"}, issue.KindSession},
		{map[string]any{"drn": "DSR"}, issue.KindSessionRefresh},
		{map[string]any{"drn": "DS", "token_type": "access_token"}, issue.KindSession},
		{map[string]any{"drn": "X", "token_type": "access_token"}, ""},
		{map[string]any{"sub": "a"}, ""},
	}
	for _, tt := range tests {
		if got := issue.Kind(tt.claims); got != tt.want {
			t.Errorf("Kind(%v) = %q, want %q", tt.claims, got, tt.want)
		}
	}
}

// TestSignTooLarge: a token over MaxTokenBytes is a *TooLargeError naming
// its length.
func TestSignTooLarge(t *testing.T) {
	t.Parallel()
	ks := newKeys(t, time.Unix(1_800_000_000, 0))
	var s issue.Signer
	_, err := s.Sign(ks.Current(), issue.Claims{"x": strings.Repeat("a", issue.MaxTokenBytes)})
	var tl *issue.TooLargeError
	if !errors.As(err, &tl) || tl.Bytes <= issue.MaxTokenBytes {
		t.Fatalf("got %v, want a *TooLargeError over %d bytes", err, issue.MaxTokenBytes)
	}
}

// TestNewJTI: no two IDs repeat.
func TestNewJTI(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		j := issue.NewJTI()
		if len(j) < 26 || seen[j] {
			t.Fatalf("NewJTI returned %q (seen before: %v)", j, seen[j])
		}
		seen[j] = true
	}
}
