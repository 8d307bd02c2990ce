package main

import (
	"context"
	"strings"
	"testing"
)

// TestAdminTokenRefusedAtStartUp: an admin token that no request could ever
// match (HTTP trims header values and has no control characters), or a short
// one beyond loopback, stops start-up naming the flag and its variable.
func TestAdminTokenRefusedAtStartUp(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", minAdminTokenRemote)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"blank flag", []string{"--addr", "0.0.0.0:0", "--admin-token", " "}, nil, "blank"},
		{"blank variable", []string{"--addr", "127.0.0.1:0"}, map[string]string{"MOCKIDP_ADMIN_TOKEN": " \t "}, "blank"},
		{"newline", []string{"--addr", "0.0.0.0:0", "--admin-token", long + "\n"}, nil, "control character"},
		{"control character inside", []string{"--addr", "127.0.0.1:0", "--admin-token", "abc\x01def"}, nil, "control character"},
		{"leading space", []string{"--addr", "127.0.0.1:0", "--admin-token", " " + long}, nil, "white space"},
		{"one character beyond loopback", []string{"--addr", "0.0.0.0:0", "--admin-token", "x"}, nil, "at least 16"},
		{"short variable beyond loopback", []string{"--addr", "[::]:0"}, map[string]string{"MOCKIDP_ADMIN_TOKEN": "t0k"}, "at least 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			cancel() // a run that got past the checks stops at once
			err := run(ctx, append([]string{"serve"}, tt.args...), func(k string) string { return tt.env[k] }, &strings.Builder{}, &strings.Builder{})
			if err == nil {
				t.Fatal("the mock started, want it refused")
			}
			for _, want := range []string{tt.want, "--admin-token", "MOCKIDP_ADMIN_TOKEN"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// TestShortAdminTokenOnLoopback: on loopback any usable token is accepted.
func TestShortAdminTokenOnLoopback(t *testing.T) {
	t.Parallel()
	if err := checkAdminToken("127.0.0.1:8080", "t0k"); err != nil {
		t.Errorf("short token on loopback: %v", err)
	}
	if err := checkAdminToken("0.0.0.0:8080", strings.Repeat("k", minAdminTokenRemote)); err != nil {
		t.Errorf("%d-character token beyond loopback: %v", minAdminTokenRemote, err)
	}
}
