package mockidp

import (
	"net/url"
	"strings"
	"testing"
)

func TestCheckRegisteredRedirectURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri     string
		wantErr string // "" = accepted
	}{
		{uri: "http://127.0.0.1:3000/callback"},
		{uri: "https://app.example.com/cb?tenant=a"},
		{uri: "com.example.app:/oauth2redirect"},
		{uri: "", wantErr: "empty"},
		{uri: "/callback", wantErr: "not absolute"},
		{uri: "https://app.example.com/cb#frag", wantErr: "fragment"},
		{uri: "https://user:pw@app.example.com/cb", wantErr: "user information"},
		{uri: "https:///cb", wantErr: "no host"},
		{uri: "javascript:alert(1)", wantErr: "scheme"},
		{uri: "data:text/html,x", wantErr: "scheme"},
		{uri: "https://app.example.com/c b", wantErr: "space"},
		{uri: "https://app.example.com/" + strings.Repeat("a", 2100), wantErr: "longer"},
	}
	for _, tt := range tests {
		t.Run(truncate(tt.uri, 40), func(t *testing.T) {
			t.Parallel()
			err := checkRegisteredRedirectURI(tt.uri)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want accepted", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

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
