package mockidp_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// mgmtUser calls a user write and returns the user it answers.
func (s sessionServer) mgmtUser(method, path, body string) mockidp.UserResponse {
	s.t.Helper()
	var out struct{ User mockidp.UserResponse }
	s.ok(s.do(method, path, mgmt(), body), &out)
	return out.User
}

// refreshClaims refreshes a session and returns the new session JWT's claims.
func (s sessionServer) refreshClaims(refreshJWT string) map[string]any {
	s.t.Helper()
	var jr mockidp.JWTResponse
	s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(refreshJWT), ""), &jr)
	return claimsOf(s.t, jr.SessionJwt)
}

func strs(v any) []string {
	if l, ok := v.([]string); ok {
		return l
	}
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// A role change through the management API shows in the next refreshed
// session, not in the session JWT already issued.
func TestUserRoleChangeShowsInNextRefresh(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, body string
		wantRoles        []string
		wantPerms        []string
	}{
		{"add v2", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["admin"]}`, []string{"user", "admin"}, []string{"data.read", "users.create", "users.delete"}},
		{"remove v1", "/v1/mgmt/user/update/role/remove", `{"loginId":"alice@example.com","roleNames":["user"]}`, []string{"admin"}, []string{"data.read", "users.create", "users.delete"}},
		{"set by user ID", "/v1/mgmt/user/update/role/set", `{"loginId":"U2MockUserAlice0000000000001","roleNames":["viewer"]}`, []string{"viewer"}, []string{"data.read"}},
		{"add v1", "/v1/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["viewer","user"]}`, []string{"viewer", "user"}, []string{"data.read"}},
		{"remove v2", "/v2/mgmt/user/update/role/remove", `{"loginId":"alice@example.com","roleNames":["viewer","user"]}`, []string{}, nil},
	} {
		u := s.mgmtUser("POST", tc.path, tc.body)
		if !slices.Equal(u.RoleNames, tc.wantRoles) {
			t.Errorf("%s: answered roleNames %v, want %v", tc.name, u.RoleNames, tc.wantRoles)
		}
		c := s.refreshClaims(m.RefreshJWT)
		if got := strs(c["roles"]); !slices.Equal(got, tc.wantRoles) {
			t.Errorf("%s: refreshed roles %v, want %v", tc.name, got, tc.wantRoles)
		}
		if got := strs(c["permissions"]); !slices.Equal(got, tc.wantPerms) && len(got)+len(tc.wantPerms) > 0 {
			t.Errorf("%s: refreshed permissions %v, want %v", tc.name, got, tc.wantPerms)
		}
	}
	if got := strs(claimsOf(t, m.SessionJWT)["roles"]); !slices.Equal(got, []string{"user"}) {
		t.Errorf("the session JWT issued before holds roles %v, want [user]", got)
	}
}

