package mockidp

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedirectWith(t *testing.T) {
	t.Parallel()
	v := url.Values{"code": {"c"}, "state": {"a&b"}}
	tests := []struct{ uri, want string }{
		{"http://127.0.0.1/cb", "http://127.0.0.1/cb?code=c&state=a%26b"},
		{"http://127.0.0.1/cb?x=1", "http://127.0.0.1/cb?x=1&code=c&state=a%26b"},
		{"http://127.0.0.1/cb?", "http://127.0.0.1/cb?code=c&state=a%26b"},
	}
	for _, tt := range tests {
		if got := redirectWith(tt.uri, v); got != tt.want {
			t.Errorf("redirectWith(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

func TestVerifyS256(t *testing.T) {
	t.Parallel()
	// RFC 7636 appendix B.
	if got := s256Challenge(testVerifier); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("got challenge %q", got)
	}
	challenge := s256Challenge(testVerifier)
	tests := []struct {
		name, verifier string
		want           bool
	}{
		{"matching verifier", testVerifier, true},
		{"other verifier", strings.Repeat("a", 43), false},
		{"too short", "abc", false},
		{"too long", strings.Repeat("a", 129), false},
		{"bad characters", strings.Repeat("a", 42) + "/", false},
		{"the challenge itself (plain)", challenge, false},
	}
	for _, tt := range tests {
		if got := verifyS256(tt.verifier, challenge); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if !validS256Challenge(challenge) || validS256Challenge(testVerifier+"x") || validS256Challenge(strings.Repeat("*", 43)) {
		t.Error("validS256Challenge misjudges")
	}
}
