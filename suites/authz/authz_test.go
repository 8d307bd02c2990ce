package authz_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// endpoint is a guarded route of the API.
type endpoint struct {
	method, path string
}

var (
	adminUsers = endpoint{"GET", "/api/admin/users"}
	adminStats = endpoint{"GET", "/api/admin/stats"}
	createUser = endpoint{"POST", "/api/users?name=Ann&email=ann@example.com"}
	deleteUser = endpoint{"DELETE", "/api/users/7"}
	data       = endpoint{"GET", "/api/data"}
	// every guarded endpoint, in the order of the outcome lists below.
	guarded = []endpoint{adminUsers, adminStats, createUser, deleteUser, data}
)

// call sends e with token and returns the status.
func call(env *harness.Env, e endpoint, token string) *harness.Response {
	GinkgoHelper()
	return env.Do(harness.Request{Method: e.method, Path: e.path, Token: token})
}

// expectStatuses asserts one status per guarded endpoint.
func expectStatuses(env *harness.Env, token string, want []int) {
	GinkgoHelper()
	Expect(want).To(HaveLen(len(guarded)))
	got := make([]int, len(guarded))
	for i, e := range guarded {
		got[i] = call(env, e, token).Status
	}
	Expect(got).To(Equal(want), "statuses of %v", guarded)
}

// base mints a token with the mock's base claims (no roles, permissions,
// scope or tenants) plus claims.
func base(claims map[string]any) mockclient.MintRequest {
	return mockclient.MintRequest{Claims: claims}
}

