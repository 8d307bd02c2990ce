package mockidp_test

import (
	"net/http"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// batchRoutes are the management calls issue 19's batch work added, with
// the endpoint name each is counted and faulted under and its methods.
var batchRoutes = []struct {
	path, endpoint, allow string
}{
	{"/v1/mgmt/user/create/batch", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/user/patch/batch", mockidp.EndpointMgmtUser, "PATCH, POST"},
	{"/v1/mgmt/user/delete/batch", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/users/load", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/user/password/set/temporary", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/user/password/set/active", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/user/password/set", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/user/password/expire", mockidp.EndpointMgmtUser, "POST"},
	{"/v1/mgmt/role/create/batch", mockidp.EndpointMgmtRole, "POST"},
	{"/v1/mgmt/role/update/batch", mockidp.EndpointMgmtRole, "POST"},
	{"/v1/mgmt/role/delete/batch", mockidp.EndpointMgmtRole, "POST"},
	{"/v1/mgmt/permission/create/batch", mockidp.EndpointMgmtRole, "POST"},
	{"/v1/mgmt/permission/update/batch", mockidp.EndpointMgmtRole, "POST"},
	{"/v1/mgmt/permission/delete/batch", mockidp.EndpointMgmtRole, "POST"},
	{"/v1/mgmt/accesskey/activate/batch", mockidp.EndpointMgmtKey, "POST"},
	{"/v1/mgmt/accesskey/deactivate/batch", mockidp.EndpointMgmtKey, "POST"},
	{"/v1/mgmt/accesskey/delete/batch", mockidp.EndpointMgmtKey, "POST"},
	{"/v1/mgmt/accesskey/rotate", mockidp.EndpointMgmtKey, "POST"},
}

// Each batch route is served (never the no-route 404), counted under its
// endpoint, answers other methods 405 with Allow, wants the management
// key, and takes its endpoint's faults.
func TestBatchRoutesAreServed(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, rt := range batchRoutes {
		before := s.RequestCount(rt.endpoint)
		s.refused(s.do(http.MethodPost, rt.path, "Bearer "+mockidp.DefaultProjectID, `{}`), http.StatusUnauthorized, mockidp.CodeBadClient)
		rec := s.do(http.MethodGet, rt.path, mgmt(), "")
		s.refused(rec, http.StatusMethodNotAllowed, mockidp.CodeMethod)
		if got := rec.Header().Get("Allow"); got != rt.allow {
			t.Errorf("%s: Allow %q, want %q", rt.path, got, rt.allow)
		}
		if got := s.RequestCount(rt.endpoint); got != before+2 {
			t.Errorf("%s: %s counted %d requests, want %d", rt.path, rt.endpoint, got-before, 2)
		}
		if err := s.InjectFault(mockidp.Fault{Endpoint: rt.endpoint, Status: http.StatusServiceUnavailable, Count: 1}); err != nil {
			t.Fatal(err)
		}
		s.refused(s.do(http.MethodPost, rt.path, mgmt(), `{}`), http.StatusServiceUnavailable, mockidp.CodeServerError)
	}
}
