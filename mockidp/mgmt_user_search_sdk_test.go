package mockidp_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

// The default project's users (fixtures/project.yaml).
const (
	aliceID = "U2MockUserAlice0000000000001"
	adminID = "U2MockUserAdmin0000000000002"
	multiID = "U2MockUserMulti0000000000003"
	testID  = "U2MockUserTest00000000000004"
)

// goSDKSearch is the body the Go SDK sends for UserSearchOptions (GO
// descope/internal/mgmt/user.go makeSearchAllRequest: every key, always;
// nil slices and maps as null, unset numbers as 0), with set replacing keys.
func goSDKSearch(set map[string]string) string {
	fields := map[string]string{
		"customAttributes": "null", "emails": "null", "fromCreatedTime": "0", "fromModifiedTime": "0",
		"includeSubTenants": "false", "limit": "0", "loginIds": "null", "page": "0", "phones": "null",
		"roleNames": "null", "sort": "null", "ssoAppIds": "null", "statuses": "null", "tenantIds": "null",
		"tenantRoleIds": "null", "tenantRoleNames": "null", "testUsersOnly": "false", "text": `""`,
		"toCreatedTime": "0", "toModifiedTime": "0", "userIds": "null", "withTestUser": "false",
	}
	for k, v := range set {
		if _, ok := fields[k]; !ok {
			panic("the Go SDK does not send " + k)
		}
		fields[k] = v
	}
	var b strings.Builder
	for i, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	}) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + k + `":` + fields[k])
	}
	return "{" + b.String() + "}"
}

