package mockidp_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// Mistakes in roles:, tenants:, users:, management_keys: and sessions: stop
// start-up naming the file, line, field and reason.
func TestDirectoryErrorsNameFieldAndReason(t *testing.T) {
	t.Parallel()
	const head = "project_id: P1\ntenants:\n  - id: T1\n    name: One\nroles:\n  - name: r\n    permissions: [p]\n"
	for _, tc := range []struct {
		name, yaml, wantField, wantReason string
		wantLine                          int
	}{
		{"unknown project role", head + "users:\n  - login_ids: [a]\n    roles: [nope]\n", "users[0].roles[0]", "not a project-level role", 10},
		{"unknown tenant", head + "users:\n  - login_ids: [a]\n    tenants:\n      - tenant_id: T9\n", "users[0].tenants[0].tenant_id", "not one of the tenants", 11},
		{"unknown tenant role", head + "users:\n  - login_ids: [a]\n    tenants:\n      - tenant_id: T1\n        roles: [x]\n", "users[0].tenants[0].roles[0]", "not a role of tenant", 12},
		{"no login IDs", head + "users:\n  - name: n\n", "users[0].login_ids", "at least one login ID", 9},
		{"login ID twice", head + "users:\n  - login_ids: [a]\n  - login_ids: [a]\n", "users[1].login_ids[0]", "already user", 10},
		{"duplicate user ID", head + "users:\n  - id: U1\n    login_ids: [a]\n  - id: U1\n    login_ids: [b]\n", "users[1].id", "duplicate user ID", 11},
		{"role of unknown tenant", head + "  - name: s\n    tenant_id: T9\n", "roles[1].tenant_id", "not one of the tenants", 9},
		{"duplicate role", head + "  - name: r\n", "roles[1].name", "duplicate role", 8},
		{"duplicate tenant", "project_id: P1\ntenants:\n  - id: T1\n  - id: T1\n", "tenants[1].id", "duplicate tenant ID", 4},
		{"key without secret", head + "management_keys:\n  - id: MK1\n", "management_keys[0].secret", "is required", 9},
		{"key secret with colon", head + "management_keys:\n  - id: MK1\n    secret: a:b\n", "management_keys[0].secret", "must be at most 1024", 10},
		{"same key secret", head + "management_keys:\n  - id: MK1\n    secret: s\n  - id: MK2\n    secret: s\n", "management_keys[1].secret", "same secret", 12},
		{"token response", head + "sessions:\n  token_response: header\n", "sessions.token_response", "not one of body, cookies", 9},
		{"session ttl", head + "sessions:\n  session_ttl: 10ms\n", "sessions.session_ttl", "at least 1s", 9},
		{"too many test users", head + "sessions:\n  test_user_limit: 1\nusers:\n  - login_ids: [a]\n    test: true\n  - login_ids: [b]\n    test: true\n", "sessions.test_user_limit", "2 test users", 9},
		{"unknown user field", head + "users:\n  - login_ids: [a]\n    emial: x\n", "users[0].emial", "unknown field", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mockidp.ParseProject("p.yaml", []byte(tc.yaml))
			var ce *mockidp.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseProject: %v, want a ConfigError", err)
			}
			if ce.File != "p.yaml" || ce.Field != tc.wantField || !strings.Contains(ce.Reason, tc.wantReason) || ce.Line != tc.wantLine {
				t.Errorf("got %+v, want p.yaml line %d field %s reason containing %q", ce, tc.wantLine, tc.wantField, tc.wantReason)
			}
		})
	}
}

