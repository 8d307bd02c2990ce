package contract_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/suites/internal/harness"
)

// The checks of the Python example's test_integration.py, in its order and
// with its tolerance (authorization endpoints may answer 200 or 403), run
// once per fixture client.
var _ = Describe("The seed example's integration checks", Label("offline", "contract"), func() {
	var env *harness.Env
	BeforeEach(func() { env = harness.Start(harness.Options{}) })

	It("serves the public endpoints", func() {
		root := env.Get("/", "")
		Expect(root.Status).To(Equal(200))
		Expect(root.JSON()).To(HaveKey("message"))
		Expect(root.JSON()).To(HaveKey("descope_project_id"))
		health := env.Get("/health", "")
		Expect(health.Status).To(Equal(200))
		Expect(health.JSON()).To(HaveKeyWithValue("status", "healthy"))
		Expect(health.JSON()).To(HaveKeyWithValue("provider", "descope"))
	})

	It("refuses the protected endpoints without a token", func() {
		for _, path := range []string{"/api/me", "/api/claims", "/api/token-info", "/api/profile", "/api/descope/roles", "/api/descope/permissions"} {
			Expect(env.Get(path, "").Status).To(Equal(401), path)
		}
	})

	It("refuses the protected endpoints with an invalid token", func() {
		for _, path := range []string{"/api/me", "/api/claims"} {
			Expect(env.Get(path, "invalid.jwt.token").Status).To(Equal(401), path)
		}
	})

	DescribeTable("with a client-credentials token",
		func(client string) {
			token := env.Token(client)

			By("test_protected_endpoints_with_valid_token")
			me := env.Get("/api/me", token)
			Expect(me.Status).To(Equal(200), me.String())
			Expect(me.JSON()).To(HaveKeyWithValue("authenticated", true))
			claims := env.Get("/api/claims", token)
			Expect(claims.Status).To(Equal(200))
			Expect(claims.JSON()["claims"]).To(BeAssignableToTypeOf(map[string]any{}))
			Expect(env.Get("/api/profile", token).JSON()).To(HaveKey("user_id"))
			Expect(env.Get("/api/token-info", token).JSON()).To(HaveKey("token_length"))

			By("test_descope_specific_endpoints")
			roles := env.Get("/api/descope/roles", token)
			Expect(roles.Status).To(Equal(200))
			Expect(roles.JSON()["roles"]).To(BeAssignableToTypeOf([]any{}))
			perms := env.Get("/api/descope/permissions", token)
			Expect(perms.Status).To(Equal(200))
			Expect(perms.JSON()["permissions"]).To(BeAssignableToTypeOf([]any{}))

			By("test_scope_based_authorization")
			data := env.Get("/api/data", token)
			Expect(data.Status).To(BeElementOf(200, 403))
			if data.Status == 200 {
				Expect(data.JSON()).To(HaveKey("data"))
			}

			By("test_role_based_authorization")
			admin := env.Get("/api/admin/users", token)
			Expect(admin.Status).To(BeElementOf(200, 403))
			if admin.Status == 200 {
				Expect(admin.JSON()).To(HaveKey("message"))
			}

			By("test_permission_based_authorization")
			create := env.Do(harness.Request{Method: "POST", Path: "/api/users?name=Test&email=test@example.com", Token: token})
			Expect(create.Status).To(BeElementOf(200, 403))
		},
		Entry("admin-client", harness.AdminClient),
		Entry("reader-client", harness.ReaderClient),
		Entry("tenant-client", harness.TenantClient),
		Entry("bare-client", harness.BareClient),
	)
})
