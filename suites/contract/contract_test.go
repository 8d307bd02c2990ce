package contract_test

import (
	"encoding/json"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
	"github.com/descope-harness/harness/suites/internal/harness"
)

// profile is what the contract's claim-derived endpoints answer for one fixture client.
type profile struct {
	name        any // the "name" claim, nil when absent
	email       string
	roles       []string
	permissions []string
	tenant      any // dct, nil when absent
}

var profiles = map[string]profile{
	harness.AdminClient: {name: "Admin Client", email: "admin@example.com", roles: []string{"admin", "user"},
		permissions: []string{"users.create", "users.delete", "data.read"}},
	harness.ReaderClient: {email: "Not provided", roles: []string{"viewer"}, permissions: []string{"data.read"}},
	harness.TenantClient: {email: "Not provided", roles: []string{"admin", "tenant-admin"},
		permissions: []string{"users.create", "data.read"}, tenant: harness.TenantAcme},
	harness.BareClient: {email: "Not provided", roles: []string{}, permissions: []string{}},
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// claimsCount is the contract's rule: one per element of a list-valued claim, one per other claim.
func claimsCount(claims map[string]any) int {
	n := 0
	for _, v := range claims {
		if list, ok := v.([]any); ok {
			n += len(list)
		} else {
			n++
		}
	}
	return n
}

var _ = Describe("The API contract", Label("offline", "contract"), func() {
	var env *harness.Env
	BeforeEach(func() { env = harness.Start(harness.Options{}) })

	Describe("public endpoints", func() {
		It("answers GET / with the example's description", func() {
			resp := env.Get("/", "")
			harness.ExpectJSON(resp, 200, mustJSON(map[string]any{
				"message":            resp.JSON()["message"],
				"descope_project_id": harness.ProjectID,
				"discovery_url":      resp.JSON()["discovery_url"],
				"docs":               "/docs",
				"authentication":     "Bearer token required for protected endpoints",
			}))
			Expect(resp.JSON()["message"]).To(ContainSubstring("Descope"))
			Expect(resp.JSON()["message"]).To(ContainSubstring("Example"))
			if env.InProcess != nil {
				Expect(resp.JSON()["discovery_url"]).To(Equal(env.InProcess.DiscoveryURL()))
			}
		})

		It("answers GET /health", func() {
			harness.ExpectJSON(env.Get("/health", ""), 200, `{"status":"healthy","provider":"descope"}`)
		})

		It("serves the interactive docs and every asset they load without a token, from the API itself", func() {
			resp := env.Get("/docs", "")
			Expect(resp.Status).To(Equal(200))
			Expect(resp.Header.Get("Content-Type")).To(HavePrefix("text/html"))
			Expect(string(resp.Body)).To(ContainSubstring("swagger-ui"))

			// Works offline: every script and stylesheet is a path on the API, public like the page.
			assets := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(resp.Body), -1)
			Expect(assets).NotTo(BeEmpty(), "the docs page loads its assets")
			for _, m := range assets {
				Expect(m[1]).To(HavePrefix("/"), "asset %s is not served by the API", m[1])
				Expect(m[1]).NotTo(HavePrefix("//"), "asset %s is not served by the API", m[1])
				asset := env.Get(m[1], "")
				Expect(asset.Status).To(Equal(200), "GET %s without a token: %s", m[1], asset)
				Expect(asset.Body).NotTo(BeEmpty(), m[1])
			}
		})

		It("describes every endpoint in /openapi.json", func() {
			resp := env.Get("/openapi.json", "")
			Expect(resp.Status).To(Equal(200))
			Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"))
			paths, ok := resp.JSON()["paths"].(map[string]any)
			Expect(ok).To(BeTrue(), "openapi.json has a paths object")
			for _, p := range []string{"/", "/health", "/api/me", "/api/claims", "/api/token-info", "/api/profile",
				"/api/descope/roles", "/api/descope/permissions", "/api/admin/users", "/api/admin/stats",
				"/api/users", "/api/users/{user_id}", "/api/data"} {
				Expect(paths).To(HaveKey(p))
			}
			Expect(paths["/api/users"]).To(HaveKey("post"))
			Expect(paths["/api/users/{user_id}"]).To(HaveKey("delete"))
		})
	})

	Describe("token-derived endpoints", func() {
		DescribeTable("answer from the token's claims",
			func(client string) {
				want := profiles[client]
				token := env.Token(client)
				claims := harness.Payload(token)

				By("GET /api/me")
				harness.ExpectJSON(env.Get("/api/me", token), 200, mustJSON(map[string]any{
					"authenticated": true, "authentication_type": "Bearer", "name": want.name, "claims_count": claimsCount(claims),
				}))
				By("GET /api/claims: every claim verbatim")
				harness.ExpectJSON(env.Get("/api/claims", token), 200, mustJSON(map[string]any{"claims": claims}))
				By("GET /api/token-info")
				harness.ExpectJSON(env.Get("/api/token-info", token), 200, mustJSON(map[string]any{
					"token_length": len(token), "token_preview": token[:20] + "..." + token[len(token)-20:],
				}))
				By("GET /api/profile")
				harness.ExpectJSON(env.Get("/api/profile", token), 200, mustJSON(map[string]any{"user_id": client, "email": want.email}))
				By("GET /api/descope/roles and /api/descope/permissions (top level plus the dct tenant)")
				harness.ExpectJSON(env.Get("/api/descope/roles", token), 200, mustJSON(map[string]any{"roles": want.roles}))
				harness.ExpectJSON(env.Get("/api/descope/permissions", token), 200, mustJSON(map[string]any{"permissions": want.permissions}))
				By("GET /api/descope/tenants")
				tenants := env.Get("/api/descope/tenants", token)
				Expect(tenants.Status).To(Equal(200))
				if want.tenant == nil {
					Expect(tenants.JSON()).To(HaveKeyWithValue("current_tenant", BeNil()))
				} else {
					Expect(tenants.JSON()).To(HaveKeyWithValue("current_tenant", want.tenant))
				}
			},
			Entry("admin-client", harness.AdminClient),
			Entry("reader-client", harness.ReaderClient),
			Entry("tenant-client", harness.TenantClient),
			Entry("bare-client", harness.BareClient),
		)

		It("takes user_id from client_id when sub is absent, else reports Not provided", func() {
			token := env.MintToken(mintWith(map[string]any{"sub": nil, "client_id": "cid-1"}))
			harness.ExpectJSON(env.Get("/api/profile", token), 200, `{"user_id":"cid-1","email":"Not provided"}`)
			token = env.MintToken(mintWith(map[string]any{"sub": nil}))
			harness.ExpectJSON(env.Get("/api/profile", token), 200, `{"user_id":"Not provided","email":"Not provided"}`)
		})

		It("counts one claim per list element", func() {
			token := env.MintToken(mintWith(map[string]any{"roles": []string{"x", "y"}, "sub": nil, "token_type": nil}))
			// aud ["P…"] 1 + exp, iat, iss 3 + roles 2
			Expect(env.Get("/api/me", token).JSON()).To(HaveKeyWithValue("claims_count", BeNumerically("==", 6)))
		})
	})

	Describe("guarded endpoints", func() {
		type outcome struct {
			status int
			body   string
		}
		ok := func(body string) outcome { return outcome{200, body} }
		role := outcome{403, `{"error":"Missing required Descope role: admin","status_code":403}`}
		createPerm := outcome{403, `{"error":"Missing required Descope permission: users.create","status_code":403}`}
		deletePerm := outcome{403, `{"error":"Missing required Descope permission: users.delete","status_code":403}`}
		scope := outcome{403, `{"error":"Required scope 'openid' not found","status_code":403}`}
		users := ok(`{"message":"Admin access granted","users":[{"id":1,"name":"User 1"},{"id":2,"name":"User 2"}]}`)
		stats := ok(`{"total_users":42,"active_sessions":15,"requests_today":1337}`)
		created := ok(`{"message":"User creation permitted","user":{"name":"Test","email":"test@example.com"}}`)
		deleted := ok(`{"message":"User 42 deleted successfully","deleted_by":"admin"}`)
		data := ok(`{"data":[{"id":1,"name":"Item 1"},{"id":2,"name":"Item 2"},{"id":3,"name":"Item 3"}]}`)

		DescribeTable("answer each fixture client with the contract's body, status and headers",
			func(client, method, path string, want outcome) {
				resp := env.Do(harness.Request{Method: method, Path: path, Token: env.Token(client)})
				harness.ExpectJSON(resp, want.status, want.body)
				if want == scope {
					harness.ExpectChallenge(resp, harness.ChallengeMissingOpenID)
				} else {
					harness.ExpectChallenge(resp, "")
				}
			},
			Entry(nil, harness.AdminClient, "GET", "/api/admin/users", users),
			Entry(nil, harness.AdminClient, "GET", "/api/admin/stats", stats),
			Entry(nil, harness.AdminClient, "POST", "/api/users?name=Test&email=test@example.com", created),
			Entry(nil, harness.AdminClient, "DELETE", "/api/users/42", deleted),
			Entry(nil, harness.AdminClient, "GET", "/api/data", data),
			Entry(nil, harness.ReaderClient, "GET", "/api/admin/users", role),
			Entry(nil, harness.ReaderClient, "GET", "/api/admin/stats", role),
			Entry(nil, harness.ReaderClient, "POST", "/api/users?name=Test&email=test@example.com", createPerm),
			Entry(nil, harness.ReaderClient, "DELETE", "/api/users/42", deletePerm),
			Entry(nil, harness.ReaderClient, "GET", "/api/data", data),
			Entry(nil, harness.TenantClient, "GET", "/api/admin/users", users),
			Entry(nil, harness.TenantClient, "GET", "/api/admin/stats", stats),
			Entry(nil, harness.TenantClient, "POST", "/api/users?name=Test&email=test@example.com", created),
			Entry(nil, harness.TenantClient, "DELETE", "/api/users/42", deletePerm),
			Entry(nil, harness.TenantClient, "GET", "/api/data", data),
			Entry(nil, harness.BareClient, "GET", "/api/admin/users", role),
			Entry(nil, harness.BareClient, "GET", "/api/admin/stats", role),
			Entry(nil, harness.BareClient, "POST", "/api/users?name=Test&email=test@example.com", createPerm),
			Entry(nil, harness.BareClient, "DELETE", "/api/users/42", deletePerm),
			Entry(nil, harness.BareClient, "GET", "/api/data", scope),
			// Authorization runs before query validation: no permission is a 403 even without name/email.
			Entry(nil, harness.ReaderClient, "POST", "/api/users", createPerm),
		)

		DescribeTable("POST /api/users with the permission but a missing query parameter is a 422",
			func(query string, missing []string) {
				resp := env.Do(harness.Request{Method: "POST", Path: "/api/users" + query, Token: env.Token(harness.AdminClient)})
				items := make([]map[string]any, 0, len(missing))
				for _, m := range missing {
					items = append(items, map[string]any{"type": "missing", "loc": []string{"query", m}, "msg": "Field required"})
				}
				harness.ExpectJSON(resp, 422, mustJSON(map[string]any{"detail": items}))
				harness.ExpectChallenge(resp, "")
			},
			Entry("name missing", "?email=test@example.com", []string{"name"}),
			Entry("email missing", "?name=Test", []string{"email"}),
			Entry("both missing", "", []string{"name", "email"}),
		)
	})

	Describe("authentication failures", func() {
		protected := []string{"/api/me", "/api/claims", "/api/token-info", "/api/profile", "/api/descope/roles",
			"/api/descope/permissions", "/api/admin/users", "/api/admin/stats", "/api/data", "/api/no-such-route"}

		When("the Authorization header is missing or empty", func() {
			It("answers 401 Missing Authorization header on every protected path, unknown ones included", func() {
				for _, p := range protected {
					harness.ExpectMissingHeader(env.Get(p, ""))
					harness.ExpectMissingHeader(env.Do(harness.Request{Path: p, Authorization: []string{""}}))
				}
				harness.ExpectMissingHeader(env.Do(harness.Request{Method: "POST", Path: "/api/users?name=a&email=b"}))
				harness.ExpectMissingHeader(env.Do(harness.Request{Method: "DELETE", Path: "/api/users/1"}))
			})
		})

		When("the header is not Bearer <one token>", func() {
			DescribeTable("answers 401 invalid_request",
				func(header string) {
					harness.ExpectInvalidHeader(env.Do(harness.Request{Path: "/api/me", Authorization: []string{header}}))
				},
				Entry("Basic scheme", "Basic YWRtaW4tY2xpZW50OmFkbWluLXNlY3JldA=="),
				Entry("scheme only", "Bearer"),
				Entry("token without scheme", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
				Entry("two tokens", "Bearer a.b.c d.e.f"),
			)
		})

		When("the token is not valid", func() {
			It("answers 401 invalid_token with the uniform body", func() {
				for _, p := range protected {
					harness.ExpectInvalidToken(env.Get(p, "invalid.jwt.token"))
				}
			})
		})

		When("the scheme differs only in case", func() {
			It("accepts the token", func() {
				token := env.Token(harness.AdminClient)
				for _, scheme := range []string{"bearer", "BEARER", "bEaReR"} {
					resp := env.Do(harness.Request{Path: "/api/me", Authorization: []string{scheme + " " + token}})
					Expect(resp.Status).To(Equal(200), scheme)
				}
			})
		})
	})

	Describe("routing with a valid token", func() {
		It("answers an unknown path with 404 Not Found", func() {
			resp := env.Get("/api/no-such-route", env.Token(harness.AdminClient))
			harness.ExpectJSON(resp, 404, harness.BodyNotFound)
			harness.ExpectChallenge(resp, "")
		})

		It("answers a wrong method with 405 Method Not Allowed", func() {
			token := env.Token(harness.AdminClient)
			for _, r := range []harness.Request{{Method: "PUT", Path: "/api/me"}, {Method: "GET", Path: "/api/users/1"}, {Method: "DELETE", Path: "/api/data"}} {
				r.Token = token
				resp := env.Do(r)
				harness.ExpectJSON(resp, 405, harness.BodyNotAllowed)
				harness.ExpectChallenge(resp, "")
			}
		})
	})

})

var _ = Describe("The API contract when the provider is down", Label("offline", "contract"), func() {
	When("keys cannot be obtained and nothing is cached", func() {
		It("answers 503 with Retry-After and no challenge", func() {
			env := harness.Start(harness.Options{
				DiscoveryRetries: -1,
				ColdStart:        []mockidp.Fault{{Endpoint: mockidp.EndpointDiscovery, Status: 503}},
			})
			harness.ExpectUnavailable(env.Get("/api/me", env.Token(harness.AdminClient)))
		})
	})
})

// mintWith is a mint request for the mock's base claims (aud, exp, iat,
// iss, sub, token_type) with overrides; a nil value removes a claim.
func mintWith(claims map[string]any) mockclient.MintRequest {
	return mockclient.MintRequest{Claims: claims}
}
