package mockidp_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// definitionKind is one collection the management API creates at run time,
// with how to create the i-th item (pad bytes of free text in it) and how
// to delete it again.
type definitionKind struct {
	name           string
	pad            int    // the largest free text one item takes
	countLimit     string // the limit's name in the 409
	bytesLimit     string
	max            int
	create, delete string // paths
	createBody     func(i int, pad string) string
	deleteBody     func(s sessionServer, i int, created []byte) string
	existing       func(s sessionServer) int
}

func definitionKinds() []definitionKind {
	byName := func(prefix string) func(sessionServer, int, []byte) string {
		return func(_ sessionServer, i int, _ []byte) string { return `{"name":"` + prefix + strconv.Itoa(i) + `"}` }
	}
	count := func(path, field string) func(s sessionServer) int {
		return func(s sessionServer) int {
			var all map[string][]json.RawMessage
			s.ok(s.do(http.MethodGet, path, mgmt(), ""), &all)
			return len(all[field])
		}
	}
	return []definitionKind{
		{
			name: "permissions", pad: 1000, countLimit: "MaxPermissions", bytesLimit: "MaxPermissionBytes", max: mockidp.MaxPermissions,
			create: "/v1/mgmt/permission/create", delete: "/v1/mgmt/permission/delete",
			createBody: func(i int, pad string) string {
				return `{"name":"p` + strconv.Itoa(i) + `","description":"` + pad + `"}`
			},
			deleteBody: byName("p"),
			existing:   count("/v1/mgmt/permission/all", "permissions"),
		},
		{
			name: "roles", pad: 60 << 10, countLimit: "MaxRoles", bytesLimit: "MaxRoleBytes", max: mockidp.MaxRoles,
			create: "/v1/mgmt/role/create", delete: "/v1/mgmt/role/delete",
			createBody: func(i int, pad string) string {
				return `{"name":"r` + strconv.Itoa(i) + `","description":"` + pad + `"}`
			},
			deleteBody: byName("r"),
			existing:   count("/v1/mgmt/role/all", "roles"),
		},
		{
			name: "tenants", pad: 16000, countLimit: "MaxTenants", bytesLimit: "MaxTenantBytes", max: mockidp.MaxTenants,
			create: "/v1/mgmt/tenant/create", delete: "/v1/mgmt/tenant/delete",
			createBody: func(i int, pad string) string {
				return `{"id":"t` + strconv.Itoa(i) + `","name":"tenant ` + strconv.Itoa(i) + `","customAttributes":{"pad":"` + pad + `"}}`
			},
			deleteBody: func(_ sessionServer, i int, _ []byte) string { return `{"id":"t` + strconv.Itoa(i) + `"}` },
			existing:   count("/v1/mgmt/tenant/all", "tenants"),
		},
		{
			name: "managed access keys", pad: 60 << 10, countLimit: "MaxManagedKeys", bytesLimit: "MaxManagedKeyBytes", max: mockidp.MaxManagedKeys,
			create: "/v1/mgmt/accesskey/create", delete: "/v1/mgmt/accesskey/delete",
			createBody: func(i int, pad string) string {
				return `{"name":"k` + strconv.Itoa(i) + `","description":"` + pad + `"}`
			},
			deleteBody: func(s sessionServer, _ int, created []byte) string {
				var resp struct{ Key struct{ ID string } }
				if err := json.Unmarshal(created, &resp); err != nil || resp.Key.ID == "" {
					s.t.Fatalf("create answered %s: no key.id (%v)", created, err)
				}
				return `{"id":"` + resp.Key.ID + `"}`
			},
			existing: func(s sessionServer) int {
				var all struct{ Keys []json.RawMessage }
				s.ok(s.do(http.MethodPost, "/v1/mgmt/accesskey/search", mgmt(), `{}`), &all)
				return len(all.Keys)
			},
		},
	}
}

// fill creates items of k with pad until the management API refuses one,
// which must be a 409 M000409 naming limit; then deleting the last item
// created makes room for one more. It returns how many were created.
func (k definitionKind) fill(t *testing.T, s sessionServer, pad, limit string) int {
	t.Helper()
	var last []byte
	i := 0
	for ; ; i++ {
		if i > k.max {
			t.Fatalf("created %d %s without a refusal, over %s", i, k.name, k.countLimit)
		}
		rec := s.do(http.MethodPost, k.create, mgmt(), k.createBody(i, pad))
		if rec.Code == http.StatusOK {
			last = rec.Body.Bytes()
			continue
		}
		e := s.refused(rec, http.StatusConflict, mockidp.CodeMockLimit)
		if !strings.Contains(e.Message, limit) {
			t.Fatalf("%s %d refused with %q, want it to name %s", k.name, i, e.Message, limit)
		}
		break
	}
	if i == 0 {
		t.Fatalf("the first of the %s was refused", k.name)
	}
	s.ok(s.do(http.MethodPost, k.delete, mgmt(), k.deleteBody(s, i-1, last)), nil)
	s.ok(s.do(http.MethodPost, k.create, mgmt(), k.createBody(i-1, pad)), nil)
	s.refused(s.do(http.MethodPost, k.create, mgmt(), k.createBody(i, pad)), http.StatusConflict, mockidp.CodeMockLimit)
	return i
}

// Filling each run-time collection with large items stops at its byte
// bound: a 409 M000409 naming the bound, before the count bound is near,
// and room again after a delete. It takes 4.3 CPU-s under -race, so make
// test-long runs it.
func TestManagementDefinitionsByteBounded(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("long (fills each collection to its byte bound): make test-long runs it")
	}
	for _, k := range definitionKinds() {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			s := newSessionServer(t, nil)
			if n := k.fill(t, s, strings.Repeat("x", k.pad), k.bytesLimit); n >= k.max/2 {
				t.Errorf("%d %s of %d bytes fit, want the byte bound to stop them far sooner", n, k.name, k.pad)
			}
		})
	}
}

// Filling each run-time collection with small items stops at its count
// bound: exactly the limit is held (the project file's items count too),
// the next create is a 409 M000409 naming it, and a delete makes room.
func TestManagementDefinitionsCountBounded(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("long (fills each collection to its limit): make test-long runs it")
	}
	for _, k := range definitionKinds() {
		t.Run(k.name, func(t *testing.T) {
			s := newSessionServer(t, nil)
			before := k.existing(s)
			if n := k.fill(t, s, "", k.countLimit); before+n != k.max {
				t.Errorf("%d %s held when refused (%d from the project), want %s = %d", before+n, k.name, before, k.countLimit, k.max)
			}
		})
	}
}
