package project

import (
	"strings"
	"testing"
)

func TestCheckRedirectURI(t *testing.T) {
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
			err := CheckRedirectURI(tt.uri)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want accepted", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
