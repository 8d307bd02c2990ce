package mockidp_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// batchOf is a batch body of n items made by item(i), for field.
func batchOf(field string, from, n int, item func(i int) string) string {
	var b strings.Builder
	b.WriteString(`{"` + field + `":[`)
	for i := from; i < from+n; i++ {
		if i > from {
			b.WriteByte(',')
		}
		b.WriteString(item(i))
	}
	b.WriteString(`]}`)
	return b.String()
}

// Batches keep the collections' count bounds: filled to MaxRoles and
// MaxPermissions by batches, the next batch is 409 M000409 naming the
// limit and writes nothing; a user batch past MaxUsers lists each user it
// could not create with the limit.
func TestBatchesKeepTheirBounds(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("long (fills roles, permissions and users to their limits by batches): make test-long runs it")
	}
	s := newSessionServer(t, nil)
	fill := func(path, field string, have, limit int, item func(i int) string) {
		t.Helper()
		for i := have; i < limit; i += mockidp.MaxBatchItems {
			n := min(mockidp.MaxBatchItems, limit-i)
			if rec := s.do("POST", path, mgmt(), batchOf(field, i, n, item)); rec.Code != http.StatusOK {
				t.Fatalf("%s at %d: %d %s", path, i, rec.Code, rec.Body.Bytes())
			}
		}
		e := s.refused(s.do("POST", path, mgmt(), batchOf(field, limit, 2, item)), http.StatusConflict, mockidp.CodeMockLimit)
		if !strings.Contains(e.Message, "Max") {
			t.Errorf("%s: the 409 says %q, want it to name the limit", path, e.Message)
		}
	}
	var perms struct{ Permissions []json.RawMessage }
	s.ok(s.do("GET", "/v1/mgmt/permission/all", mgmt(), ""), &perms)
	fill("/v1/mgmt/permission/create/batch", "permissions", len(perms.Permissions), mockidp.MaxPermissions,
		func(i int) string { return `{"name":"p` + strconv.Itoa(i) + `"}` })
	fill("/v1/mgmt/role/create/batch", "roles", len(s.roles()), mockidp.MaxRoles,
		func(i int) string { return `{"name":"r` + strconv.Itoa(i) + `"}` })
	if n := len(s.roles()); n != mockidp.MaxRoles {
		t.Errorf("%d roles after the refused batch, want %d", n, mockidp.MaxRoles)
	}

	user := func(i int) string { return `{"loginId":"u` + strconv.Itoa(i) + `@example.com"}` }
	have := len(s.Users())
	for i := have; i < mockidp.MaxUsers; i += mockidp.MaxBatchItems {
		var b userBatch
		s.ok(s.do("POST", "/v1/mgmt/user/create/batch", mgmt(), batchOf("users", i, min(mockidp.MaxBatchItems, mockidp.MaxUsers-i), user)), &b)
		if len(b.FailedUsers) > 0 {
			t.Fatalf("batch at %d: %v", i, b.failedLogins())
		}
	}
	var b userBatch
	s.ok(s.do("POST", "/v1/mgmt/user/create/batch", mgmt(), batchOf("users", mockidp.MaxUsers, 2, user)), &b)
	if len(b.CreatedUsers) != 0 || len(b.FailedUsers) != 2 || !strings.HasPrefix(b.FailedUsers[0].Failure, mockidp.CodeMockLimit+": ") ||
		!strings.Contains(b.FailedUsers[0].Failure, "MaxUsers") {
		t.Errorf("a batch past MaxUsers: created %d, failed %v; want both failed with %s naming MaxUsers", len(b.CreatedUsers), b.failedLogins(), mockidp.CodeMockLimit)
	}
}