// TestUserSearchSDKBodies sends user searches shaped as each SDK sends them
// and checks the users found, in order, and the total.
func TestUserSearchSDKBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, body string
		want             []string
		wantTotal        int
	}{
		// Go SDK: User().SearchAll and SearchAllTestUsers (which sets both test flags).
		{"go SearchAll no options", "/v2/mgmt/user/search", goSDKSearch(nil), []string{adminID, aliceID, multiID}, 3},
		{"go SearchAll emails", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"emails": `["alice@example.com"]`}), []string{aliceID}, 1},
		{"go SearchAll emails nobody", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"emails": `["nobody@example.com"]`}), []string{}, 0},
		{"go SearchAll phones", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"phones": `["+15555550123"]`}), []string{multiID}, 1},
		{"go SearchAll userIds", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"userIds": `["` + adminID + `","` + testID + `"]`}), []string{adminID}, 1},
		{"go SearchAll statuses disabled", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"statuses": `["disabled"]`}), []string{}, 0},
		{"go SearchAll customAttributes", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"customAttributes": `{"department":"engineering"}`}), []string{aliceID}, 1},
		{"go SearchAll roles", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"roleNames": `["admin"]`}), []string{adminID}, 1},
		{"go SearchAll tenantRoleNames", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"tenantRoleNames": `{"` + acme + `":{"values":["tenant-admin"]}}`}), []string{multiID}, 1},
		{"go SearchAll sort and limit", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"sort": `[{"field":"name","desc":true}]`, "limit": "2", "withTestUser": "true"}), []string{testID, multiID}, 4},
		{"go SearchAll page 1", "/v2/mgmt/user/search", goSDKSearch(map[string]string{"limit": "2", "page": "1"}), []string{multiID}, 3},
		{"go SearchAllTestUsers", "/v2/mgmt/user/search/test", goSDKSearch(map[string]string{"testUsersOnly": "true", "withTestUser": "true"}), []string{testID}, 1},
		{"go SearchAllTestUsers loginIds", "/v2/mgmt/user/search/test", goSDKSearch(map[string]string{"testUsersOnly": "true", "withTestUser": "true", "loginIds": `["alice@example.com"]`}), []string{}, 0},

		// Node SDK: management.user.search and searchTestUsers (lib/management/user.ts:
		// the request spread, roles sent as roleNames, undefined keys left out), and the
		// deprecated searchAll(tenantIds, roles, limit, page, testUsersOnly, withTestUser, ...).
		{"node search emails", "/v2/mgmt/user/search", `{"emails":["admin@example.com"]}`, []string{adminID}, 1},
		{"node search roles", "/v2/mgmt/user/search", `{"roleNames":["user"],"withTestUser":true}`, []string{adminID, aliceID, testID}, 3},
		{"node search verifiedPhone", "/v2/mgmt/user/search", `{"verifiedPhone":true}`, []string{multiID}, 1},
		{"node search tenantRoleNames and", "/v2/mgmt/user/search", `{"tenantRoleNames":{"` + globex + `":{"values":["viewer","tenant-admin"],"and":true}}}`, []string{}, 0},
		{"node search created in the future", "/v2/mgmt/user/search", `{"fromCreatedTime":32503680000000}`, []string{}, 0},
		{"node searchTestUsers", "/v2/mgmt/user/search/test", `{"text":"test","withTestUser":true,"testUsersOnly":true}`, []string{testID}, 1},
		{"node searchAll (deprecated)", "/v2/mgmt/user/search", `{"tenantIds":["` + acme + `"],"limit":10,"page":0}`, []string{multiID}, 1},

		// Python SDK: management.user.search_all and search_all_test_users
		// (descope/management/user.py: tenantIds, roleNames, limit, page and the
		// two test flags always, the rest when given).
		{"python search_all", "/v2/mgmt/user/search", `{"tenantIds": [], "roleNames": [], "limit": 0, "page": 0, "testUsersOnly": false, "withTestUser": false}`, []string{adminID, aliceID, multiID}, 3},
		{"python search_all login_ids", "/v2/mgmt/user/search", `{"tenantIds": [], "roleNames": [], "limit": 0, "page": 0, "testUsersOnly": false, "withTestUser": false, "loginIds": ["+15555550123"]}`, []string{multiID}, 1},
		{"python search_all sort", "/v2/mgmt/user/search", `{"tenantIds": [], "roleNames": [], "limit": 0, "page": 0, "testUsersOnly": false, "withTestUser": false, "sort": [{"field": "email", "desc": true}]}`, []string{multiID, aliceID, adminID}, 3},
		{"python search_all_test_users emails", "/v2/mgmt/user/search/test", `{"tenantIds": [], "roleNames": [], "limit": 0, "page": 0, "testUsersOnly": true, "withTestUser": true, "emails": ["test-user@example.com"]}`, []string{testID}, 1},

		// SDKs before September 2024 searched on /v1.
		{"v1 path", "/v1/mgmt/user/search", `{"loginIds":["alice@example.com"]}`, []string{aliceID}, 1},
	}
	s := newSessionServer(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var found struct {
				Users []mockidp.UserResponse `json:"users"`
				Total int                    `json:"total"`
			}
			sessionServer{t, s.Server}.ok(s.do(http.MethodPost, tc.path, mgmt(), tc.body), &found)
			got := []string{}
			for _, u := range found.Users {
				got = append(got, u.UserID)
			}
			if !slices.Equal(got, tc.want) || found.Total != tc.wantTotal {
				t.Errorf("POST %s %s: got %v (total %d), want %v (total %d)", tc.path, tc.body, got, found.Total, tc.want, tc.wantTotal)
			}
		})
	}
}

// TestUserSearchRefusedNot500 checks that the overflowing page (issue 16
// defect 7) and the filters the mock does not model answer 400 naming the
// field, never 5xx, on every search path.
func TestUserSearchRefusedNot500(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	for _, path := range []string{"/v1/mgmt/user/search", "/v2/mgmt/user/search", "/v2/mgmt/user/search/test"} {
		for body, field := range map[string]string{
			`{"page":9223372036854775807}`:               "page",
			`{"page":9223372036854775807,"limit":1000}`:  "page",
			`{"limit":2147483647}`:                       "limit",
			`{"tenantRoleIds":{"x":{"values":["r"]}}}`:   "tenantRoleIds",
			`{"statuses":["gone"]}`:                      "statuses[0]",
			`{"emails":["a@b"],"unknownFilter":true}`:    "unknownFilter",
			goSDKSearch(map[string]string{"page": "-1"}): "page",
		} {
			rec := s.do(http.MethodPost, path, mgmt(), body)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), field) {
				t.Errorf("POST %s %s: got %d %s, want 400 naming %s", path, body, rec.Code, rec.Body.Bytes(), field)
			}
		}
	}
}
