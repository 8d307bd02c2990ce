package mockidp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// A temporary or expired password is refused at sign-in with E062909 (the
// right one only: a wrong one stays E062901); an active one signs in.
func TestManagementPasswords(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	const login = "alice@example.com"
	for _, tc := range []struct {
		name, path, body string
		password         string
		wantCode         string // "" signs in
	}{
		{"temporary", "/v1/mgmt/user/password/set/temporary", `{"loginId":"alice@example.com","password":"temp-Pass-1","setActive":false}`, "temp-Pass-1", mockidp.CodePasswordExpired},
		{"active", "/v1/mgmt/user/password/set/active", `{"loginId":"alice@example.com","password":"active-Pass-2","setActive":true}`, "active-Pass-2", ""},
		{"expired", "/v1/mgmt/user/password/expire", `{"loginId":"alice@example.com"}`, "active-Pass-2", mockidp.CodePasswordExpired},
		{"deprecated set", "/v1/mgmt/user/password/set", `{"loginId":"alice@example.com","password":"dep-Pass-3"}`, "dep-Pass-3", mockidp.CodePasswordExpired},
		{"deprecated set active", "/v1/mgmt/user/password/set", `{"loginId":"U2MockUserAlice0000000000001","password":"dep-Pass-4","setActive":true}`, "dep-Pass-4", ""},
		{"update sets an active one", "/v1/mgmt/user/update", `{"loginId":"alice@example.com","password":"upd-Pass-5"}`, "upd-Pass-5", ""},
	} {
		s.ok(s.do("POST", tc.path, mgmt(), tc.body), nil)
		code, e := s.passwordSignIn(login, tc.password)
		if tc.wantCode == "" && code != http.StatusOK || tc.wantCode != "" && (code != http.StatusUnauthorized || e != tc.wantCode) {
			t.Errorf("%s: sign-in %d %s, want %q", tc.name, code, e, tc.wantCode)
		}
		if code, e := s.passwordSignIn(login, "not-the-Pass-9"); e != mockidp.CodeWrongPassword {
			t.Errorf("%s: a wrong password: %d %s, want %s", tc.name, code, e, mockidp.CodeWrongPassword)
		}
	}
	var out struct{ User mockidp.UserResponse }
	s.ok(s.do("GET", "/v1/mgmt/user?loginId="+login, mgmt(), ""), &out)
	if !out.User.Password {
		t.Error("load: password false after the password calls")
	}
	for _, tc := range []struct{ name, path, body, code, says string }{
		{"no password", "/v1/mgmt/user/password/set/active", `{"loginId":"alice@example.com"}`, mockidp.CodeMissingArgument, "password"},
		{"short", "/v1/mgmt/user/password/set/temporary", `{"loginId":"alice@example.com","password":"short"}`, mockidp.CodeInvalidArgument, "password"},
		{"too long", "/v1/mgmt/user/password/set/active", `{"loginId":"alice@example.com","password":"` + strings.Repeat("p", 300) + `"}`, mockidp.CodeInvalidArgument, "256"},
		{"unknown user", "/v1/mgmt/user/password/set/active", `{"loginId":"ghost@example.com","password":"ghost-Pass-1"}`, mockidp.CodeMgmtUserNotFound, "ghost"},
		{"no login ID", "/v1/mgmt/user/password/set/active", `{"password":"ghost-Pass-1"}`, mockidp.CodeMissingArgument, "loginId"},
		{"expire unknown", "/v1/mgmt/user/password/expire", `{"loginId":"ghost@example.com"}`, mockidp.CodeMgmtUserNotFound, "ghost"},
		{"malformed", "/v1/mgmt/user/password/set/active", `{"loginId":1}`, mockidp.CodeBadRequest, "loginId"},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) {
			if e := (sessionServer{t, s.Server}).refused(rec, http.StatusBadRequest, tc.code); !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
	s.refused(s.do("POST", "/v1/mgmt/user/password/expire", "", `{"loginId":"alice@example.com"}`), http.StatusUnauthorized, mockidp.CodeBadClient)
}