var _ = Describe("Authorization", Label("offline", "authz"), func() {
	var env *harness.Env
	BeforeEach(func() { env = harness.Start(harness.Options{}) })

	Describe("fixture clients", func() {
		DescribeTable("clients × endpoints (admin/users, admin/stats, POST users, DELETE users, data)",
			func(client string, want []int) {
				expectStatuses(env, env.Token(client), want)
			},
			Entry("admin-client: project roles and permissions", harness.AdminClient, []int{200, 200, 200, 200, 200}),
			Entry("reader-client: viewer with data.read", harness.ReaderClient, []int{403, 403, 403, 403, 200}),
			Entry("tenant-client: admin and users.create through its dct tenant", harness.TenantClient, []int{200, 200, 200, 403, 200}),
			Entry("bare-client: nothing, not even a scope", harness.BareClient, []int{403, 403, 403, 403, 403}),
		)

		DescribeTable("scopes requested at the token endpoint decide /api/data",
			func(client, scope string, want int) {
				Expect(call(env, data, env.TokenWithScope(client, scope)).Status).To(Equal(want))
			},
			Entry("bare-client asking for openid", harness.BareClient, "openid", 200),
			Entry("bare-client asking for profile email only", harness.BareClient, "profile email", 403),
			Entry("admin-client asking for profile only", harness.AdminClient, "profile", 403),
			Entry("reader-client asking for openid descope.claims", harness.ReaderClient, "openid descope.claims", 200),
		)
	})

	Describe("roles and permissions from claims", func() {
		DescribeTable("top-level claims × endpoints",
			func(claims map[string]any, want []int) {
				claims["scope"] = "openid"
				expectStatuses(env, env.MintToken(base(claims)), want)
			},
			Entry("roles list with admin", map[string]any{"roles": []string{"admin"}}, []int{200, 200, 403, 403, 200}),
			Entry("roles as a comma-separated string", map[string]any{"roles": "user,admin"}, []int{200, 200, 403, 403, 200}),
			Entry("roles as a space-separated string", map[string]any{"roles": "user admin"}, []int{200, 200, 403, 403, 200}),
			Entry("role matching is case-sensitive", map[string]any{"roles": []string{"Admin", "ADMIN"}}, []int{403, 403, 403, 403, 200}),
			Entry("a role is not a permission", map[string]any{"roles": []string{"users.create"}}, []int{403, 403, 403, 403, 200}),
			Entry("permissions list", map[string]any{"permissions": []string{"users.create", "users.delete"}}, []int{403, 403, 200, 200, 200}),
			Entry("permissions as a string", map[string]any{"permissions": "users.delete"}, []int{403, 403, 403, 200, 200}),
			Entry("permission matching is exact", map[string]any{"permissions": []string{"users.*", "users.create "}}, []int{403, 403, 403, 403, 200}),
			Entry("a permission is not a role", map[string]any{"permissions": []string{"admin"}}, []int{403, 403, 403, 403, 200}),
			Entry("non-string list elements are ignored", map[string]any{"roles": []any{1, true, "admin"}}, []int{200, 200, 403, 403, 200}),
		)
	})

	Describe("tenant roles via dct", func() {
		tenants := map[string]any{
			harness.TenantAcme:   map[string]any{"roles": []string{"admin"}, "permissions": []string{"users.create"}},
			harness.TenantGlobex: map[string]any{"roles": []string{"viewer"}, "permissions": []string{"users.delete"}},
		}
		DescribeTable("the current tenant's grants count, other tenants' do not",
			func(claims map[string]any, want []int) {
				claims["scope"] = "openid"
				claims["tenants"] = tenants
				expectStatuses(env, env.MintToken(base(claims)), want)
			},
			Entry("dct is Acme (admin, users.create)", map[string]any{"dct": harness.TenantAcme}, []int{200, 200, 200, 403, 200}),
			Entry("dct is Globex (viewer, users.delete)", map[string]any{"dct": harness.TenantGlobex}, []int{403, 403, 403, 200, 200}),
			Entry("no dct: no tenant grants", map[string]any{}, []int{403, 403, 403, 403, 200}),
			Entry("dct names a tenant the token lacks", map[string]any{"dct": "T2MockTenantUnknown000000003"}, []int{403, 403, 403, 403, 200}),
			Entry("top-level and tenant grants add up", map[string]any{"dct": harness.TenantGlobex, "roles": []string{"admin"}}, []int{200, 200, 403, 200, 200}),
		)

		It("reports the effective roles and permissions of the current tenant", func() {
			token := env.MintToken(base(map[string]any{"dct": harness.TenantGlobex, "tenants": tenants, "roles": []string{"user"}}))
			harness.ExpectJSON(env.Get("/api/descope/roles", token), 200, `{"roles":["user","viewer"]}`)
			harness.ExpectJSON(env.Get("/api/descope/permissions", token), 200, `{"permissions":["users.delete"]}`)
		})

		It("answers tenant-client by its Acme grants and not by Globex's", func() {
			token := env.Token(harness.TenantClient)
			harness.ExpectJSON(env.Get("/api/descope/roles", token), 200, `{"roles":["admin","tenant-admin"]}`)
			harness.ExpectForbidden(call(env, deleteUser, token), "Missing required Descope permission: users.delete")
		})
	})

	Describe("scopes from scope and scp", func() {
		DescribeTable("/api/data needs scope openid",
			func(claims map[string]any, want int) {
				resp := call(env, data, env.MintToken(base(claims)))
				Expect(resp.Status).To(Equal(want), resp.String())
				if want == 403 {
					harness.ExpectForbidden(resp, "Required scope 'openid' not found")
					harness.ExpectChallenge(resp, harness.ChallengeMissingOpenID)
				}
			},
			Entry("scope string with openid", map[string]any{"scope": "profile openid email"}, 200),
			Entry("scope string without openid", map[string]any{"scope": "profile email"}, 403),
			Entry("scope matching is case-sensitive", map[string]any{"scope": "OpenID"}, 403),
			Entry("scope is space-separated, not comma-separated", map[string]any{"scope": "openid,profile"}, 403),
			Entry("scp list with openid", map[string]any{"scp": []string{"openid", "profile"}}, 200),
			Entry("scp list without openid", map[string]any{"scp": []string{"profile"}}, 403),
			Entry("scope wins over scp", map[string]any{"scope": "profile", "scp": []string{"openid"}}, 403),
			Entry("scope with openid beside an scp without it", map[string]any{"scope": "openid", "scp": []string{"profile"}}, 200),
			Entry("no scope and no scp", map[string]any{}, 403),
			Entry("empty scope", map[string]any{"scope": ""}, 403),
		)
	})
})
