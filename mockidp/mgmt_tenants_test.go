package mockidp_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/wire"
)

// Tenants created, loaded, searched, updated and deleted; a user added to
// a new tenant carries it in the next refresh, and me/tenants answers its
// custom attributes.
func TestTenantLifecycle(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	var created struct{ ID string }
	s.ok(s.do("POST", "/v1/mgmt/tenant/create", mgmt(), `{"name":"Initech","selfProvisioningDomains":["initech.example"],"customAttributes":{"plan":"gold"},"enforceSSO":false,"disabled":false,"roleInheritance":""}`), &created)
	if len(created.ID) != 28 || !strings.HasPrefix(created.ID, "T") {
		t.Fatalf("created id %q, want T and 27 characters", created.ID)
	}
	s.ok(s.do("POST", "/v1/mgmt/tenant/create", mgmt(), `{"id":"T-hooli","name":"Hooli"}`), &created)
	if created.ID != "T-hooli" {
		t.Fatalf("created with id: %q", created.ID)
	}
	var loaded wire.TenantResponse
	s.ok(s.do("GET", "/v1/mgmt/tenant?id=T-hooli", mgmt(), ""), &loaded)
	if loaded.Name != "Hooli" || loaded.SelfProvisioningDomains == nil || loaded.CustomAttributes == nil {
		t.Errorf("load: %+v", loaded)
	}

	m, err := s.MintSession(mockidp.SessionMintRequest{User: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.ok(s.do("POST", "/v1/mgmt/role/create", mgmt(), `{"name":"hooli-admin","tenantId":"T-hooli","permissionNames":["data.read"]}`), nil)
	s.mgmtUser("POST", "/v1/mgmt/user/update/tenant/add", `{"loginId":"alice@example.com","tenantId":"T-hooli"}`)
	s.mgmtUser("POST", "/v2/mgmt/user/update/role/add", `{"loginId":"alice@example.com","tenantId":"T-hooli","roleNames":["hooli-admin"]}`)
	ts, _ := s.refreshClaims(m.RefreshJWT)["tenants"].(map[string]any)
	grant, _ := ts["T-hooli"].(map[string]any)
	if got := strs(grant["roles"]); !slices.Equal(got, []string{"hooli-admin"}) {
		t.Errorf("refreshed tenants %v, want T-hooli with hooli-admin", ts)
	}

	s.ok(s.do("POST", "/v1/mgmt/tenant/update", mgmt(), `{"id":"T-hooli","name":"Hooli XYZ","customAttributes":{"tier":2}}`), nil)
	var mine struct{ Tenants []mockidp.MeTenant }
	s.ok(s.do("POST", "/v1/auth/me/tenants", withRefresh(m.RefreshJWT), `{"ids":["T-hooli"]}`), &mine)
	if len(mine.Tenants) != 1 || mine.Tenants[0].Name != "Hooli XYZ" || mine.Tenants[0].CustomAttributes["tier"] != float64(2) {
		t.Errorf("me/tenants: %+v", mine.Tenants)
	}

	search := func(body string) []string {
		t.Helper()
		var out struct{ Tenants []wire.TenantResponse }
		s.ok(s.do("POST", "/v1/mgmt/tenant/search", mgmt(), body), &out)
		var ids []string
		for _, t := range out.Tenants {
			ids = append(ids, t.Name)
		}
		return ids
	}
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`{"tenantIds":["T-hooli"],"tenantNames":null,"tenantSelfProvisioningDomains":null,"customAttributes":null,"authType":""}`, []string{"Hooli XYZ"}},
		{`{"tenantNames":["initech"]}`, []string{"Initech"}},
		{`{"tenantSelfProvisioningDomains":["INITECH.example"]}`, []string{"Initech"}},
		{`{"customAttributes":{"tier":[1,2]}}`, []string{"Hooli XYZ"}},
		{`{"parentTenantId":"T-hooli"}`, nil},
		{`{"authType":"saml"}`, nil},
	} {
		if got := search(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("search %s: %v, want %v", tc.body, got, tc.want)
		}
	}
	s.refused(s.do("POST", "/v1/mgmt/tenant/search", mgmt(), `{"tenantDomains":["x"]}`), http.StatusBadRequest, mockidp.CodeBadRequest)

	// Delete: the tenant, its roles and the memberships go.
	s.ok(s.do("POST", "/v1/mgmt/tenant/delete", mgmt(), `{"id":"T-hooli"}`), nil)
	if ts, _ := s.refreshClaims(m.RefreshJWT)["tenants"].(map[string]any); len(ts) != 0 {
		t.Errorf("after delete: tenants %v", ts)
	}
	if roleNamed(s.roles(), "T-hooli", "hooli-admin") != nil {
		t.Error("the tenant's role outlived it")
	}
	var all struct{ Tenants []wire.TenantResponse }
	s.ok(s.do("GET", "/v1/mgmt/tenant/all", mgmt(), ""), &all)
	if len(all.Tenants) != 3 {
		t.Errorf("tenant/all: %d tenants, want 3", len(all.Tenants))
	}
}