// Tenant membership and tenant roles: added, changed and removed, each
// shown in the next refresh's tenants claim.
func TestUserTenantChangesShowInNextRefresh(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tenants := func() map[string]any {
		t.Helper()
		ts, _ := s.refreshClaims(m.RefreshJWT)["tenants"].(map[string]any)
		return ts
	}
	s.mgmtUser("POST", "/v1/mgmt/user/update/tenant/add", `{"loginId":"alice@example.com","tenantId":"`+acme+`"}`)
	if _, ok := tenants()[acme]; !ok {
		t.Fatalf("after tenant/add: tenants %v, want %s", tenants(), acme)
	}
	u := s.mgmtUser("POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","tenantId":"`+acme+`","roleNames":["tenant-admin"]}`)
	if len(u.UserTenants) != 1 || !slices.Equal(u.UserTenants[0].RoleNames, []string{"tenant-admin"}) || u.UserTenants[0].TenantName != "Acme" ||
		len(u.UserTenants[0].Permissions) == 0 {
		t.Errorf("answered userTenants %+v, want Acme with tenant-admin and its permissions", u.UserTenants)
	}
	acmeGrant, _ := tenants()[acme].(map[string]any)
	if got := strs(acmeGrant["roles"]); !slices.Equal(got, []string{"tenant-admin"}) {
		t.Errorf("refreshed tenant roles %v, want [tenant-admin]", got)
	}
	s.mgmtUser("POST", "/v1/mgmt/user/update/role/set", `{"loginId":"alice@example.com","tenantId":"`+acme+`","roleNames":["viewer"]}`)
	acmeGrant, _ = tenants()[acme].(map[string]any)
	if got := strs(acmeGrant["roles"]); !slices.Equal(got, []string{"viewer"}) {
		t.Errorf("after set: tenant roles %v, want [viewer]", got)
	}
	s.mgmtUser("POST", "/v1/mgmt/user/update/tenant/remove", `{"loginId":"alice@example.com","tenantId":"`+acme+`"}`)
	if ts := tenants(); len(ts) != 0 {
		t.Errorf("after tenant/remove: tenants %v, want none", ts)
	}
}

// A disabled user cannot refresh, sign in or get a management session;
// enabled again, it signs in anew but the sessions ended by disabling stay ended.
func TestDisabledUserIsRefused(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	before := s.login(testLogin)
	u := s.mgmtUser("POST", "/v1/mgmt/user/update/status", `{"loginId":"`+testLogin+`","status":"disabled"}`)
	if u.Status != "disabled" {
		t.Fatalf("answered status %q, want disabled", u.Status)
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(before.RefreshJwt), ""), http.StatusUnauthorized, mockidp.CodeUserDisabled)
	s.refused(s.do("POST", "/v1/auth/otp/signin/email", "Bearer "+mockidp.DefaultProjectID, `{"loginId":"`+testLogin+`"}`), http.StatusUnauthorized, mockidp.CodeUserDisabled)
	s.refused(s.do("POST", "/v1/mgmt/auth/signin", mgmt(), `{"loginId":"`+testLogin+`"}`), http.StatusUnauthorized, mockidp.CodeUserDisabled)
	var loaded struct{ User mockidp.UserResponse }
	s.ok(s.do("GET", "/v1/mgmt/user?loginId="+testLogin, mgmt(), ""), &loaded)
	if loaded.User.Status != "disabled" {
		t.Errorf("load: status %q, want disabled", loaded.User.Status)
	}
	var found struct{ Users []mockidp.UserResponse }
	s.ok(s.do("POST", "/v2/mgmt/user/search", mgmt(), `{"statuses":["disabled"],"withTestUser":true}`), &found)
	if len(found.Users) != 1 || found.Users[0].LoginIDs[0] != testLogin {
		t.Errorf("search statuses [disabled]: %+v, want the test user alone", found.Users)
	}

	s.mgmtUser("POST", "/v1/mgmt/user/update/status", `{"loginId":"`+testLogin+`","status":"enabled"}`)
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(before.RefreshJwt), ""), http.StatusUnauthorized, mockidp.CodeLoggedOut)
	after := s.login(testLogin)
	s.ok(s.do("POST", "/v1/auth/refresh", withRefresh(after.RefreshJwt), ""), nil)

	s.refused(s.do("POST", "/v1/mgmt/user/update/status", mgmt(), `{"loginId":"`+testLogin+`","status":"paused"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("POST", "/v1/mgmt/user/update/status", mgmt(), `{"loginId":"`+testLogin+`"}`), http.StatusBadRequest, mockidp.CodeMissingArgument)
}

// Update replaces every field; patch changes only those sent; the answer
// and load carry every field the SDKs' user types declare.
func TestUserUpdateAndPatch(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	u := s.mgmtUser("POST", "/v1/mgmt/user/update", `{"loginId":"alice@example.com","email":"a2@example.com","verifiedEmail":false,
		"givenName":"Alice","middleName":"B","familyName":"Example","picture":"https://example.com/a.png","roleNames":["viewer"],
		"userTenants":[{"tenantId":"`+globex+`","roleNames":["viewer"]}],"customAttributes":{"plan":"pro"},"additionalLoginIds":["alice2"]}`)
	if u.Email != "a2@example.com" || u.VerifiedEmail || u.GivenName != "Alice" || u.MiddleName != "B" || u.FamilyName != "Example" ||
		u.Name != "Alice B Example" || u.Picture != "https://example.com/a.png" || !slices.Equal(u.RoleNames, []string{"viewer"}) ||
		len(u.UserTenants) != 1 || u.CustomAttributes["plan"] != "pro" || u.CustomAttributes["department"] != nil ||
		!slices.Equal(u.LoginIDs, []string{"alice@example.com", "alice2"}) || u.Status != "enabled" || u.OAuth == nil || u.SSOAppIDs == nil {
		t.Errorf("update answered %+v", u)
	}
	// A patch through PATCH (Go, Node) and through POST; Node's field names.
	u = s.mgmtUser("PATCH", "/v1/mgmt/user/patch", `{"loginId":"alice2","displayName":"Al","customAttributes":{"seats":3}}`)
	if u.Name != "Al" || u.GivenName != "Alice" || u.Email != "a2@example.com" || u.CustomAttributes["plan"] != "pro" || u.CustomAttributes["seats"] != float64(3) {
		t.Errorf("patch answered %+v", u)
	}
	u = s.mgmtUser("POST", "/v1/mgmt/user/patch", `{"loginId":"alice@example.com","name":"Alice E","additionalIdentifiers":[],"status":"enabled"}`)
	if u.Name != "Alice E" || !slices.Equal(u.LoginIDs, []string{"alice@example.com"}) {
		t.Errorf("patch answered %+v", u)
	}
	var loaded struct{ User mockidp.UserResponse }
	s.ok(s.do("GET", "/v1/mgmt/user?userId=U2MockUserAlice0000000000001", mgmt(), ""), &loaded)
	if loaded.User.Name != "Alice E" || loaded.User.ModifiedTime == 0 || loaded.User.GivenName != "Alice" {
		t.Errorf("load answered %+v", loaded.User)
	}
	var me mockidp.UserResponse
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.ok(s.do("GET", "/v1/auth/me", withRefresh(m.RefreshJWT), ""), &me)
	if me.GivenName != "Alice" || me.MiddleName != "B" || me.FamilyName != "Example" || me.Picture == "" {
		t.Errorf("me answered %+v", me)
	}
}

