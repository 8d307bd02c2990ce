package mockidp_test

import (
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

var _ = Describe("Faults", Label("offline", "faults"), func() {
	var m *mockidptest.Mock

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
	})

	inject := func(body string) {
		GinkgoHelper()
		r := call(m, http.MethodPost, "/_mock/faults", body)
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Body)
	}
	tokenOK := func() reply {
		GinkgoHelper()
		return call(m, http.MethodPost, "/oauth2/v1/token", "grant_type=client_credentials", headers(formContentType, basic("admin-client", "admin-secret"))...)
	}

	It("answers an injected status with a Descope error body on each endpoint", func() {
		paths := map[string]reply{}
		for _, e := range mockidp.Endpoints {
			inject(`{"endpoint":"` + e + `","status":503}`)
		}
		paths["discovery"] = call(m, http.MethodGet, "/"+pid+"/.well-known/openid-configuration", "")
		paths["jwks"] = call(m, http.MethodGet, "/v2/keys/"+pid, "")
		paths["token"] = tokenOK()
		paths["exchange"] = call(m, http.MethodPost, exchangePath, "{}", "Authorization", "Bearer "+pid+":"+accessKeySecret)
		paths["userinfo"] = call(m, http.MethodGet, "/oauth2/v1/userinfo", "", "Authorization", "Bearer "+m.Token("admin-client"))
		paths["license"] = call(m, http.MethodGet, "/v1/mgmt/license", "")
		for e, r := range paths {
			By(e)
			expectDescopeError(r, http.StatusServiceUnavailable, mockidp.CodeServerError)
		}
		Expect(m.RequestCount("token")).To(Equal(1), "faulted requests are still counted")
	})

	It("answers 429 with Retry-After and Descope's rate-limit body", func() {
		inject(`{"endpoint":"keys","status":429,"retry_after":7}`)
		r := call(m, http.MethodGet, "/v2/keys/"+pid, "")
		Expect(r.Status).To(Equal(http.StatusTooManyRequests))
		Expect(r.Header.Get("Retry-After")).To(Equal("7"))
		Expect(r.JSON()).To(Equal(map[string]any{
			"errorCode":        "E130429",
			"errorDescription": "https://docs.descope.com/rate-limit",
			"errorMessage":     "API rate limit exceeded.",
		}))
	})

	It("sends Retry-After with another status when asked", func() {
		inject(`{"endpoint":"token","status":503,"retry_after":2}`)
		r := tokenOK()
		Expect(r.Status).To(Equal(http.StatusServiceUnavailable))
		Expect(r.Header.Get("Retry-After")).To(Equal("2"))
	})

	It("delays an answer by the injected latency, then serves it", func() {
		inject(`{"endpoint":"discovery","latency":"15ms","count":1}`)
		start := time.Now()
		r := call(m, http.MethodGet, "/"+pid+"/.well-known/openid-configuration", "")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(time.Since(start)).To(BeNumerically(">=", 15*time.Millisecond))
		Expect(m.Requests().Recent["discovery"][0].DurationMS).To(BeNumerically(">=", 15))
	})

	It("serves an empty key set in each path's shape", func() {
		inject(`{"endpoint":"jwks","empty_keys":true}`)
		Expect(string(call(m, http.MethodGet, "/v2/keys/"+pid, "").Body)).To(Equal(`{"keys":[]}`))
		Expect(string(call(m, http.MethodGet, "/"+pid+"/.well-known/jwks.json", "").Body)).To(Equal(`{"keys":[]}`))
		Expect(string(call(m, http.MethodGet, "/v1/keys/"+pid, "").Body)).To(Equal(`[]`))
	})

	It("serves a malformed 200 body", func() {
		inject(`{"endpoint":"jwks","malformed":true,"count":1}`)
		r := call(m, http.MethodGet, "/v2/keys/"+pid, "")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(json.Valid(r.Body)).To(BeFalse())
	})

	It("applies to the next N requests, then answers normally", func() {
		inject(`{"endpoint":"token","status":500,"count":2}`)
		Expect(m.Faults()).To(HaveLen(1))
		Expect(m.Faults()[0].Remaining).To(Equal(2))
		Expect(tokenOK().Status).To(Equal(http.StatusInternalServerError))
		Expect(m.Faults()[0].Remaining).To(Equal(1))
		Expect(tokenOK().Status).To(Equal(http.StatusInternalServerError))
		Expect(m.Faults()).To(BeEmpty())
		Expect(tokenOK().Status).To(Equal(http.StatusOK))
	})

	It("applies faults of one endpoint in the order added", func() {
		inject(`{"endpoint":"token","status":502,"count":1}`)
		inject(`{"endpoint":"token","status":504,"count":1}`)
		Expect(tokenOK().Status).To(Equal(http.StatusBadGateway))
		Expect(tokenOK().Status).To(Equal(http.StatusGatewayTimeout))
		Expect(tokenOK().Status).To(Equal(http.StatusOK))
	})

	It("lists faults in force with GET", func() {
		inject(`{"endpoint":"keys","status":500}`)
		r := call(m, http.MethodGet, "/_mock/faults", "")
		Expect(r.Status).To(Equal(http.StatusOK))
		var list struct {
			Faults []mockidp.ActiveFault `json:"faults"`
		}
		Expect(json.Unmarshal(r.Body, &list)).To(Succeed())
		Expect(list.Faults).To(HaveLen(1))
		Expect(list.Faults[0].Endpoint).To(Equal("jwks"), "keys is an alias of jwks")
		Expect(list.Faults[0].Remaining).To(Equal(-1))
	})

	It("stays until DELETE clears it", func() {
		inject(`{"endpoint":"token","status":500}`)
		for range 3 {
			Expect(tokenOK().Status).To(Equal(http.StatusInternalServerError))
		}
		Expect(call(m, http.MethodDelete, "/_mock/faults", "").Status).To(Equal(http.StatusNoContent))
		Expect(tokenOK().Status).To(Equal(http.StatusOK))
	})

	It("clears one endpoint's faults with ?endpoint=", func() {
		inject(`{"endpoint":"token","status":500}`)
		inject(`{"endpoint":"license","status":500}`)
		Expect(call(m, http.MethodDelete, "/_mock/faults?endpoint=token", "").Status).To(Equal(http.StatusNoContent))
		Expect(tokenOK().Status).To(Equal(http.StatusOK))
		Expect(call(m, http.MethodGet, "/v1/mgmt/license", "").Status).To(Equal(http.StatusInternalServerError))
		expectDescopeError(call(m, http.MethodDelete, "/_mock/faults?endpoint=bogus", ""), http.StatusBadRequest, mockidp.CodeMockBadRequest)
	})

	DescribeTable("refuses invalid faults",
		func(body string) {
			expectDescopeError(call(m, http.MethodPost, "/_mock/faults", body), http.StatusBadRequest, mockidp.CodeMockBadRequest)
			Expect(m.Faults()).To(BeEmpty())
		},
		Entry("unknown endpoint", `{"endpoint":"admin","status":500}`),
		Entry("no effect", `{"endpoint":"token"}`),
		Entry("not an HTTP status", `{"endpoint":"token","status":42}`),
		Entry("empty keys off the key set", `{"endpoint":"token","empty_keys":true}`),
		Entry("negative count", `{"endpoint":"token","status":500,"count":-1}`),
		Entry("negative retry_after", `{"endpoint":"token","status":429,"retry_after":-1}`),
		Entry("latency too long", `{"endpoint":"token","latency":"6m"}`),
		Entry("bad latency", `{"endpoint":"token","latency":"soon"}`),
		Entry("unknown field", `{"endpoint":"token","status":500,"times":2}`),
		Entry("no body", ``),
	)
})