// The default project has the users the README lists, with IDs, and the
// management key; a user without an ID gets the derived one.
func TestDefaultDirectory(t *testing.T) {
	t.Parallel()
	p := mockidp.DefaultProject()
	if len(p.ManagementKeys) == 0 || p.ManagementKeys[0].Secret != "mock-management-key-secret" {
		t.Errorf("management keys %+v, want mock-management-key-secret", p.ManagementKeys)
	}
	var test, multi int
	for _, u := range p.Users {
		if u.Test {
			test++
		}
		if len(u.Tenants) > 1 {
			multi++
		}
		if !strings.HasPrefix(u.ID, "U") || len(u.ID) != 28 {
			t.Errorf("user %v: ID %q is not U + 27 characters", u.LoginIDs, u.ID)
		}
	}
	if test == 0 || multi == 0 || len(p.Users) < 3 {
		t.Errorf("default users: %d test, %d multi-tenant of %d, want at least one of each and an ordinary one", test, multi, len(p.Users))
	}
	st := p.Sessions
	if st.TokenResponse != mockidp.TokenResponseBody || st.TestUserLimit != 100 || st.CookiePath != "/" {
		t.Errorf("session settings %+v", st)
	}

	q, err := mockidp.ParseProject("p.yaml", []byte("project_id: P1\nusers:\n  - login_ids: [bob@example.com]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Users[0].ID, mockidp.DeriveUserID("bob@example.com"); got != want || len(got) != 28 {
		t.Errorf("derived ID %q, want %q (28 characters)", got, want)
	}
	if mockidp.DeriveUserID("a") == mockidp.DeriveUserID("b") {
		t.Error("two login IDs derive one user ID")
	}
}

// A session's roles, permissions and tenants come from the role
// definitions; a tenant's own role wins over the project role of its name.
func TestUserClaimsFromRoles(t *testing.T) {
	t.Parallel()
	p, err := mockidp.ParseProject("p.yaml", []byte(`project_id: P1
tenants: [{id: T1, name: One}, {id: T2, name: Two}]
roles:
  - {name: admin, permissions: [b.write, a.read]}
  - {name: reader, permissions: [a.read]}
  - {name: admin, tenant_id: T1, permissions: [t1.all]}
users:
  - id: U1
    login_ids: [one]
    roles: [admin, reader]
    test: true
    tenants:
      - {tenant_id: T1, roles: [admin]}
      - {tenant_id: T2, roles: [admin]}
  - id: U2
    login_ids: [two]
    tenants: [{tenant_id: T2, roles: [reader]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := mockidp.New(mockidp.Config{Project: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	u, ok := s.LookupUser("one")
	if !ok || u.ID != "U1" {
		t.Fatalf("LookupUser(one) = %+v, %v", u, ok)
	}
	if _, ok := s.LookupUser("U1"); !ok {
		t.Error("LookupUser by user ID failed")
	}
	c := s.UserClaims(u, "T2")
	if got := c["permissions"].([]string); !slices.Equal(got, []string{"a.read", "b.write"}) {
		t.Errorf("permissions %v, want the sorted union [a.read b.write]", got)
	}
	tenants := c["tenants"].(map[string]mockidp.TenantGrant)
	if got := tenants["T1"].Permissions; !slices.Equal(got, []string{"t1.all"}) {
		t.Errorf("T1 permissions %v, want the tenant role's [t1.all]", got)
	}
	if got := tenants["T2"].Permissions; !slices.Equal(got, []string{"a.read", "b.write"}) {
		t.Errorf("T2 permissions %v, want the project role's", got)
	}
	if c["dct"] != "T2" || c["tu"] != true || c["sub"] != "U1" {
		t.Errorf("dct %v tu %v sub %v, want T2 true U1", c["dct"], c["tu"], c["sub"])
	}
	// One tenant only: dct is set without a selection, as Descope documents.
	u2, _ := s.LookupUser("two")
	if c := s.UserClaims(u2, ""); c["dct"] != "T2" || c["tu"] != nil || c["roles"] != nil {
		t.Errorf("single-tenant user: dct %v tu %v roles %v, want T2, absent, absent", c["dct"], c["tu"], c["roles"])
	}
	// Run-time changes: a replaced user, a removed one; Reset restores the file's.
	u2.Roles = []string{"admin"}
	if _, err := s.PutUser(u2); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.LookupUser("two"); !slices.Equal(u.Roles, []string{"admin"}) {
		t.Errorf("replaced user has roles %v", u.Roles)
	}
	if _, err := s.PutUser(mockidp.User{LoginIDs: []string{"three"}, Roles: []string{"nope"}}); err == nil {
		t.Error("PutUser with an unknown role succeeded")
	}
	if err := s.RemoveUser("one"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.LookupUser("one"); ok {
		t.Error("removed user is still found")
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if u, ok := s.LookupUser("two"); !ok || len(u.Roles) != 0 || len(s.Users()) != 2 {
		t.Errorf("after Reset: user two %+v, %d users; want the file's", u, len(s.Users()))
	}
}