// The single-field writes: email, phone, names, picture, custom attribute, login ID.
func TestUserFieldWrites(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	u := s.mgmtUser("POST", "/v1/mgmt/user/update/email", `{"loginId":"alice@example.com","email":"new@example.com","verified":true}`)
	if u.Email != "new@example.com" || !u.VerifiedEmail {
		t.Errorf("email: %+v", u)
	}
	s.refused(s.do("POST", "/v1/mgmt/user/update/email", mgmt(), `{"loginId":"alice@example.com","email":"admin@example.com","failOnConflict":true}`),
		http.StatusBadRequest, mockidp.CodeUserExists)
	u = s.mgmtUser("POST", "/v1/mgmt/user/update/phone", `{"loginId":"alice@example.com","phone":"+15555550199","verified":false}`)
	if u.Phone != "+15555550199" || u.VerifiedPhone {
		t.Errorf("phone: %+v", u)
	}
	u = s.mgmtUser("POST", "/v1/mgmt/user/update/name", `{"loginId":"alice@example.com","givenName":"Ally"}`)
	if u.GivenName != "Ally" || u.Name != "Alice Example" {
		t.Errorf("name: %+v", u)
	}
	u = s.mgmtUser("POST", "/v1/mgmt/user/update/picture", `{"loginId":"alice@example.com","picture":"https://example.com/p.png"}`)
	if u.Picture != "https://example.com/p.png" {
		t.Errorf("picture: %+v", u)
	}
	u = s.mgmtUser("POST", "/v1/mgmt/user/update/customAttribute", `{"loginId":"alice@example.com","attributeKey":"tier","attributeValue":"gold"}`)
	if u.CustomAttributes["tier"] != "gold" || u.CustomAttributes["department"] != "engineering" {
		t.Errorf("customAttribute: %+v", u.CustomAttributes)
	}
	u = s.mgmtUser("POST", "/v1/mgmt/user/update/loginid", `{"loginId":"alice@example.com","newLoginId":"alice@new.example.com"}`)
	if !slices.Equal(u.LoginIDs, []string{"alice@new.example.com"}) {
		t.Errorf("loginid: %v", u.LoginIDs)
	}
	s.refused(s.do("POST", "/v1/mgmt/user/update/loginid", mgmt(), `{"loginId":"alice@new.example.com","newLoginId":""}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("POST", "/v1/mgmt/user/update/loginid", mgmt(), `{"loginId":"alice@new.example.com","newLoginId":"admin@example.com"}`), http.StatusBadRequest, mockidp.CodeUserExists)
}

// Bad input: each gets a precise 4xx with a Descope body.
func TestUserWritesBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"no key", "/v1/mgmt/user/update/role/add", "", http.StatusUnauthorized, mockidp.CodeBadClient},
		{"unknown user", "/v2/mgmt/user/update/role/add", `{"loginId":"nobody","roleNames":["user"]}`, http.StatusBadRequest, mockidp.CodeMgmtUserNotFound},
		{"no loginId", "/v1/mgmt/user/update", `{}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"unknown role", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["root"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"no roleNames", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com"}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"unknown tenant", "/v1/mgmt/user/update/tenant/add", `{"loginId":"alice@example.com","tenantId":"T2Nope"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"not a member", "/v1/mgmt/user/update/role/set", `{"loginId":"alice@example.com","tenantId":"` + acme + `","roleNames":["viewer"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"tenant role of another tenant", "/v1/mgmt/user/update/role/set", `{"loginId":"multi@example.com","tenantId":"` + globex + `","roleNames":["tenant-admin"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"wrong type", "/v1/mgmt/user/update/role/set", `{"loginId":"alice@example.com","roleNames":"admin"}`, http.StatusBadRequest, mockidp.CodeBadRequest},
		{"sso apps", "/v1/mgmt/user/patch", `{"loginId":"alice@example.com","ssoAppIds":["app"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"no attributeKey", "/v1/mgmt/user/update/customAttribute", `{"loginId":"alice@example.com"}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"login ID taken", "/v1/mgmt/user/patch", `{"loginId":"alice@example.com","additionalLoginIds":["admin@example.com"]}`, http.StatusBadRequest, mockidp.CodeUserExists},
	} {
		auth := mgmt()
		if tc.name == "no key" {
			auth = ""
		}
		rec := s.do("POST", tc.path, auth, tc.body)
		t.Run(tc.name, func(t *testing.T) {
			sessionServer{t, s.Server}.refused(rec, tc.status, tc.code)
		})
	}
	if rec := s.do("GET", "/v1/mgmt/user/update", mgmt(), ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET update: %d, want 405", rec.Code)
	}
}

// Concurrent role adds of one user all land (read-modify-write under one lock).
func TestConcurrentRoleAddsAllLand(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	const n = 24
	for i := range n {
		if rec := s.do("POST", "/_mock/roles", "", fmt.Sprintf(`{"name":"r%d"}`, i)); rec.Code != http.StatusCreated {
			t.Fatalf("creating role r%d: %d %s", i, rec.Code, rec.Body.Bytes())
		}
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rec := s.do("POST", "/v2/mgmt/user/update/role/add", mgmt(), fmt.Sprintf(`{"loginId":"alice@example.com","roleNames":["r%d"]}`, i))
			if rec.Code != http.StatusOK {
				t.Errorf("add r%d: %d %s", i, rec.Code, rec.Body.Bytes())
			}
		})
	}
	wg.Wait()
	u, _ := s.LookupUser("alice@example.com")
	if len(u.Roles) != n+1 {
		t.Errorf("roles %v: %d, want %d", u.Roles, len(u.Roles), n+1)
	}
}

