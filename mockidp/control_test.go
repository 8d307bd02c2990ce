package mockidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// keysState reads GET /_mock/keys.
func keysState(m *mockidptest.Mock) mockidp.KeysState {
	GinkgoHelper()
	r := call(m, http.MethodGet, "/_mock/keys", "")
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
	var st mockidp.KeysState
	Expect(json.Unmarshal(r.Body, &st)).To(Succeed())
	return st
}

// publishedKids reads the kids of the public key set.
func publishedKids(m *mockidptest.Mock) []string {
	GinkgoHelper()
	set, err := fetchKeySet(m.Client(), m.URL)
	Expect(err).NotTo(HaveOccurred())
	kids := make([]string, 0, len(set.Keys))
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

var _ = Describe("Control plane", Label("offline", "control"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	It("answers health", func() {
		r := call(m, http.MethodGet, "/_mock/health", "")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.JSON()).To(Equal(map[string]any{"status": "ok"}))
	})

	It("answers 404 with a control-plane error to an unknown call", func() {
		expectDescopeError(call(m, http.MethodGet, "/_mock/nope", ""), http.StatusNotFound, mockidp.CodeMockNotFound)
		expectDescopeError(call(m, http.MethodGet, "/_mock", ""), http.StatusNotFound, mockidp.CodeMockNotFound)
	})

	It("answers 405 with an Allow header to a wrong method", func() {
		r := call(m, http.MethodGet, "/_mock/keys/rotate", "")
		expectDescopeError(r, http.StatusMethodNotAllowed, mockidp.CodeMethod)
		Expect(r.Header.Get("Allow")).To(Equal("POST"))
	})

	Describe("keys", Label("rotation"), func() {
		It("reports the current, published and revoked kids and the settings", func() {
			st := keysState(m)
			Expect(st.Current).To(Equal(m.Keys().Current().ID))
			Expect(st.Published).To(Equal([]string{st.Current}))
			Expect(st.Revoked).To(BeEmpty())
			Expect(st.Revoked).NotTo(BeNil(), "revoked is [] on the wire, not null")
			Expect(st.Keep).To(Equal(12))
			Expect(st.RotateEvery).To(Equal(mockidp.Duration(mockidp.DefaultRotateEvery)))
		})

		It("rotates once with an empty body and n times with a count", func() {
			first := keysState(m).Current
			r := call(m, http.MethodPost, "/_mock/keys/rotate", "")
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			var st mockidp.KeysState
			Expect(json.Unmarshal(r.Body, &st)).To(Succeed())
			Expect(st.Current).NotTo(Equal(first))
			Expect(st.Published).To(Equal([]string{st.Current, first}))
			Expect(st.Rotations).To(Equal(uint64(1)))

			Expect(call(m, http.MethodPost, "/_mock/keys/rotate", `{"count":3}`).Status).To(Equal(http.StatusOK))
			st = keysState(m)
			Expect(st.Published).To(HaveLen(5))
			Expect(st.Rotations).To(Equal(uint64(4)))
			Expect(publishedKids(m)).To(Equal(st.Published))
		})

		It("drops the first key after Keep+1 rotations and not before", func() {
			first := keysState(m).Current
			Expect(call(m, http.MethodPost, "/_mock/keys/rotate", `{"count":12}`).Status).To(Equal(http.StatusOK))
			Expect(publishedKids(m)).To(HaveLen(13))
			Expect(publishedKids(m)).To(ContainElement(first))
			Expect(call(m, http.MethodPost, "/_mock/keys/rotate", `{"count":1}`).Status).To(Equal(http.StatusOK))
			Expect(publishedKids(m)).To(HaveLen(13))
			Expect(publishedKids(m)).NotTo(ContainElement(first))
		})

		It("keeps tokens of previous keys verifiable until they leave", func() {
			token := m.Token("admin-client")
			Expect(m.RotateKeys(12)).To(Succeed())
			Expect(call(m, http.MethodGet, "/oauth2/v1/userinfo", "", "Authorization", "Bearer "+token).Status).To(Equal(http.StatusOK))
			Expect(m.RotateKeys(1)).To(Succeed())
			expectDescopeError(call(m, http.MethodGet, "/oauth2/v1/userinfo", "", "Authorization", "Bearer "+token), http.StatusUnauthorized, mockidp.CodeBadClient)
		})

		It("revokes a previous key at once", func() {
			old := keysState(m).Current
			Expect(m.RotateKeys(1)).To(Succeed())
			current := keysState(m).Current
			r := call(m, http.MethodPost, "/_mock/keys/revoke", `{"kid":"`+old+`"}`)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			st := keysState(m)
			Expect(st.Current).To(Equal(current))
			Expect(st.Published).To(Equal([]string{current}))
			Expect(st.Revoked).To(Equal([]string{old}))
			Expect(publishedKids(m)).NotTo(ContainElement(old))
		})

		It("revokes the current key by rotating first", func() {
			old := keysState(m).Current
			Expect(call(m, http.MethodPost, "/_mock/keys/revoke", `{"kid":"`+old+`"}`).Status).To(Equal(http.StatusOK))
			st := keysState(m)
			Expect(st.Current).NotTo(Equal(old))
			Expect(st.Published).To(Equal([]string{st.Current}))
			Expect(st.Revoked).To(Equal([]string{old}))
			claims := verifiedClaims(m, m.Token("admin-client"))
			Expect(claims).To(HaveKey("sub"))
		})

		DescribeTable("refuses bad rotate and revoke requests",
			func(path, body string, status int, code string) {
				expectDescopeError(call(m, http.MethodPost, path, body), status, code)
			},
			Entry("count 0", "/_mock/keys/rotate", `{"count":0}`, 400, mockidp.CodeMockBadRequest),
			Entry("count too large", "/_mock/keys/rotate", `{"count":1001}`, 400, mockidp.CodeMockBadRequest),
			Entry("unknown field", "/_mock/keys/rotate", `{"n":2}`, 400, mockidp.CodeMockBadRequest),
			Entry("malformed JSON", "/_mock/keys/rotate", `{"count":`, 400, mockidp.CodeMockBadRequest),
			Entry("trailing data", "/_mock/keys/rotate", `{"count":1}{}`, 400, mockidp.CodeMockBadRequest),
			Entry("revoke without body", "/_mock/keys/revoke", ``, 400, mockidp.CodeMockBadRequest),
			Entry("revoke without kid", "/_mock/keys/revoke", `{}`, 400, mockidp.CodeMockBadRequest),
			Entry("revoke an unknown kid", "/_mock/keys/revoke", `{"kid":"SKnope"}`, 404, mockidp.CodeMockNotFound),
		)

		It("answers 413 to an oversized control-plane body", func() {
			expectDescopeError(call(m, http.MethodPost, "/_mock/keys/rotate", `{"count":1,"x":"`+strings.Repeat("a", 70<<10)+`"}`),
				http.StatusRequestEntityTooLarge, mockidp.CodeTooLarge)
		})
	})

	Describe("clients", func() {
		It("lists clients sorted by ID, never with their secrets", func() {
			r := call(m, http.MethodGet, "/_mock/clients", "")
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(string(r.Body)).NotTo(ContainSubstring("secret"))
			var list struct {
				Clients []mockidp.Client `json:"clients"`
			}
			Expect(json.Unmarshal(r.Body, &list)).To(Succeed())
			ids := []string{}
			for _, c := range list.Clients {
				ids = append(ids, c.ID)
			}
			Expect(ids).To(Equal([]string{"admin-client", "bare-client", "reader-client", "tenant-client"}))
		})

		It("adds a client that can then get tokens, and removes it", func() {
			r := call(m, http.MethodPost, "/_mock/clients", `{"id":"new-client","secret":"new-secret","scopes":["openid","reports.read"],"roles":["auditor"]}`)
			Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Body)
			Expect(string(r.Body)).NotTo(ContainSubstring("new-secret"))
			Expect(r.JSON()).To(HaveKeyWithValue("id", "new-client"))

			tr := requestToken(m, "/oauth2/v1/token", "new-client", "new-secret", url.Values{"scope": {"reports.read"}})
			Expect(verifiedClaims(m, tr.AccessToken)).To(HaveKeyWithValue("roles", []any{"auditor"}))

			Expect(call(m, http.MethodDelete, "/_mock/clients/new-client", "").Status).To(Equal(http.StatusNoContent))
			r = call(m, http.MethodPost, "/oauth2/v1/token", "grant_type=client_credentials", headers(formContentType, basic("new-client", "new-secret"))...)
			expectDescopeError(r, http.StatusUnauthorized, mockidp.CodeBadClient)
		})

		It("replaces a client with the same ID, answering 200 instead of 201", func() {
			Expect(call(m, http.MethodPost, "/_mock/clients", `{"id":"admin-client","secret":"rotated"}`).Status).To(Equal(http.StatusOK))
			r := call(m, http.MethodPost, "/oauth2/v1/token", "grant_type=client_credentials", headers(formContentType, basic("admin-client", "admin-secret"))...)
			expectDescopeError(r, http.StatusUnauthorized, mockidp.CodeBadClient)
			requestToken(m, "/oauth2/v1/token", "admin-client", "rotated", nil)
		})

		DescribeTable("refuses invalid clients",
			func(body string) {
				expectDescopeError(call(m, http.MethodPost, "/_mock/clients", body), http.StatusBadRequest, mockidp.CodeMockBadRequest)
			},
			Entry("no secret", `{"id":"x"}`),
			Entry("bad ID", `{"id":"has space","secret":"s"}`),
			Entry("reserved claim", `{"id":"x","secret":"s","claims":{"iss":"me"}}`),
			Entry("default scope not allowed", `{"id":"x","secret":"s","default_scopes":["openid"]}`),
			Entry("unknown field", `{"id":"x","secret":"s","colour":"red"}`),
			Entry("empty body", ``),
		)

		It("answers 404 to removing an unknown client", func() {
			expectDescopeError(call(m, http.MethodDelete, "/_mock/clients/ghost", ""), http.StatusNotFound, mockidp.CodeMockNotFound)
		})
	})

	Describe("access keys", func() {
		It("lists access keys without their secrets", func() {
			r := call(m, http.MethodGet, "/_mock/access-keys", "")
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(string(r.Body)).NotTo(ContainSubstring(accessKeySecret))
			Expect(string(r.Body)).NotTo(ContainSubstring(`"secret"`))
			Expect(string(r.Body)).To(ContainSubstring(accessKeyID))
		})

		It("adds an access key that can then be exchanged, and removes it", func() {
			r := call(m, http.MethodPost, "/_mock/access-keys", `{"id":"K2New","secret":"new-key-secret","roles":["robot"]}`)
			Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Body)
			Expect(string(r.Body)).NotTo(ContainSubstring("new-key-secret"))
			x := call(m, http.MethodPost, exchangePath, "{}", "Authorization", "Bearer "+pid+":new-key-secret")
			Expect(x.Status).To(Equal(http.StatusOK), "body %s", x.Body)
			Expect(verifiedClaims(m, x.JSON()["sessionJwt"].(string))).To(HaveKeyWithValue("roles", []any{"robot"}))

			Expect(call(m, http.MethodDelete, "/_mock/access-keys/K2New", "").Status).To(Equal(http.StatusNoContent))
			expectDescopeError(call(m, http.MethodPost, exchangePath, "{}", "Authorization", "Bearer "+pid+":new-key-secret"), http.StatusUnauthorized, mockidp.CodeBadClient)
		})

		It("replaces an access key with the same ID, answering 200 instead of 201", func() {
			Expect(call(m, http.MethodPost, "/_mock/access-keys", `{"id":"K2New","secret":"first-secret"}`).Status).To(Equal(http.StatusCreated))
			r := call(m, http.MethodPost, "/_mock/access-keys", `{"id":"K2New","secret":"second-secret"}`)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			expectDescopeError(call(m, http.MethodPost, exchangePath, "{}", "Authorization", "Bearer "+pid+":first-secret"), http.StatusUnauthorized, mockidp.CodeBadClient)
			Expect(call(m, http.MethodPost, exchangePath, "{}", "Authorization", "Bearer "+pid+":second-secret").Status).To(Equal(http.StatusOK))
		})

		DescribeTable("refuses invalid access keys",
			func(body string) {
				expectDescopeError(call(m, http.MethodPost, "/_mock/access-keys", body), http.StatusBadRequest, mockidp.CodeMockBadRequest)
			},
			Entry("no secret", `{"id":"K2X"}`),
			Entry("secret with a colon", `{"id":"K2X","secret":"a:b"}`),
			Entry("a secret another key has", `{"id":"K2X","secret":"`+accessKeySecret+`"}`),
			Entry("reserved claim", `{"id":"K2X","secret":"s","claims":{"drn":"x"}}`),
		)

		It("answers 404 to removing an unknown access key", func() {
			expectDescopeError(call(m, http.MethodDelete, "/_mock/access-keys/K2Ghost", ""), http.StatusNotFound, mockidp.CodeMockNotFound)
		})
	})

	Describe("request counters", func() {
		It("counts requests per endpoint, logs recent ones, and clears them", func() {
			call(m, http.MethodGet, "/v2/keys/"+pid, "", "User-Agent", "spec-agent")
			call(m, http.MethodGet, "/v1/keys/"+pid, "")
			call(m, http.MethodGet, "/"+pid+"/.well-known/openid-configuration", "")
			call(m, http.MethodPost, "/oauth2/v1/token", "", formContentType...)

			r := call(m, http.MethodGet, "/_mock/requests", "")
			Expect(r.Status).To(Equal(http.StatusOK))
			var st mockidp.RequestStats
			Expect(json.Unmarshal(r.Body, &st)).To(Succeed())
			want := map[string]int{}
			for _, e := range mockidp.Endpoints {
				want[e] = 0
			}
			want["discovery"], want["jwks"], want["token"] = 1, 2, 1
			Expect(st.Counts).To(Equal(want))
			Expect(st.Recent["jwks"]).To(HaveLen(2))
			Expect(st.Recent["jwks"][0].Path).To(Equal("/v2/keys/" + pid))
			Expect(st.Recent["jwks"][0].UserAgent).To(Equal("spec-agent"))
			Expect(st.Recent["jwks"][0].Status).To(Equal(http.StatusOK))
			Expect(st.Recent["token"][0].Status).To(Equal(http.StatusBadRequest))
			Expect(m.RequestCount("keys")).To(Equal(2))

			Expect(call(m, http.MethodDelete, "/_mock/requests", "").Status).To(Equal(http.StatusNoContent))
			Expect(m.RequestCount(mockidp.EndpointJWKS)).To(Equal(0))
			Expect(m.Requests().Recent["jwks"]).To(BeEmpty())
		})

		It("does not count control-plane calls", func() {
			call(m, http.MethodGet, "/_mock/keys", "")
			for _, e := range mockidp.Endpoints {
				Expect(m.RequestCount(e)).To(BeZero(), e)
			}
		})

		It("keeps a bounded log", func() {
			m := startMock(mockidp.Config{RecentRequests: 3})
			for range 5 {
				call(m, http.MethodGet, "/v2/keys/"+pid, "")
			}
			Expect(m.RequestCount("jwks")).To(Equal(5))
			Expect(m.Requests().Recent["jwks"]).To(HaveLen(3))
		})
	})

	Describe("metrics", func() {
		It("exposes token, request and rotation counters in Prometheus format", func() {
			requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil)
			call(m, http.MethodPost, "/oauth2/v1/token", "grant_type=client_credentials", headers(formContentType, basic("ghost", "x"))...)
			call(m, http.MethodGet, "/v2/keys/"+pid, "")
			Expect(m.RotateKeys(2)).To(Succeed())

			r := call(m, http.MethodGet, "/metrics", "")
			Expect(r.Status).To(Equal(http.StatusOK))
			text := string(r.Body)
			Expect(text).To(ContainSubstring(`mockidp_tokens_total{client="admin-client",outcome="issued"} 1`))
			Expect(text).To(ContainSubstring(`mockidp_tokens_total{client="unknown",outcome="invalid_client"} 1`))
			Expect(text).To(ContainSubstring(`mockidp_requests_total{endpoint="jwks",status="200"} 1`))
			Expect(text).To(ContainSubstring(`mockidp_requests_total{endpoint="token",status="401"} 1`))
			Expect(text).To(ContainSubstring(`mockidp_key_rotations_total 2`))
		})
	})

	Describe("reset", func() {
		It("returns keys, clients, access keys, faults, cache headers, clock and counters to the configured state", func() {
			initial := keysState(m).Current
			Expect(m.RotateKeys(2)).To(Succeed())
			Expect(m.RemoveClient("admin-client")).To(Succeed())
			Expect(m.AddClient(mockidp.Client{ID: "extra", Secret: "s"})).To(Succeed())
			Expect(m.RemoveAccessKey(accessKeyID)).To(Succeed())
			Expect(m.InjectFault(mockidp.Fault{Endpoint: "token", Status: 503})).To(Succeed())
			Expect(m.SetJWKSCache(mockidp.JWKSCache{MaxAge: 10, ETag: true})).To(Succeed())
			m.Advance(3600e9)
			call(m, http.MethodGet, "/v2/keys/"+pid, "")

			r := call(m, http.MethodPost, "/_mock/reset", "")
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
			Expect(r.JSON()).To(Equal(map[string]any{"status": "reset"}))

			st := keysState(m)
			Expect(st.Current).To(Equal(initial))
			Expect(st.Published).To(Equal([]string{initial}))
			ids := []string{}
			for _, c := range m.Clients() {
				ids = append(ids, c.ID)
			}
			Expect(ids).To(Equal([]string{"admin-client", "bare-client", "reader-client", "tenant-client"}))
			Expect(m.AccessKeys()).To(HaveLen(1))
			Expect(m.Faults()).To(BeEmpty())
			Expect(m.JWKSCacheSettings()).To(Equal(mockidp.JWKSCache{}))
			_, frozen, offset := m.Clock().State()
			Expect(frozen).To(BeFalse())
			Expect(offset).To(BeZero())
			Expect(m.RequestCount("jwks")).To(BeZero())
			requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil)
		})
	})

	When("an admin token is configured", func() {
		const admin = "s3cret-admin"
		BeforeEach(func() {
			m = startMock(mockidp.Config{AdminToken: admin})
		})

		calls := []struct{ method, path, body string }{
			{http.MethodGet, "/_mock/keys", ""},
			{http.MethodPost, "/_mock/keys/rotate", ""},
			{http.MethodPost, "/_mock/keys/revoke", `{"kid":"SKnope"}`},
			{http.MethodPost, "/_mock/tokens", `{"client_id":"admin-client"}`},
			{http.MethodGet, "/_mock/clients", ""},
			{http.MethodPost, "/_mock/clients", `{"id":"x","secret":"s"}`},
			{http.MethodDelete, "/_mock/clients/x", ""},
			{http.MethodGet, "/_mock/access-keys", ""},
			{http.MethodPost, "/_mock/access-keys", `{"id":"K2X","secret":"s"}`},
			{http.MethodDelete, "/_mock/access-keys/K2X", ""},
			{http.MethodGet, "/_mock/faults", ""},
			{http.MethodPost, "/_mock/faults", `{"endpoint":"license","status":500,"count":1}`},
			{http.MethodDelete, "/_mock/faults", ""},
			{http.MethodGet, "/_mock/jwks-cache", ""},
			{http.MethodPut, "/_mock/jwks-cache", `{"max_age":1}`},
			{http.MethodGet, "/_mock/requests", ""},
			{http.MethodDelete, "/_mock/requests", ""},
			{http.MethodGet, "/_mock/clock", ""},
			{http.MethodPut, "/_mock/clock", `{}`},
			{http.MethodPost, "/_mock/clock/advance", `{"seconds":1}`},
			{http.MethodPost, "/_mock/reset", ""},
			{http.MethodGet, "/_mock/unknown", ""},
		}

		It("refuses every call but health without the token, with 401 and WWW-Authenticate", func() {
			for _, c := range calls {
				for _, auth := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "Basic " + admin}, {"Authorization", admin}} {
					r := call(m, c.method, c.path, c.body, auth...)
					e := expectDescopeError(r, http.StatusUnauthorized, mockidp.CodeMockAuth)
					Expect(e.Message).To(ContainSubstring("admin token"), "%s %s", c.method, c.path)
					Expect(r.Header.Get("WWW-Authenticate")).To(HavePrefix("Bearer"))
				}
			}
			Expect(m.KeysState().Rotations).To(BeZero(), "no refused call had an effect")
		})

		It("accepts every call with the token (any case of Bearer)", func() {
			for i, c := range calls {
				scheme := "Bearer "
				if i%2 == 1 {
					scheme = "bearer "
				}
				r := call(m, c.method, c.path, c.body, "Authorization", scheme+admin)
				Expect(r.Status).NotTo(Equal(http.StatusUnauthorized), "%s %s: body %s", c.method, c.path, r.Body)
			}
			r := call(m, http.MethodGet, "/_mock/keys", "", "Authorization", "Bearer "+admin)
			Expect(r.Status).To(Equal(http.StatusOK))
		})

		It("answers health without the token", func() {
			Expect(call(m, http.MethodGet, "/_mock/health", "").Status).To(Equal(http.StatusOK))
		})

		It("leaves the Descope surface open", func() {
			Expect(call(m, http.MethodGet, "/v2/keys/"+pid, "").Status).To(Equal(http.StatusOK))
		})
	})
})
