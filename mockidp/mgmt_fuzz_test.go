package mockidp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// mgmtFuzzRoutes are issue 19's management calls that read a body.
var mgmtFuzzRoutes = []struct{ method, path string }{
	{http.MethodPost, "/v1/mgmt/user/update"},
	{http.MethodPatch, "/v1/mgmt/user/patch"},
	{http.MethodPost, "/v1/mgmt/user/update/status"},
	{http.MethodPost, "/v1/mgmt/user/update/loginid"},
	{http.MethodPost, "/v1/mgmt/user/update/email"},
	{http.MethodPost, "/v1/mgmt/user/update/name"},
	{http.MethodPost, "/v1/mgmt/user/update/customAttribute"},
	{http.MethodPost, "/v2/mgmt/user/update/role/add"},
	{http.MethodPost, "/v1/mgmt/user/update/role/set"},
	{http.MethodPost, "/v1/mgmt/user/update/tenant/add"},
	{http.MethodPost, "/v1/mgmt/role/create"},
	{http.MethodPost, "/v1/mgmt/role/update"},
	{http.MethodPost, "/v1/mgmt/role/delete"},
	{http.MethodPost, "/v1/mgmt/role/search"},
	{http.MethodPost, "/v1/mgmt/permission/create"},
	{http.MethodPost, "/v1/mgmt/permission/update"},
	{http.MethodPost, "/v1/mgmt/tenant/create"},
	{http.MethodPost, "/v1/mgmt/tenant/update"},
	{http.MethodPost, "/v1/mgmt/tenant/delete"},
	{http.MethodPost, "/v1/mgmt/tenant/search"},
	{http.MethodPost, "/v1/mgmt/accesskey/create"},
	{http.MethodPost, "/v1/mgmt/accesskey/update"},
	{http.MethodPost, "/v1/mgmt/accesskey/search"},
	{http.MethodPost, "/v1/mgmt/impersonate"},
	{http.MethodPost, "/v1/mgmt/stop/impersonation"},
	{http.MethodPost, "/v1/mgmt/auth/signin"},
	// Batches (mgmt_user_batch.go and later).
	{http.MethodPost, "/v1/mgmt/user/create/batch"},
	{http.MethodPatch, "/v1/mgmt/user/patch/batch"},
	{http.MethodPost, "/v1/mgmt/user/delete/batch"},
	{http.MethodPost, "/v1/mgmt/users/load"},
	{http.MethodPost, "/v1/mgmt/role/create/batch"},
	{http.MethodPost, "/v1/mgmt/role/update/batch"},
	{http.MethodPost, "/v1/mgmt/role/delete/batch"},
	{http.MethodPost, "/v1/mgmt/permission/create/batch"},
	{http.MethodPost, "/v1/mgmt/permission/update/batch"},
	{http.MethodPost, "/v1/mgmt/permission/delete/batch"},
	{http.MethodPost, "/v1/mgmt/accesskey/activate/batch"},
	{http.MethodPost, "/v1/mgmt/accesskey/deactivate/batch"},
	{http.MethodPost, "/v1/mgmt/accesskey/delete/batch"},
	{http.MethodPost, "/v1/mgmt/accesskey/rotate"},
	{http.MethodPost, "/v1/mgmt/user/password/set/temporary"},
	{http.MethodPost, "/v1/mgmt/user/password/set/active"},
	{http.MethodPost, "/v1/mgmt/user/password/set"},
	{http.MethodPost, "/v1/mgmt/user/password/expire"},
}