// A management write changes the user, not its history: after its first
// sign-in, a user whose roles, name or whole record the management API
// rewrote signs in again with firstSeen false. Only deleting the user and
// creating it again makes a first sign-in.
func TestUserWritesKeepFirstSeen(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	s.mgmtUser("POST", "/v1/mgmt/user/create", `{"loginId":"seen@example.com","email":"seen@example.com","test":true}`)
	if !s.login("seen@example.com").FirstSeen {
		t.Fatal("the first sign-in says firstSeen false")
	}
	writes := []struct{ method, path, body string }{
		{"POST", "/v2/mgmt/user/update/role/add", `{"loginId":"seen@example.com","roleNames":["user"]}`},
		{"POST", "/v1/mgmt/user/update/name", `{"loginId":"seen@example.com","displayName":"Seen"}`},
		{"POST", "/v1/mgmt/user/update", `{"loginId":"seen@example.com","email":"seen@example.com","displayName":"Seen Again","test":true}`},
		{"PATCH", "/v1/mgmt/user/patch", `{"loginId":"seen@example.com","givenName":"Seen"}`},
	}
	for _, w := range writes {
		s.mgmtUser(w.method, w.path, w.body)
		if s.login("seen@example.com").FirstSeen {
			t.Errorf("after %s, the next sign-in says firstSeen true", w.path)
		}
	}
	s.ok(s.do("POST", "/v1/mgmt/user/delete", mgmt(), `{"loginId":"seen@example.com"}`), nil)
	s.mgmtUser("POST", "/v1/mgmt/user/create", `{"loginId":"seen@example.com","email":"seen@example.com","test":true}`)
	if !s.login("seen@example.com").FirstSeen {
		t.Error("a user deleted and created again signs in with firstSeen false")
	}
}
