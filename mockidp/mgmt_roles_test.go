package mockidp_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/wire"
)

func (s sessionServer) roles() []wire.RoleResponse {
	s.t.Helper()
	var out struct{ Roles []wire.RoleResponse }
	s.ok(s.do("GET", "/v1/mgmt/role/all", mgmt(), ""), &out)
	return out.Roles
}

func roleNamed(roles []wire.RoleResponse, tenant, name string) *wire.RoleResponse {
	for i := range roles {
		if roles[i].Name == name && roles[i].TenantID == tenant {
			return &roles[i]
		}
	}
	return nil
}

// Roles and permissions created, updated and deleted through the
// management API; each change shows in the user's next refresh.
func TestRoleAndPermissionLifecycle(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.ok(s.do("POST", "/v1/mgmt/permission/create", mgmt(), `{"name":"reports.view","description":"See reports"}`), nil)
	s.ok(s.do("POST", "/v1/mgmt/role/create", mgmt(), `{"name":"analyst","description":"Reads reports","permissionNames":["reports.view"],"tenantId":"","default":false,"private":false}`), nil)
	if r := roleNamed(s.roles(), "", "analyst"); r == nil || r.Description != "Reads reports" || !slices.Equal(r.PermissionNames, []string{"reports.view"}) {
		t.Fatalf("role/all: analyst %+v", r)
	}
	s.mgmtUser("POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["analyst"]}`)
	if got := strs(s.refreshClaims(m.RefreshJWT)["permissions"]); !slices.Equal(got, []string{"data.read", "reports.view"}) {
		t.Fatalf("after role add: permissions %v", got)
	}

	// The role's permissions change: the next refresh shows it.
	s.ok(s.do("POST", "/v1/mgmt/role/update", mgmt(), `{"name":"analyst","newName":"analyst","permissionNames":["reports.view","data.read"]}`), nil)
	// A permission renamed is renamed in its roles.
	s.ok(s.do("POST", "/v1/mgmt/permission/update", mgmt(), `{"name":"reports.view","newName":"reports.read","description":"Read reports"}`), nil)
	if got := strs(s.refreshClaims(m.RefreshJWT)["permissions"]); !slices.Equal(got, []string{"data.read", "reports.read"}) {
		t.Errorf("after permission rename: permissions %v, want [data.read reports.read]", got)
	}
	var perms struct{ Permissions []wire.PermissionResponse }
	s.ok(s.do("GET", "/v1/mgmt/permission/all", mgmt(), ""), &perms)
	if !slices.ContainsFunc(perms.Permissions, func(p wire.PermissionResponse) bool {
		return p.Name == "reports.read" && p.Description == "Read reports"
	}) ||
		slices.ContainsFunc(perms.Permissions, func(p wire.PermissionResponse) bool { return p.Name == "reports.view" }) {
		t.Errorf("permission/all: %+v", perms.Permissions)
	}
	// A role renamed is renamed for its users.
	s.ok(s.do("POST", "/v1/mgmt/role/update", mgmt(), `{"name":"analyst","newName":"reporter","permissionNames":["reports.read"]}`), nil)
	if got := strs(s.refreshClaims(m.RefreshJWT)["roles"]); !slices.Equal(got, []string{"user", "reporter"}) {
		t.Errorf("after role rename: roles %v, want [user reporter]", got)
	}
	// A permission deleted leaves its roles.
	s.ok(s.do("POST", "/v1/mgmt/permission/delete", mgmt(), `{"name":"reports.read"}`), nil)
	if r := roleNamed(s.roles(), "", "reporter"); r == nil || len(r.PermissionNames) != 0 {
		t.Errorf("after permission delete: reporter %+v, want no permissions", r)
	}
	// A role deleted leaves its users.
	s.ok(s.do("POST", "/v1/mgmt/role/delete", mgmt(), `{"name":"reporter"}`), nil)
	if got := strs(s.refreshClaims(m.RefreshJWT)["roles"]); !slices.Equal(got, []string{"user"}) {
		t.Errorf("after role delete: roles %v, want [user]", got)
	}
	if u, _ := s.LookupUser("alice@example.com"); !slices.Equal(u.Roles, []string{"user"}) {
		t.Errorf("after role delete: the user holds %v", u.Roles)
	}
}

// A tenant's own role and a project-level role of the same name: deleting
// the project's leaves the tenant's holders alone.
func TestRoleDeleteRespectsTenantRoles(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	s.ok(s.do("POST", "/v1/mgmt/role/create", mgmt(), `{"name":"tenant-admin"}`), nil)
	s.mgmtUser("POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["tenant-admin"]}`)
	s.ok(s.do("POST", "/v1/mgmt/role/delete", mgmt(), `{"name":"tenant-admin"}`), nil)
	alice, _ := s.LookupUser("alice@example.com")
	multi, _ := s.LookupUser(multiUser)
	if slices.Contains(alice.Roles, "tenant-admin") {
		t.Errorf("alice keeps the deleted project role: %v", alice.Roles)
	}
	if !slices.Contains(multi.Tenants[0].Roles, "tenant-admin") {
		t.Errorf("multi lost Acme's own tenant-admin: %+v", multi.Tenants)
	}
	s.ok(s.do("POST", "/v1/mgmt/role/delete", mgmt(), `{"name":"tenant-admin","tenantId":"`+acme+`"}`), nil)
	multi, _ = s.LookupUser(multiUser)
	if slices.Contains(multi.Tenants[0].Roles, "tenant-admin") {
		t.Errorf("multi keeps the deleted tenant role: %+v", multi.Tenants)
	}
}

func TestRoleSearch(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	search := func(body string) []string {
		t.Helper()
		var out struct{ Roles []wire.RoleResponse }
		s.ok(s.do("POST", "/v1/mgmt/role/search", mgmt(), body), &out)
		var names []string
		for _, r := range out.Roles {
			names = append(names, r.TenantID+"/"+r.Name)
		}
		return names
	}
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"all", `{}`, []string{"/admin", "/user", "/viewer", acme + "/tenant-admin"}},
		{"tenant only", `{"tenantIds":["` + acme + `"]}`, []string{acme + "/tenant-admin"}},
		{"tenant and project", `{"tenantIds":["` + acme + `"],"includeProjectRoles":true,"roleNameLike":"ADMIN"}`, []string{"/admin", acme + "/tenant-admin"}},
		{"no project roles", `{"includeProjectRoles":false}`, []string{acme + "/tenant-admin"}},
		{"names", `{"roleNames":["user","viewer"]}`, []string{"/user", "/viewer"}},
		{"permission", `{"permissionNames":["users.delete"]}`, []string{"/admin", acme + "/tenant-admin"}},
	} {
		if got := search(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	s.refused(s.do("POST", "/v1/mgmt/role/search", mgmt(), `{"roleIds":["R1"]}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("POST", "/v1/mgmt/role/search", mgmt(), `{"roleNameContains":"a"}`), http.StatusBadRequest, mockidp.CodeBadRequest)
}

func TestRolesBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"no name", "/v1/mgmt/role/create", `{}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"duplicate", "/v1/mgmt/role/create", `{"name":"admin"}`, http.StatusConflict, mockidp.CodeConflict},
		{"unknown permission", "/v1/mgmt/role/create", `{"name":"x","permissionNames":["nope"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"unknown tenant", "/v1/mgmt/role/create", `{"name":"x","tenantId":"T2Nope"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"default role", "/v1/mgmt/role/create", `{"name":"x","default":true}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"update unknown", "/v1/mgmt/role/update", `{"name":"nope","newName":"x"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"update no newName", "/v1/mgmt/role/update", `{"name":"admin"}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"rename onto another", "/v1/mgmt/role/update", `{"name":"admin","newName":"user"}`, http.StatusConflict, mockidp.CodeConflict},
		{"delete unknown", "/v1/mgmt/role/delete", `{"name":"nope"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"delete by id", "/v1/mgmt/role/delete", `{"id":"R1"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"permission duplicate", "/v1/mgmt/permission/create", `{"name":"data.read"}`, http.StatusConflict, mockidp.CodeConflict},
		{"permission no name", "/v1/mgmt/permission/create", `{"description":"x"}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"permission delete unknown", "/v1/mgmt/permission/delete", `{"name":"nope"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"permission malformed", "/v1/mgmt/permission/create", `{"name":1}`, http.StatusBadRequest, mockidp.CodeBadRequest},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) { sessionServer{t, s.Server}.refused(rec, tc.status, tc.code) })
	}
	s.refused(s.do("GET", "/v1/mgmt/role/all", "", ""), http.StatusUnauthorized, mockidp.CodeBadClient)
}

// Reset restores the project file's roles and permissions.
func TestRolesReset(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	s.ok(s.do("POST", "/v1/mgmt/permission/create", mgmt(), `{"name":"p.x"}`), nil)
	s.ok(s.do("POST", "/v1/mgmt/role/create", mgmt(), `{"name":"rx","permissionNames":["p.x"]}`), nil)
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if roleNamed(s.roles(), "", "rx") != nil {
		t.Error("the role outlived the reset")
	}
	s.ok(s.do("POST", "/v1/mgmt/role/create", mgmt(), `{"name":"rx"}`), nil)
	s.refused(s.do("POST", "/v1/mgmt/role/create", mgmt(), `{"name":"ry","permissionNames":["p.x"]}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
}

// Role and tenant writes race user writes, refreshes, searches and loads
// without a data race (run under -race), and every answer is a 200 or a
// precise 4xx.
func TestDefinitionWritesRaceReads(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct{ method, path, body string }{
		{"POST", "/v1/mgmt/role/create", `{"name":"racer"}`},
		{"POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["racer"]}`},
		{"POST", "/v1/mgmt/role/update", `{"name":"racer","newName":"racer","permissionNames":["data.read"]}`},
		{"POST", "/v1/mgmt/role/delete", `{"name":"racer"}`},
		{"POST", "/v1/mgmt/tenant/create", `{"id":"T-race","name":"Race"}`},
		{"POST", "/v1/mgmt/user/update/tenant/add", `{"loginId":"alice@example.com","tenantId":"T-race"}`},
		{"POST", "/v1/mgmt/tenant/delete", `{"id":"T-race"}`},
		{"POST", "/v1/auth/refresh", ""},
		{"POST", "/v2/mgmt/user/search", `{"roleNames":["racer"]}`},
		{"GET", "/v1/mgmt/user?loginId=alice@example.com", ""},
		{"GET", "/v1/mgmt/role/all", ""},
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				c := calls[(g+i)%len(calls)]
				auth := mgmt()
				if c.path == "/v1/auth/refresh" {
					auth = withRefresh(m.RefreshJWT)
				}
				rec := s.do(c.method, c.path, auth, c.body)
				if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500) {
					t.Errorf("%s %s: %d %s", c.method, c.path, rec.Code, rec.Body.Bytes())
				}
			}
		})
	}
	wg.Wait()
}