// Delete with cascade removes the users whose only tenant it was, and ends their sessions.
func TestTenantDeleteCascade(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	s.ok(s.do("POST", "/v1/mgmt/tenant/create", mgmt(), `{"id":"T-solo","name":"Solo"}`), nil)
	s.ok(s.do("POST", "/v1/mgmt/user/create", mgmt(), `{"loginId":"solo@example.com","userTenants":[{"tenantId":"T-solo"}]}`), nil)
	s.mgmtUser("POST", "/v1/mgmt/user/update/tenant/add", `{"loginId":"`+multiUser+`","tenantId":"T-solo"}`)
	m, err := s.MintSession(mockidp.SessionMintRequest{User: "solo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.ok(s.do("POST", "/v1/mgmt/tenant/delete", mgmt(), `{"id":"T-solo","cascade":true}`), nil)
	if _, ok := s.LookupUser("solo@example.com"); ok {
		t.Error("the tenant's only user outlived the cascade")
	}
	if u, ok := s.LookupUser(multiUser); !ok || len(u.Tenants) != 2 {
		t.Errorf("multi: %v %+v, want kept in its two other tenants", ok, u.Tenants)
	}
	s.refused(s.do("POST", "/v1/auth/refresh", withRefresh(m.RefreshJWT), ""), http.StatusUnauthorized, mockidp.CodeLoggedOut)
}

func TestTenantsBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"no name", "/v1/mgmt/tenant/create", `{}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"duplicate id", "/v1/mgmt/tenant/create", `{"id":"` + acme + `","name":"Other"}`, http.StatusConflict, mockidp.CodeConflict},
		{"duplicate name", "/v1/mgmt/tenant/create", `{"name":"acme"}`, http.StatusConflict, mockidp.CodeConflict},
		{"bad id", "/v1/mgmt/tenant/create", `{"id":"a b","name":"X"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"bad domain", "/v1/mgmt/tenant/create", `{"name":"X","selfProvisioningDomains":["a@b"]}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"sso", "/v1/mgmt/tenant/create", `{"name":"X","enforceSSO":true}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"parent", "/v1/mgmt/tenant/create", `{"name":"X","parent":"` + acme + `"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"update unknown", "/v1/mgmt/tenant/update", `{"id":"T-nope","name":"X"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"update no id", "/v1/mgmt/tenant/update", `{"name":"X"}`, http.StatusBadRequest, mockidp.CodeMissingArgument},
		{"delete unknown", "/v1/mgmt/tenant/delete", `{"id":"T-nope"}`, http.StatusBadRequest, mockidp.CodeInvalidArgument},
		{"wrong type", "/v1/mgmt/tenant/create", `{"name":["X"]}`, http.StatusBadRequest, mockidp.CodeBadRequest},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) { sessionServer{t, s.Server}.refused(rec, tc.status, tc.code) })
	}
	s.refused(s.do("GET", "/v1/mgmt/tenant?id=T-nope", mgmt(), ""), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.refused(s.do("GET", "/v1/mgmt/tenant", mgmt(), ""), http.StatusBadRequest, mockidp.CodeMissingArgument)
}
