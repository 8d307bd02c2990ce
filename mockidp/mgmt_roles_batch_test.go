package mockidp_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/wire"
)

// Role and permission batches change the definitions as the single calls
// do, and each change shows in the user's next refresh.
func TestRoleAndPermissionBatches(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.ok(s.do("POST", "/v1/mgmt/permission/create/batch", mgmt(), `{"permissions":[{"name":"reports.view","description":"See","systemDefault":false},{"name":"reports.edit"}]}`), nil)
	var created struct{ Roles []wire.RoleResponse }
	s.ok(s.do("POST", "/v1/mgmt/role/create/batch", mgmt(), `{"roles":[
		{"name":"analyst","description":"Reads","permissionNames":["reports.view"]},
		{"name":"editor","permissionNames":["reports.edit"],"tenantId":"`+acme+`","createdTime":0}]}`), &created)
	if len(created.Roles) != 2 || created.Roles[1].TenantID != acme || !slices.Equal(created.Roles[0].PermissionNames, []string{"reports.view"}) {
		t.Fatalf("create batch answered %+v", created.Roles)
	}
	s.mgmtUser("POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["analyst"]}`)
	if got := strs(s.refreshClaims(m.RefreshJWT)["permissions"]); !slices.Contains(got, "reports.view") {
		t.Fatalf("after role add: permissions %v", got)
	}
	var updated struct{ Roles []wire.RoleResponse }
	s.ok(s.do("POST", "/v1/mgmt/role/update/batch", mgmt(), `{"roles":[{"name":"analyst","newName":"reporter","permissionNames":["reports.view","reports.edit"]}]}`), &updated)
	if len(updated.Roles) != 1 || updated.Roles[0].Name != "reporter" {
		t.Errorf("update batch answered %+v", updated.Roles)
	}
	c := s.refreshClaims(m.RefreshJWT)
	if got := strs(c["roles"]); !slices.Equal(got, []string{"user", "reporter"}) {
		t.Errorf("after the rename: roles %v, want [user reporter]", got)
	}
	s.ok(s.do("POST", "/v1/mgmt/permission/update/batch", mgmt(), `{"permissions":[{"name":"reports.view","newName":"reports.read","description":"Read"}]}`), nil)
	if got := strs(s.refreshClaims(m.RefreshJWT)["permissions"]); !slices.Equal(got, []string{"data.read", "reports.edit", "reports.read"}) {
		t.Errorf("after the permission rename: %v", got)
	}
	s.ok(s.do("POST", "/v1/mgmt/permission/delete/batch", mgmt(), `{"names":["reports.read","reports.edit","reports.read"]}`), nil)
	if got := strs(s.refreshClaims(m.RefreshJWT)["permissions"]); !slices.Equal(got, []string{"data.read"}) {
		t.Errorf("after the permission delete: %v", got)
	}
	s.ok(s.do("POST", "/v1/mgmt/role/delete/batch", mgmt(), `{"roleNames":["reporter"],"tenantId":""}`), nil)
	s.ok(s.do("POST", "/v1/mgmt/role/delete/batch", mgmt(), `{"roleNames":["editor"],"tenantId":"`+acme+`"}`), nil)
	if got := strs(s.refreshClaims(m.RefreshJWT)["roles"]); !slices.Equal(got, []string{"user"}) {
		t.Errorf("after the role delete: %v", got)
	}
	if roleNamed(s.roles(), acme, "editor") != nil {
		t.Error("the tenant role outlived its delete batch")
	}
}

// A batch is all or nothing: one failing item (named by its index) and no
// item before it took effect.
func TestRoleBatchesAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	before, beforeUsers := s.roles(), s.Users()
	var perms struct{ Permissions []wire.PermissionResponse }
	s.ok(s.do("GET", "/v1/mgmt/permission/all", mgmt(), ""), &perms)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code, says       string
	}{
		{"create then a duplicate", "/v1/mgmt/role/create/batch", `{"roles":[{"name":"new-role"},{"name":"admin"}]}`, 409, mockidp.CodeConflict, "roles[1]"},
		{"create twice in the batch", "/v1/mgmt/role/create/batch", `{"roles":[{"name":"twin"},{"name":"twin"}]}`, 409, mockidp.CodeConflict, "roles[1]"},
		{"create undefined permission", "/v1/mgmt/role/create/batch", `{"roles":[{"name":"r1"},{"name":"r2","permissionNames":["nope"]}]}`, 400, mockidp.CodeInvalidArgument, "roles[1]"},
		{"create default role", "/v1/mgmt/role/create/batch", `{"roles":[{"name":"r1"},{"name":"r2","default":true}]}`, 400, mockidp.CodeInvalidArgument, "roles[1]: default"},
		{"update then unknown", "/v1/mgmt/role/update/batch", `{"roles":[{"name":"user","newName":"member"},{"name":"ghost","newName":"x"}]}`, 400, mockidp.CodeInvalidArgument, "roles[1]"},
		{"update without newName", "/v1/mgmt/role/update/batch", `{"roles":[{"name":"user","newName":"member"},{"name":"viewer"}]}`, 400, mockidp.CodeMissingArgument, "roles[1]: newName"},
		{"rename onto another", "/v1/mgmt/role/update/batch", `{"roles":[{"name":"viewer","newName":"v2"},{"name":"user","newName":"admin"}]}`, 409, mockidp.CodeConflict, "roles[1]"},
		{"delete one unknown", "/v1/mgmt/role/delete/batch", `{"roleNames":["viewer","ghost"]}`, 400, mockidp.CodeInvalidArgument, "roles[1]"},
		{"delete in another tenant", "/v1/mgmt/role/delete/batch", `{"roleNames":["viewer"],"tenantId":"` + acme + `"}`, 400, mockidp.CodeInvalidArgument, "viewer"},
		{"permission create then duplicate", "/v1/mgmt/permission/create/batch", `{"permissions":[{"name":"p.new"},{"name":"data.read"}]}`, 409, mockidp.CodeConflict, "permissions[1]"},
		{"permission update then unknown", "/v1/mgmt/permission/update/batch", `{"permissions":[{"name":"data.read","newName":"data.get"},{"name":"nope","newName":"x"}]}`, 400, mockidp.CodeInvalidArgument, "permissions[1]"},
		{"permission bad name", "/v1/mgmt/permission/create/batch", `{"permissions":[{"name":"ok"},{"name":"a\nb"}]}`, 400, mockidp.CodeInvalidArgument, "permissions[1]"},
		{"permission delete unknown", "/v1/mgmt/permission/delete/batch", `{"names":["data.read","nope"]}`, 400, mockidp.CodeInvalidArgument, "permissions[1]"},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) {
			e := sessionServer{t, s.Server}.refused(rec, tc.status, tc.code)
			if !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
	if got := s.roles(); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("roles after refused batches:\n%v\nwant unchanged\n%v", got, before)
	}
	var after struct{ Permissions []wire.PermissionResponse }
	s.ok(s.do("GET", "/v1/mgmt/permission/all", mgmt(), ""), &after)
	if fmt.Sprint(after.Permissions) != fmt.Sprint(perms.Permissions) {
		t.Errorf("permissions after refused batches: %v, want %v", after.Permissions, perms.Permissions)
	}
	if fmt.Sprint(s.Users()) != fmt.Sprint(beforeUsers) {
		t.Error("users changed after refused batches")
	}
}

