package live_test

import (
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/suites/internal/drift"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// Smoke tests against real Descope. Without DESCOPE_PROJECT_ID,
// DESCOPE_CLIENT_ID and DESCOPE_CLIENT_SECRET every spec here is skipped
// with a message naming the missing variables.
var _ = Describe("Real Descope", Label("live"), func() {
	var (
		cfg       harness.LiveConfig
		discovery map[string]any
	)
	BeforeEach(func() {
		cfg = harness.RequireLive()
		discovery = harness.FetchJSON(cfg.DiscoveryURL())
	})

	token := func() string {
		GinkgoHelper()
		tokenURL, ok := discovery["token_endpoint"].(string)
		Expect(ok).To(BeTrue(), "discovery document has a token_endpoint")
		resp := harness.ClientCredentials(tokenURL, cfg.ClientID, cfg.ClientSecret, cfg.Scope)
		Expect(resp).To(HaveKeyWithValue("token_type", MatchRegexp("(?i)^bearer$")))
		Expect(resp).To(HaveKeyWithValue("expires_in", BeNumerically(">", 0)))
		access, ok := resp["access_token"].(string)
		Expect(ok).To(BeTrue(), "token response has an access_token")
		return access
	}

	It("serves the project's discovery document", func() {
		Expect(discovery).To(HaveKeyWithValue("issuer", ContainSubstring(cfg.ProjectID)))
		// https, except when DESCOPE_BASE_URL points at a loopback stand-in.
		scheme, _, _ := strings.Cut(cfg.BaseURL, "://")
		Expect(discovery).To(HaveKeyWithValue("jwks_uri", HavePrefix(scheme+"://")))
		Expect(discovery).To(HaveKey("token_endpoint"))
	})

	It("serves a key set of RSA signing keys that name their alg", func() {
		set := harness.FetchJSON(discovery["jwks_uri"].(string))
		keys, ok := set["keys"].([]any)
		Expect(ok).To(BeTrue(), "the key set has a keys list")
		Expect(keys).NotTo(BeEmpty())
		for _, k := range keys {
			Expect(k).To(And(HaveKeyWithValue("kty", "RSA"), HaveKeyWithValue("alg", "RS256"), HaveKey("kid"), HaveKey("n"), HaveKey("e")))
		}
	})

	It("issues a client-credentials token signed by a published key", func() {
		t := token()
		set := harness.FetchJSON(discovery["jwks_uri"].(string))
		var kids []string
		for _, k := range set["keys"].([]any) {
			kids = append(kids, k.(map[string]any)["kid"].(string))
		}
		Expect(kids).To(ContainElement(harness.Header(t)["kid"]))
		Expect(harness.Payload(t)).To(HaveKeyWithValue("iss", discovery["issuer"]))
	})

	When("the API validates a real token", func() {
		var (
			env    *harness.Env
			access string
		)
		BeforeEach(func() {
			env = harness.StartLiveAPI(cfg)
			access = token()
		})

		get := func(path string) *harness.Response {
			GinkgoHelper()
			return env.Get(path, access)
		}

		It("accepts it", func() {
			resp := get("/api/me")
			Expect(resp.Status).To(Equal(200), "%s (token aud %v)", resp, harness.Payload(access)["aud"])
			Expect(get("/api/claims").JSON()["claims"]).To(HaveKeyWithValue("sub", harness.Payload(access)["sub"]))
		})

		It("reports the token's roles and permissions", func() {
			claims := harness.Payload(access)
			roles, permissions := effective(claims, "roles"), effective(claims, "permissions")
			Expect(get("/api/descope/roles").JSON()["roles"]).To(ConsistOf(toAny(roles)...))
			Expect(get("/api/descope/permissions").JSON()["permissions"]).To(ConsistOf(toAny(permissions)...))
		})

		It("still refuses a tampered copy", func() {
			parts := strings.Split(access, ".")
			parts[1] = harness.Segment(map[string]any{"sub": "attacker", "roles": []string{"admin"}})
			harness.ExpectReason(env.Get("/api/me", strings.Join(parts, ".")), harness.ReasonSignature)
		})
	})

	It("reports drift between mockidp and Descope", func() {
		live := collect(cfg.DiscoveryURL(), token())
		mockEnv := harness.Start(harness.Options{})
		mock := collect(mockEnv.Mock.DiscoveryURL(), mockEnv.Token(harness.AdminClient))
		addSessionTokens(&mock, &live, cfg, mockEnv) // sessions_test.go
		report := drift.Compare(mock, live)
		path := writeReport(report, filepath.Join(harness.RepoRoot(), "reports"))
		// The entry is printed with the spec's result, verbose or not.
		AddReportEntry("drift report ("+path+")", report.Markdown())
	})
})

// effective is a claim's top-level values plus the current tenant's (dct),
// without duplicates; as the contract reads them, a claim is a list or a
// string split on spaces or commas.
func effective(claims map[string]any, name string) []string {
	var out []string
	add := func(v any) {
		var values []string
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					values = append(values, s)
				}
			}
		case string:
			values = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		}
		for _, s := range values {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	add(claims[name])
	if dct, ok := claims["dct"].(string); ok {
		if tenants, ok := claims["tenants"].(map[string]any); ok {
			if t, ok := tenants[dct].(map[string]any); ok {
				add(t[name])
			}
		}
	}
	return out
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