// FuzzManagementWrites sends any body to every management call of issue
// 19 with the management key. Invariants: no panic, never a 5xx, every
// failure a Descope error body. The mock is reset after each input.
func FuzzManagementWrites(f *testing.F) {
	seeds := []struct {
		route uint8
		body  string
	}{
		{0, `{"loginId":"alice@example.com","roleNames":["admin"],"userTenants":[{"tenantId":"T2MockTenantAcme000000000001"}]}`},
		{1, `{"loginId":"alice@example.com","customAttributes":{"a":{"b":[1]}},"status":"disabled"}`},
		{2, `{"loginId":"alice@example.com","status":null}`}, {3, `{"loginId":"alice@example.com","newLoginId":""}`},
		{4, `{"loginId":"alice@example.com","email":"admin@example.com","failOnConflict":true}`},
		{5, `{"loginId":"U2MockUserAlice0000000000001","givenName":7}`}, {6, `{"loginId":"alice@example.com","attributeKey":"","attributeValue":null}`},
		{7, `{"loginId":"multi@example.com","tenantId":"T2MockTenantAcme000000000001","roleNames":["tenant-admin"]}`},
		{8, `{"loginId":"alice@example.com","roleNames":null}`}, {9, `{"loginId":"alice@example.com","tenantId":"T-none"}`},
		{10, `{"name":"r","permissionNames":["data.read"],"tenantId":"T2MockTenantAcme000000000001"}`},
		{11, `{"name":"admin","newName":"user"}`}, {12, `{"name":"user"}`}, {13, `{"tenantIds":[],"includeProjectRoles":false}`},
		{14, `{"name":"p","description":""}`}, {15, `{"name":"data.read","newName":"data.write"}`},
		{16, `{"name":"T","selfProvisioningDomains":["a.b"],"customAttributes":{"x":1.5e300}}`}, {17, `{"id":"T2MockTenantAcme000000000001","name":"Globex"}`},
		{18, `{"id":"T2MockTenantAcme000000000001","cascade":true}`}, {19, `{"customAttributes":{"k":[true,null]}}`},
		{20, `{"name":"k","expireTime":99999999999,"permittedIps":["::1/128"],"customClaims":{"a":1}}`},
		{21, `{"id":"K1","name":"x","keyTenants":[]}`}, {22, `{"tenantIds":["T"],"boundUserId":""}`},
		{23, `{"loginId":"alice@example.com","impersonatorId":"admin@example.com","refreshDuration":-1}`}, {24, `{"jwt":"a.b.c"}`},
		{25, `{"loginId":"alice@example.com","stepup":true,"jwt":"x"}`}, {0, `[`}, {13, `{} {}`},
		{26, `{"users":[{"loginId":"n@example.com","password":"pass-word-1","test":true,"createdTime":1},{"loginId":"alice@example.com"}],"invite":true}`},
		{26, `{"users":[{"loginId":"h@example.com","hashedPassword":{"bcrypt":{"hash":"$2a$"}},"seed":"x","status":"expired"}]}`},
		{27, `{"users":[{"loginId":"alice@example.com","customAttributes":{"a":1},"status":"disabled","test":true},{"loginId":"nobody"}]}`},
		{28, `{"userIds":["U2MockUserAlice0000000000001","U2Ghost"]}`}, {29, `{"userIds":["U2MockUserAlice0000000000001"],"includeInvalidUsers":true}`},
		{30, `{"roles":[{"name":"r","permissionNames":["data.read"],"tenantId":"T2MockTenantAcme000000000001"},{"name":"r"}]}`},
		{31, `{"roles":[{"name":"user","newName":"member"},{"name":"viewer","newName":"user"}]}`},
		{32, `{"roleNames":["admin","tenant-admin"],"tenantId":"T2MockTenantAcme000000000001","roleIds":[]}`},
		{33, `{"permissions":[{"name":"p","description":"d"},{"name":"p"}]}`}, {34, `{"permissions":[{"name":"data.read","newName":"x"}]}`},
		{35, `{"names":["data.read","users.create"],"ids":null}`},
		{36, `{"ids":["K1","K1"]}`}, {37, `{"ids":[""]}`}, {38, `{"ids":null}`}, {39, `{"id":"K2"}`},
		{40, `{"loginId":"alice@example.com","password":"pass-word-1","setActive":false}`}, {41, `{"loginId":"U2MockUserAlice0000000000001","password":"x"}`},
		{42, `{"loginId":"alice@example.com","password":"pass-word-2","setActive":"yes"}`}, {43, `{"userId":"U2Ghost"}`},
	}
	for _, sd := range seeds {
		f.Add(sd.route, []byte(sd.body))
	}
	s := newFuzzServer(f, "")
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		defer func() {
			if err := s.Reset(); err != nil {
				t.Fatalf("Reset: %v", err)
			}
		}()
		rt := mgmtFuzzRoutes[int(route)%len(mgmtFuzzRoutes)]
		r := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+s.ProjectID()+":"+mgmtKey)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: got status %d (body %q), want no 5xx", rt.method, rt.path, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 300 {
			checkDescopeError(t, rec)
		}
	})
}