// A batch leaves the users and roles as the same changes made one by one
// with the single calls do, renames chained within a batch included.
func TestRoleBatchesMatchSingleCalls(t *testing.T) {
	t.Parallel()
	type call struct{ path, body string }
	for _, tc := range []struct {
		name   string
		setup  []call // on both servers first
		batch  call
		single []call
	}{
		{"chained renames", nil, call{"/v1/mgmt/role/update/batch", `{"roles":[{"name":"user","newName":"member"},{"name":"viewer","newName":"user"},{"name":"member","newName":"base","permissionNames":["data.read"]}]}`},
			[]call{{"/v1/mgmt/role/update", `{"name":"user","newName":"member"}`}, {"/v1/mgmt/role/update", `{"name":"viewer","newName":"user"}`},
				{"/v1/mgmt/role/update", `{"name":"member","newName":"base","permissionNames":["data.read"]}`}}},
		{"project and tenant roles of one name", []call{{"/v1/mgmt/role/create", `{"name":"tenant-admin"}`}},
			call{"/v1/mgmt/role/delete/batch", `{"roleNames":["tenant-admin","admin"]}`},
			[]call{{"/v1/mgmt/role/delete", `{"name":"tenant-admin"}`}, {"/v1/mgmt/role/delete", `{"name":"admin"}`}}},
		{"permission renames", nil, call{"/v1/mgmt/permission/update/batch", `{"permissions":[{"name":"data.read","newName":"data.get"},{"name":"users.create","newName":"data.read"}]}`},
			[]call{{"/v1/mgmt/permission/update", `{"name":"data.read","newName":"data.get"}`}, {"/v1/mgmt/permission/update", `{"name":"users.create","newName":"data.read"}`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := newSessionServer(t, nil), newSessionServer(t, nil)
			for _, s := range []sessionServer{a, b} {
				s.mgmtUser("POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["viewer","admin"]}`)
				s.mgmtUser("POST", "/v1/mgmt/user/update/role/add", `{"loginId":"`+multiUser+`","tenantId":"`+acme+`","roleNames":["user"]}`)
			}
			for _, c := range tc.setup {
				a.ok(a.do("POST", c.path, mgmt(), c.body), nil)
				b.ok(b.do("POST", c.path, mgmt(), c.body), nil)
			}
			a.ok(a.do("POST", tc.batch.path, mgmt(), tc.batch.body), nil)
			for _, c := range tc.single {
				b.ok(b.do("POST", c.path, mgmt(), c.body), nil)
			}
			if ga, gb := fmt.Sprint(a.roles()), fmt.Sprint(b.roles()); ga != gb {
				t.Errorf("roles after the batch\n%s\nafter the single calls\n%s", ga, gb)
			}
			for _, u := range b.Users() {
				ua, _ := a.LookupUser(u.ID)
				if fmt.Sprint(ua.Roles, ua.Tenants) != fmt.Sprint(u.Roles, u.Tenants) {
					t.Errorf("%s after the batch: %v %v; after the single calls: %v %v", u.LoginIDs[0], ua.Roles, ua.Tenants, u.Roles, u.Tenants)
				}
			}
		})
	}
}

func TestRoleBatchesBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	many := func(field, item string) string {
		return `{"` + field + `":[` + strings.TrimSuffix(strings.Repeat(item+",", mockidp.MaxBatchItems+1), ",") + `]}`
	}
	for _, tc := range []struct {
		name, path, body string
		status           int
		code, says       string
	}{
		{"unknown field", "/v1/mgmt/role/create/batch", `{"roles":[{"name":"x","color":"red"}]}`, 400, mockidp.CodeBadRequest, "color"},
		{"no roles", "/v1/mgmt/role/create/batch", `{"roles":[]}`, 400, mockidp.CodeMissingArgument, "roles"},
		{"too many roles", "/v1/mgmt/role/update/batch", many("roles", `{"name":"a","newName":"b"}`), 400, mockidp.CodeInvalidArgument, "MaxBatchItems"},
		{"role IDs", "/v1/mgmt/role/delete/batch", `{"roleIds":["R1"]}`, 400, mockidp.CodeInvalidArgument, "roleIds"},
		{"no role names", "/v1/mgmt/role/delete/batch", `{"tenantId":""}`, 400, mockidp.CodeMissingArgument, "roleNames"},
		{"role by id", "/v1/mgmt/role/update/batch", `{"roles":[{"id":"R1","newName":"x"}]}`, 400, mockidp.CodeInvalidArgument, "roles[0]: id"},
		{"permission IDs", "/v1/mgmt/permission/delete/batch", `{"ids":["P1"]}`, 400, mockidp.CodeInvalidArgument, "ids"},
		{"no permission names", "/v1/mgmt/permission/delete/batch", `{"names":null}`, 400, mockidp.CodeMissingArgument, "names"},
		{"too many permissions", "/v1/mgmt/permission/create/batch", many("permissions", `{"name":"p"}`), 400, mockidp.CodeInvalidArgument, "MaxBatchItems"},
		{"permission wrong type", "/v1/mgmt/permission/update/batch", `{"permissions":[{"name":"data.read","newName":7}]}`, 400, mockidp.CodeBadRequest, "newName"},
		{"permission no newName", "/v1/mgmt/permission/update/batch", `{"permissions":[{"name":"data.read"}]}`, 400, mockidp.CodeMissingArgument, "permissions[0]: newName"},
		{"system permission", "/v1/mgmt/permission/create/batch", `{"permissions":[{"name":"p","systemDefault":true}]}`, 400, mockidp.CodeInvalidArgument, "permissions[0]: systemDefault"},
		{"trailing data", "/v1/mgmt/permission/create/batch", `{"permissions":[{"name":"p"}]} {}`, 400, mockidp.CodeBadRequest, "trailing"},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) {
			e := sessionServer{t, s.Server}.refused(rec, tc.status, tc.code)
			if !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
	s.refused(s.do("POST", "/v1/mgmt/role/create/batch", "", `{"roles":[{"name":"x"}]}`), http.StatusUnauthorized, mockidp.CodeBadClient)
}

// Batches race single writes, refreshes and reads under -race; every
// answer is a 200 or a precise 4xx, and what stays is consistent: no
// user holds a role that no longer exists after deletes.
func TestRoleBatchesRace(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct{ path, body string }{
		{"/v1/mgmt/role/create/batch", `{"roles":[{"name":"r1"},{"name":"r2","permissionNames":["data.read"]}]}`},
		{"/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","roleNames":["r1","r2"]}`},
		{"/v1/mgmt/role/update/batch", `{"roles":[{"name":"r1","newName":"r3"},{"name":"r2","newName":"r4"}]}`},
		{"/v1/mgmt/role/delete/batch", `{"roleNames":["r3","r4"]}`},
		{"/v1/mgmt/role/delete/batch", `{"roleNames":["r1","r2"]}`},
		{"/v1/mgmt/permission/create/batch", `{"permissions":[{"name":"p1"},{"name":"p2"}]}`},
		{"/v1/mgmt/permission/delete/batch", `{"names":["p1","p2"]}`},
		{"/v1/auth/refresh", ""},
		{"/v1/mgmt/role/search", `{"roleNames":["r1"]}`},
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
				rec := s.do("POST", c.path, auth, c.body)
				if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500) {
					t.Errorf("%s: %d %s", c.path, rec.Code, rec.Body.Bytes())
				}
			}
		})
	}
	wg.Wait()
	s.ok(s.do("POST", "/v1/mgmt/role/delete/batch", mgmt(), `{"roleNames":["user","viewer","admin"]}`), nil)
	alice, _ := s.LookupUser("alice@example.com")
	defined := s.roles()
	for _, r := range alice.Roles {
		if roleNamed(defined, "", r) == nil {
			t.Errorf("alice holds %q, which is not defined", r)
		}
	}
}
