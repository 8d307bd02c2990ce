package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestListenPolicy: a non-loopback --addr without an admin token is refused
// before listening, unless --insecure-listen (or its variable) says so.
func TestListenPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // "" means it starts
	}{
		{"all interfaces, no token", []string{"--addr", "0.0.0.0:0"}, nil, "not a loopback address and no admin token"},
		{"IPv6 any, no token", []string{"--addr", "[::]:0"}, nil, "not a loopback address and no admin token"},
		{"empty host, no token", []string{"--addr", ":0"}, nil, "not a loopback address and no admin token"},
		{"a public address, no token", []string{"--addr", "192.0.2.10:8080"}, nil, "not a loopback address and no admin token"},
		{"a host name, no token", []string{"--addr", "mockidp:8080"}, nil, "not a loopback address and no admin token"},
		{"the address from the environment, no token", nil, map[string]string{"MOCKIDP_ADDR": "0.0.0.0:0"}, "not a loopback address and no admin token"},
		{"insecure-listen false", []string{"--addr", "0.0.0.0:0", "--insecure-listen=false"}, nil, "not a loopback address and no admin token"},
		{"loopback", []string{"--addr", "127.0.0.1:0"}, nil, ""},
		{"localhost", []string{"--addr", "localhost:0"}, nil, ""},
		{"all interfaces with an admin token", []string{"--addr", "0.0.0.0:0", "--admin-token", "a-sixteen-char-token"}, nil, ""},
		{"all interfaces with the token variable", []string{"--addr", "0.0.0.0:0"}, map[string]string{"MOCKIDP_ADMIN_TOKEN": "a-sixteen-char-token"}, ""},
		{"all interfaces with --insecure-listen", []string{"--addr", "0.0.0.0:0", "--insecure-listen"}, nil, ""},
		{"all interfaces with MOCKIDP_INSECURE_LISTEN", []string{"--addr", "0.0.0.0:0"}, map[string]string{"MOCKIDP_INSECURE_LISTEN": "true"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var stderr strings.Builder
			listening := make(chan struct{})
			getenv := func(k string) string { return tt.env[k] }
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, append([]string{"serve"}, tt.args...), getenv, &strings.Builder{}, &lineWatcher{b: &stderr, want: "mockidp listening", seen: listening})
			}()
			select {
			case err := <-done:
				if tt.wantErr == "" {
					t.Fatalf("got %v, want the mock to start", err)
				}
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "--insecure-listen") || !strings.Contains(err.Error(), "--admin-token") {
					t.Errorf("error %q does not name the flags that fix it", err)
				}
			case <-listening:
				if tt.wantErr != "" {
					t.Fatalf("the mock started, want it refused with %q", tt.wantErr)
				}
				cancel()
				if err := <-done; err != nil {
					t.Errorf("shutdown: got %v, want nil", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("run neither failed nor listened within 20s")
			}
		})
	}
}

// lineWatcher closes seen once a write contains want.
type lineWatcher struct {
	b    *strings.Builder
	want string
	seen chan struct{}
	done bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.b.Write(p)
	if !w.done && strings.Contains(w.b.String(), w.want) {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}
