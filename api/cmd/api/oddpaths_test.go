package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
)

// TestOddPathsAnswerJSON: request targets that path cleaning would alter, or
// that net/http would answer itself (OPTIONS *), get the contract's JSON
// (401 without a token, 404 or 405 with one), never a redirect or an empty
// body, through bin/api's own http.Server.
func TestOddPathsAnswerJSON(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	addr := startAPIServing(t, apiEnv(m, nil))
	token := m.Token("admin-client")
	for _, tt := range []struct {
		method, target string
		wantWithToken  int
	}{
		{"GET", "//api/me/..", 404},
		{"GET", "/api/me/..", 404},
		{"GET", "/api/me/.", 404},
		{"GET", "/api/./me", 404},
		{"GET", "//api/me", 404},
		{"GET", "/api//me", 404},
		{"GET", "//v2/keys/..", 404},
		{"GET", "/docs/assets/../../api/me", 404},
		{"GET", "/docs/assets/./init.js", 404},
		{"GET", "/%2e%2e/api/me", 404},
		{"GET", "/..", 404},
		{"GET", "//", 404},
		{"OPTIONS", "*", 404},
		{"OPTIONS", "/api/me", 405},
		{"CONNECT", "/api/me", 405},
		{"CONNECT", "127.0.0.1:443", 404},
		{"GET", "http://api/api/me/..", 404},
	} {
		for _, withToken := range []bool{false, true} {
			want := http.StatusUnauthorized
			auth := ""
			if withToken {
				want = tt.wantWithToken
				auth = "Authorization: Bearer " + token + "\r\n"
			}
			status, ctype, body := rawRequest(t, addr, fmt.Sprintf("%s %s HTTP/1.1\r\nHost: api\r\n%sConnection: close\r\n\r\n", tt.method, tt.target, auth))
			var detail struct {
				Detail string `json:"detail"`
			}
			if status != want || ctype != "application/json" || json.Unmarshal(body, &detail) != nil || detail.Detail == "" {
				t.Errorf("%s %s (token %v): got %d %q %s, want %d application/json {\"detail\":...}",
					tt.method, tt.target, withToken, status, ctype, body, want)
			}
		}
	}
}

// rawRequest writes a request as it is (no client cleans its target) and
// returns the response's status, Content-Type and body.
func rawRequest(t *testing.T, addr, req string) (int, string, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", req, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}
