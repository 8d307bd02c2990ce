package live_test

import (
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/suites/internal/drift"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// Offline checks of the live suite's own machinery, so it is tested without credentials.
var _ = Describe("The live suite's machinery", Label("offline", "drift"), func() {
	DescribeTable("the live configuration names what is missing",
		func(env map[string]string, wantMissing []string) {
			cfg, msg := harness.Live(func(k string) string { return env[k] })
			if len(wantMissing) == 0 {
				Expect(msg).To(BeEmpty())
				Expect(cfg.BaseURL).To(Equal(harness.DefaultDescopeBaseURL))
				return
			}
			for _, name := range wantMissing {
				Expect(msg).To(ContainSubstring(name))
			}
			Expect(msg).To(ContainSubstring("set "))
		},
		Entry("nothing set", map[string]string{}, []string{"DESCOPE_PROJECT_ID", "DESCOPE_CLIENT_ID", "DESCOPE_CLIENT_SECRET"}),
		Entry("secret missing", map[string]string{"DESCOPE_PROJECT_ID": "P2x", "DESCOPE_CLIENT_ID": "c"}, []string{"DESCOPE_CLIENT_SECRET"}),
		Entry("all set", map[string]string{"DESCOPE_PROJECT_ID": "P2x", "DESCOPE_CLIENT_ID": "c", "DESCOPE_CLIENT_SECRET": "s"}, nil),
	)

	DescribeTable("the live roles check reads a claim as the contract does",
		func(claims map[string]any, want []string) {
			Expect(effective(claims, "roles")).To(Equal(want))
		},
		Entry("a list", map[string]any{"roles": []any{"admin", 1, "user"}}, []string{"admin", "user"}),
		Entry("a string split on spaces and commas", map[string]any{"roles": "admin, user viewer"}, []string{"admin", "user", "viewer"}),
		Entry("plus the current tenant's, without duplicates", map[string]any{"roles": []any{"user"}, "dct": "T1",
			"tenants": map[string]any{"T1": map[string]any{"roles": "user,tenant-admin"}, "T2": map[string]any{"roles": []any{"other"}}}},
			[]string{"user", "tenant-admin"}),
		Entry("absent", map[string]any{}, []string(nil)),
	)

	It("honours DESCOPE_BASE_URL and DESCOPE_SCOPE", func() {
		cfg, msg := harness.Live(func(k string) string {
			return map[string]string{"DESCOPE_PROJECT_ID": "P2x", "DESCOPE_CLIENT_ID": "c", "DESCOPE_CLIENT_SECRET": "s",
				"DESCOPE_BASE_URL": "https://api.euc1.descope.com/", "DESCOPE_SCOPE": "openid"}[k]
		})
		Expect(msg).To(BeEmpty())
		Expect(cfg.DiscoveryURL()).To(Equal("https://api.euc1.descope.com/P2x/.well-known/openid-configuration"))
		Expect(cfg.Scope).To(Equal("openid"))
	})

	It("collects a provider's documents and reports no drift of the mock against itself", func() {
		env := harness.Start(harness.Options{})
		env.RequireInProcess("collects from the in-process mock")
		a := collect(env.Mock.DiscoveryURL(), env.Token(harness.AdminClient))
		b := collect(env.Mock.DiscoveryURL(), env.Token(harness.ReaderClient))
		Expect(a.KeySet["keys"]).NotTo(BeEmpty())
		report := drift.Compare(a, a)
		Expect(report.Differences).To(BeEmpty())

		// Different clients' tokens carry different claim names: the report says so.
		report = drift.Compare(a, b)
		Expect(report.Differences).To(ConsistOf(
			drift.Difference{Area: "token claims", Item: "email", Mock: "string", Live: "absent"},
			drift.Difference{Area: "token claims", Item: "name", Mock: "string", Live: "absent"},
		))
		path := writeReport(report, GinkgoT().TempDir())
		content, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(ContainSubstring("| token claims | name | string | absent |"))
	})
})
